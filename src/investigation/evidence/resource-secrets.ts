import type { EntityRef } from '../model.ts';
import { customControllerOf } from './custom-owners.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The Secrets an operator's resource names for the software it runs. A custom resource an operator reconciles into
 * pods (a database cluster, an application server's domain, a broker) names in its own spec the Secrets that software
 * logs in with — `secrets: [name]`, `credentialsSecret: {name}`, `passwordSecretRef: {name}`, `runtimeSecret: name` —
 * and the operator hands them to the pods its own way (files it writes, reads through the API, an init step), so the
 * pod template need not name them. For that software they are read like the Secrets a template names: a wrong value in
 * one fails its logins the same way, and its pods pick a new value up when the operator restarts them.
 */

/** A field naming a Secret that holds a login (`secret`, `passwordSecret`, `userSecretRef`), before other Secret fields. */
const LOGIN_FIELD = /^(secret|secretName|secretRef)$|pass|user|auth|login|cred|owner|superuser/i;

/** A field whose string value, or list of strings, is the name of a Secret (`secrets`, `encryptionSecret`). */
const NAMES_SECRETS = /secrets?$/i;

/** Registry logins: they pull images, the software never presents them. */
const PULL_FIELD = /pull/i;

/** A Kubernetes object name (DNS-1123 subdomain). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The Secret names a resource's spec holds: a `name` under a field whose name says Secret (`secret: {name}`,
 * `passwordSecret: {name}`, `…SecretRef`), a `secretName`, or the names a field called so lists or holds as a string
 * (`secrets: [a, b]`, `runtimeEncryptionSecret: c`) — those of a login's fields first (rank 0), then others (rank 2).
 */
export function secretNamesIn(spec: unknown, field = '', depth = 0): { name: string; rank: number }[] {
  if (!spec || typeof spec !== 'object' || depth > 8) return [];
  if (Array.isArray(spec)) return spec.flatMap((item) => secretNamesIn(item, field, depth + 1));
  const rank = (key: string) => (LOGIN_FIELD.test(key) ? 0 : 2);
  return Object.entries(spec as Record<string, unknown>).flatMap(([key, value]) => {
    if (key === 'secretName' && typeof value === 'string') return [{ name: value, rank: rank(field) }];
    if (key === 'name' && typeof value === 'string' && /secret/i.test(field))
      return [{ name: value, rank: rank(field) }];
    if (NAMES_SECRETS.test(key)) {
      const named = (Array.isArray(value) ? value : [value]).filter(
        (v): v is string => typeof v === 'string' && OBJECT_NAME.test(v),
      );
      if (named.length > 0) return named.map((name) => ({ name, rank: rank(key) }));
    }
    return secretNamesIn(value, key, depth + 1);
  });
}

/**
 * The Secrets (in the pods' namespace) the custom resource that controls these pods names for its software, when that
 * resource was read; registry logins left out.
 */
export function secretsTheResourceNames(snapshot: ClusterSnapshot, pods: ClusterSnapshot['pods']): EntityRef[] {
  const pod = pods[0];
  const namespace = pod?.metadata?.namespace;
  if (!pod || !namespace) return [];
  const { owner } = customControllerOf(snapshot, pod);
  if (!owner) return [];
  const object = snapshot.customObjects.find(
    (o) => o.kind === owner.kind && o.metadata?.namespace === namespace && o.metadata?.name === owner.name,
  );
  const names = new Set(
    secretNamesIn(withoutPullSecrets(object?.spec))
      .sort((a, b) => a.rank - b.rank)
      .map((s) => s.name),
  );
  return [...names].map((name) => ({ kind: 'Secret', namespace, name }));
}

/** The spec without its registry-login fields (`imagePullSecrets`). */
function withoutPullSecrets(spec: unknown, depth = 0): unknown {
  if (!spec || typeof spec !== 'object' || depth > 8) return spec;
  if (Array.isArray(spec)) return spec.map((item) => withoutPullSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(spec as Record<string, unknown>)
      .filter(([key]) => !PULL_FIELD.test(key))
      .map(([key, value]) => [key, withoutPullSecrets(value, depth + 1)]),
  );
}

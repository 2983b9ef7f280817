import { builtInGroup, type CustomObject } from './custom-object.ts';
import { specStrings } from './governing-resources.ts';
import { looksLikeError } from './log-line.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type ServiceAccount = ClusterSnapshot['serviceAccounts'][number];

/**
 * A call to a cloud or identity provider refused because of who the caller is, as providers and their SDKs word it:
 * a token exchange the identity provider turns down (Entra's AADSTS codes, an OAuth client it does not know, a
 * federated or web identity it cannot match), or a principal it knows that lacks the permission asked for (a 403 with
 * "permission", AccessDenied, NOT_AUTHORIZED). A bare 403 or "access denied" is left out: a mesh or an application
 * answers those on rules of its own (governing-resources.ts), not on the caller's cloud identity.
 */
const IDENTITY_REFUSAL =
  /AADSTS\d{4,}|unauthorized_client|invalid_client|federated identity|web ?identity|WorkloadIdentityCredential|ManagedIdentityCredential|identity not found|does not have (?:the )?(?:required )?permission|missing permission|PERMISSION_DENIED|PermissionDenied|AccessDenied|is not authori[sz]ed to perform|AuthorizationFailed|NOT_AUTHORIZED|Not authori[sz]ed to access|Error 403\b|iam\.serviceAccounts\.\w+|InvalidIdentityToken|AssumeRole\w*/i;

/**
 * The refusals of the exchange itself: the provider does not let the account act as the principal it names (no such
 * application or identity, no federated record or trust for the account's token) — not a principal it knows that
 * lacks a permission. The account's annotation is the one link of that exchange the cluster holds.
 */
export const EXCHANGE_REFUSAL =
  /AADSTS(?:700016|700213|70021|700024|7000215|90002)\b|unauthorized_client|invalid_client|federated identity record|identity not found|InvalidIdentityToken|AssumeRoleWithWebIdentity|iam\.serviceAccounts\.getAccessToken|Unable to generate (?:an )?access token/i;

/** Whether a log line says a call was refused for the caller's identity (and is an error, not a success logged). */
export const refusedForIdentity = (text: string): boolean => IDENTITY_REFUSAL.test(text) && looksLikeError(text);

/**
 * An annotation key that names whom a ServiceAccount's pods act as outside the cluster: its domain-qualified name
 * speaks of a client, an account, a role, a principal or an identity (`…/client-id`, `…/gcp-service-account`,
 * `…/role-arn`). A tenant or an audience is where the identity lives, shared by every account: not whom it names.
 */
function identityKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  return slash > 0 && /client|account|role|arn|principal|identity|email/i.test(name) && !/tenant|audience/i.test(name);
}

/** Values shaped like a cloud principal: an account's e-mail, an ARN, a GUID client id, a resource path of one. */
const PRINCIPAL_VALUE = [
  /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/,
  /^arn:[\w-]+:[\w-]+::\d*:\S+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /\/serviceAccounts\/\S+|\/userAssignedIdentities\/\S+/i,
];

export interface Principal {
  /** The annotation that names it. */
  key: string;
  value: string;
}

/** The cloud principals a ServiceAccount's annotations name: whom its pods act as. */
export function principalsOf(account: ServiceAccount | undefined): Principal[] {
  return Object.entries(account?.metadata?.annotations ?? {})
    .filter(([key, value]) => identityKey(key) && PRINCIPAL_VALUE.some((shape) => shape.test(value.trim())))
    .map(([key, value]) => ({ key, value: value.trim() }));
}

/** The ServiceAccount a pod runs as. */
export const accountOf = (pod: Pod): string => pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? 'default';

/**
 * How a binding names a ServiceAccount of the cluster as a subject: the token's subject
 * (`system:serviceaccount:ns:name`, trusted by a federated credential or a role's trust policy) or a workload
 * identity pool's member (`…[ns/name]`).
 */
function namesSubject(text: string, namespace: string, name: string): boolean {
  return text.includes(`system:serviceaccount:${namespace}:${name}`) || text.includes(`[${namespace}/${name}]`);
}

/** Whether a custom object's spec names the principal or the ServiceAccount as its subject. */
export function bindsIdentity(
  object: CustomObject,
  principals: readonly Principal[],
  account: ServiceAccount,
): boolean {
  const namespace = account.metadata?.namespace ?? '';
  const name = account.metadata?.name ?? '';
  return specStrings(object.spec).some(
    (text) => principals.some((p) => text.includes(p.value)) || namesSubject(text, namespace, name),
  );
}

/**
 * The custom kinds that can grant a cloud identity its access or let an account act as it: kinds of a group or name
 * that speaks of identity or access management, named like a grant (`…Member`, `…Binding`, `…Credential`,
 * `…Assignment`), then like a policy, then any other of such a group (a role whose trust policy names the subject).
 * The grants first; at most `max`.
 */
export function bindingKinds(
  groups: readonly ServedGroup[],
  max: number,
): { group: string; version: string; plural: string; kind: string }[] {
  const rankOf = (kind: string): number =>
    /(?:Member|Binding|Credential|Assignment|Grant)$/.test(kind) ? 0 : /Policy$/.test(kind) ? 1 : 2;
  return groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => IDENTITY_GROUP.test(group) || IDENTITY_KIND.test(r.kind))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, rank: rankOf(r.kind) })),
    )
    .filter(({ rank, kind }) => rank < 2 || /Role$/.test(kind))
    .sort((a, b) => a.rank - b.rank)
    .slice(0, max)
    .map(({ rank: _rank, ...kind }) => kind);
}

/** Whether an object read is of a kind that grants identities (bindingKinds'). */
export function identityKind(object: CustomObject): boolean {
  const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] as string) : '';
  return !builtInGroup(group) && (IDENTITY_GROUP.test(`${group}.`) || IDENTITY_KIND.test(object.kind));
}

/** A group of identity and access management (`iam.…`, `…identity….`). */
const IDENTITY_GROUP = /(?:^|\.)(?:iam|[a-z]*identity)\./i;
/** A kind whose name says it grants an identity (`FederatedIdentityCredential`, `IAMPolicyMember`). */
const IDENTITY_KIND = /^IAM|Identity(?:Credential|Binding)|RoleAssignment$/;

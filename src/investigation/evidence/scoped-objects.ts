import { type CustomObject, servedCustomKinds } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { looksLikeError } from './log-line.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { workloadsOf } from './workloads.ts';

/**
 * Software injected beside an application (a sidecar runtime, an agent) loads the objects it is configured with from
 * custom resources of its own API group, and such an object may list the applications allowed to load it (its scopes,
 * its consumers): an application left off that list is told the object does not exist, though it does. The
 * application's settings name the object, its errors say it is not found, and its pods carry the annotations of that
 * group (`<group>/app-id: …`): the group's kinds in the namespace hold the object, and its list leaves the caller out.
 */

type Pod = ClusterSnapshot['pods'][number];

/** An error saying a named thing is missing: `pubsub orders not found`, `no such binding "mail-out"`, `unknown store`. */
const NOT_FOUND = /\bnot (?:found|configured|registered|loaded)\b|\bno such\b|\bunknown\b|\bdoes not exist\b/i;

/** Names a workload's containers are configured with (env values shaped like an object's name), by workload. */
function configuredValues(snapshot: ClusterSnapshot, namespace: string): Map<string, Set<string>> {
  const byWorkload = new Map<string, Set<string>>();
  for (const workload of workloadsOf(snapshot).filter((w) => w.ref.namespace === namespace)) {
    const values = (workload.template?.spec?.containers ?? []).flatMap((c) =>
      (c.env ?? []).map((e) => e.value ?? '').filter((v) => /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/.test(v)),
    );
    if (values.length > 0) byWorkload.set(workload.ref.name, new Set(values));
  }
  return byWorkload;
}

/** Error lines of the namespace that say a name a workload is configured with is not found, with that name. */
export function missingConfiguredNames(
  snapshot: ClusterSnapshot,
  namespace: string,
): { name: string; line: string; pod: string }[] {
  const values = [...configuredValues(snapshot, namespace).values()].flatMap((set) => [...set]);
  if (values.length === 0) return [];
  return snapshot.logs
    .filter((log) => log.namespace === namespace)
    .flatMap((log) =>
      log.lines
        .filter((line) => looksLikeError(line) && NOT_FOUND.test(line))
        .flatMap((line) => values.filter((name) => line.includes(name)).map((name) => ({ name, line, pod: log.pod }))),
    );
}

/** The extension groups whose annotations the pods of the namespace carry. */
function annotatingGroups(pods: readonly Pod[]): Set<string> {
  return new Set(
    pods.flatMap((pod) =>
      Object.keys(pod.metadata?.annotations ?? {}).flatMap((key) =>
        key.includes('/') ? [key.split('/')[0] as string] : [],
      ),
    ),
  );
}

/** Kinds of the annotating group listed, at most. */
const MAX_SCOPED_KINDS = 2;

/**
 * Errors of the namespace say a name its workloads are configured with is not found, and its pods carry annotations
 * of an extension group the cluster serves: that group's namespaced kinds, in the namespace.
 */
export function scopedObjectLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const missing = missingConfiguredNames(snapshot, namespace);
  if (missing.length === 0) return [];
  const groups = annotatingGroups(snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace));
  return servedCustomKinds(snapshot.apiGroups, (r, group) => r.namespaced && groups.has(group))
    .slice(0, MAX_SCOPED_KINDS)
    .map(({ group, version, plural, kind }) => ({
      resource: { group, version, plural, kind },
      namespace,
      why: `errors say ${missing[0]?.name}, which a workload is configured with, is not found, and the pods carry ${group}'s annotations: whether a ${kind} of that name exists and whom it serves`,
      relevance: 3,
    }));
}

/** Every list of names an object holds outside its metadata and status (a spec's, or a top-level `scopes`). */
export function nameLists(object: CustomObject): { path: string; names: string[] }[] {
  const found: { path: string; names: string[] }[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      if (value.length > 0 && value.every((v) => typeof v === 'string')) found.push({ path, names: value as string[] });
      else for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
  };
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object as Record<string, unknown>;
  walk(rest, '');
  return found;
}

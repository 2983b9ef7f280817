import { asRecord, type CustomObject, servedCustomKinds } from './custom-object.ts';
import type { CustomOwnerRead } from './custom-owners.ts';
import { changedBeforeOnset, CHANGE_WINDOW, type Onset } from './onset.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange, toMs } from './time.ts';

/**
 * Not every operator marks what it generates with ownerReferences: some write a StatefulSet or Deployment of their own
 * naming and copy a field of their resource into it verbatim (an address into an env variable). The resource is then
 * found by what the cluster says of both: the generated workload's name or labels carry the resource's kind as a word
 * (`broker-0-master`, `app: broker`), and its image comes from the software whose API group serves that kind. Once
 * read, a resource whose spec holds, word for word, the value the workload runs with, and that changed shortly before
 * the workload did, is where the value is set.
 */

type Workload = ClusterSnapshot['statefulSets'][number] | ClusterSnapshot['deployments'][number];

/** Lower-case words of a text (`apacherocketmq/rocketmq-broker:5.3.1` → apacherocketmq, rocketmq, broker, 5, 3, 1). */
const wordsOf = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3);

/** Words of the images a workload's template runs, the registry host and tag left out. */
function imageWords(workload: Workload): Set<string> {
  const images = (workload.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '');
  return new Set(
    images.flatMap((image) => {
      const path = image.replace(/[:@].*$/, '').split('/');
      const repo = path.length > 1 && /[.:]/.test(path[0] ?? '') ? path.slice(1) : path;
      return wordsOf(repo.join('/'));
    }),
  );
}

/** Workloads nobody owns (no controller ownerReference) that changed shortly before the onset. */
function unownedRecentlyChanged(snapshot: ClusterSnapshot, onset: Onset): Workload[] {
  return [...snapshot.statefulSets, ...snapshot.deployments].filter(
    (workload) =>
      !(workload.metadata?.ownerReferences ?? []).some((o) => o.controller) &&
      changedBeforeOnset(lastChange(workload.metadata), onset, CHANGE_WINDOW) &&
      (toMs(lastChange(workload.metadata)) ?? 0) > (toMs(workload.metadata?.creationTimestamp) ?? 0),
  );
}

/** Kinds read for copied settings, at most. */
const MAX_COPY_SOURCE_LISTS = 1;

/**
 * The namespaced custom kinds, not read yet, that may be the resource an unowned workload changed shortly before was
 * written from: served by a group that shares a word with the workload's image, and named by a word of the workload's
 * name or label values.
 */
export function copySourceKinds(snapshot: ClusterSnapshot, onset: Onset): CustomOwnerRead[] {
  const reads = new Map<string, CustomOwnerRead>();
  for (const workload of unownedRecentlyChanged(snapshot, onset)) {
    const namespace = workload.metadata?.namespace ?? '';
    const images = imageWords(workload);
    const named = new Set([
      ...wordsOf(workload.metadata?.name ?? ''),
      ...Object.values(workload.metadata?.labels ?? {}).flatMap(wordsOf),
    ]);
    const kinds = servedCustomKinds(
      snapshot.apiGroups,
      (resource, group) =>
        resource.namespaced !== false &&
        named.has(resource.kind.toLowerCase()) &&
        wordsOf(group).some((word) => images.has(word)),
    );
    for (const kind of kinds) {
      if (snapshot.customObjects.some((o) => o.kind === kind.kind && o.metadata?.namespace === namespace)) continue;
      const key = `${namespace}/${kind.group}/${kind.kind}`;
      reads.set(key, { group: kind.group, version: kind.version, plural: kind.plural, kind: kind.kind, namespace });
    }
  }
  return [...reads.values()].slice(0, MAX_COPY_SOURCE_LISTS);
}

/** The string leaves of a spec outside environment lists (an `env` list is a template's, not a setting's), by path. */
function settingLeaves(value: unknown, path: string, out: { path: string; value: string }[]): void {
  if (typeof value === 'string') out.push({ path, value });
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) settingLeaves(item, `${path}[${i}]`, out);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(asRecord(value)))
      if (key !== 'env') settingLeaves(inner, `${path}.${key}`, out);
}

/** Values shorter than this match by chance (`true`, `info`, a port alone). */
const SHORTEST_COPIED = 8;

/**
 * The custom resource of the workload's namespace whose spec holds one of `values` word for word, outside an env list,
 * and that changed no later than the workload and shortly before it: the workload was written from it.
 */
export function copiedFrom(
  snapshot: ClusterSnapshot,
  workload: { kind: string; namespace?: string; name: string },
  values: string[],
): { object: CustomObject; path: string; value: string } | undefined {
  const object = [...snapshot.statefulSets, ...snapshot.deployments].find(
    (w) => w.metadata?.namespace === workload.namespace && w.metadata?.name === workload.name,
  );
  const workloadChanged = toMs(lastChange(object?.metadata));
  if (!object || workloadChanged === undefined || (object.metadata?.ownerReferences ?? []).some((o) => o.controller))
    return undefined;
  const wanted = new Set(values.filter((v) => v.length >= SHORTEST_COPIED));
  for (const candidate of snapshot.customObjects) {
    if (candidate.metadata?.namespace !== workload.namespace) continue;
    const changed = toMs(lastChange(candidate.metadata));
    const made = toMs(candidate.metadata?.creationTimestamp);
    if (changed === undefined || made === undefined || changed <= made) continue;
    if (changed > workloadChanged || changed < workloadChanged - CHANGE_WINDOW) continue;
    const leaves: { path: string; value: string }[] = [];
    settingLeaves(candidate.spec, 'spec', leaves);
    const leaf = leaves.find((l) => wanted.has(l.value));
    if (leaf) return { object: candidate, path: leaf.path, value: leaf.value };
  }
  return undefined;
}

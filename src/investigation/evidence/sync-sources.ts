import type { V1ObjectMeta } from '@kubernetes/client-node';
import { type CustomObject, servedCustomKinds } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot, Plain } from './snapshot.ts';
import { lastChange, toMs } from './time.ts';
import { CHANGE_WINDOW, changedBeforeOnset, type Onset } from './onset.ts';
import { type Workload, workloadsOf } from './workloads.ts';

/**
 * A workload applied by a continuous-delivery tool is marked by it: a label or annotation in the tool's API group
 * (`<group>/manager`, `<group>/name`, a tracking id) whose value names the sync object that applied it (the object that
 * says which source, at which revision, the cluster follows). When that object's source revision was edited shortly
 * before the workload changed, the change came from there: the tool applied what the pinned revision holds. Found
 * through the workload's own marks and discovery, never by a tool's name.
 */

/** The words of a mark's value that can be an object's name (`:root_main-sync` → `root`, `main-sync`). */
const valueNames = (value: string): string[] =>
  value
    .toLowerCase()
    .split(/[^a-z0-9.-]+/)
    .filter(Boolean);

/** Whether a label or annotation domain is (a subdomain of) an extension group. */
const domainOfGroup = (domain: string, group: string): boolean => domain === group || domain.endsWith(`.${group}`);

/** A workload's marks: its label and annotation keys with a domain, and their values. */
function marks(metadata: Plain<V1ObjectMeta> | undefined): { domain: string; value: string }[] {
  return Object.entries({ ...(metadata?.labels ?? {}), ...(metadata?.annotations ?? {}) }).flatMap(([key, value]) =>
    key.includes('/') ? [{ domain: key.split('/')[0] as string, value }] : [],
  );
}

/** The served extension groups a workload's marks are spelled in. */
function markingGroups(groups: readonly ServedGroup[], workload: Workload): string[] {
  const domains = marks(workload.metadata).map((mark) => mark.domain);
  return [...new Set(groups.map(({ group }) => group).filter((g) => domains.some((d) => domainOfGroup(d, g))))];
}

/** Kinds of sync tools listed, at most. */
const MAX_SYNC_KINDS = 2;

/** A kind whose words the marks' values hold comes first (`RootSync` of `:root_root-sync`). */
const kindSaid = (kind: string, values: readonly string[]): boolean =>
  kind
    .split(/(?<=[a-z0-9])(?=[A-Z])/)
    .every((word) => values.some((value) => value.toLowerCase().includes(word.toLowerCase())));

/**
 * Workloads changed shortly before the onset that a tool's API group marks: that group's kinds, cluster-wide (a tool keeps its
 * sync objects in its own namespace), those whose words the marks' values hold first.
 */
export function syncSourceLists(snapshot: ClusterSnapshot, onset: Onset): WantedList[] {
  const changed = workloadsOf(snapshot).filter((w) => changedBeforeOnset(lastChange(w.metadata), onset, CHANGE_WINDOW));
  const wanted = changed.flatMap((workload) => {
    const values = marks(workload.metadata).map((mark) => mark.value);
    return servedCustomKinds(snapshot.apiGroups, (_, group) =>
      markingGroups(snapshot.apiGroups, workload).includes(group),
    )
      .sort((a, b) => Number(kindSaid(b.kind, values)) - Number(kindSaid(a.kind, values)))
      .map(({ group, version, plural, kind }) => ({
        resource: { group, version, plural, kind },
        why: `${workload.ref.kind} ${workload.ref.name} changed shortly before the symptom and is marked by ${group}: which ${kind} applied it, and from which revision`,
        relevance: 2,
      }));
  });
  return wanted.slice(0, MAX_SYNC_KINDS);
}

/** The sync objects read that a workload's marks name: of a marking group, their name a word of a mark's value. */
export function syncObjectsOf(snapshot: ClusterSnapshot, workload: Workload): CustomObject[] {
  const markings = marks(workload.metadata);
  return snapshot.customObjects.filter((object) => {
    const group = object.apiVersion.split('/')[0] ?? '';
    const name = object.metadata?.name ?? '';
    return markings.some((mark) => domainOfGroup(mark.domain, group) && valueNames(mark.value).includes(name));
  });
}

/** A field that selects which revision of a source is followed (a revision, a tag, a branch, a ref, a commit). */
const SOURCE_REVISION = /^f:(?:revision|targetRevision|ref|tag|branch|commit|semver)$/i;

/** The revision fields an edit at `at` wrote (any depth of its managedFields entry), as dotted paths. */
export function revisionFieldsAt(metadata: Plain<V1ObjectMeta> | undefined, at: string): string[] {
  const when = toMs(at);
  const found: string[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (!key.startsWith('f:')) continue;
      const here = [...path, key.slice(2)];
      if (SOURCE_REVISION.test(key)) found.push(here.join('.'));
      walk(inner, here);
    }
  };
  for (const entry of metadata?.managedFields ?? [])
    if (entry.subresource !== 'status' && toMs(entry.time) === when) walk(entry.fieldsV1, []);
  return found;
}

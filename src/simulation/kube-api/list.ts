import { apiVersionOf, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, continueExpired } from './status.ts';
import type { ObjectStore, StoredObject } from './store.ts';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: string;
  continue?: string;
  resourceVersion?: string;
}

const keyOf = (stored: StoredObject) => `${stored.object.metadata.namespace ?? ''}/${stored.object.metadata.name}`;

interface ContinueToken {
  /** The resourceVersion the list was first read at: every page answers the objects as they were then. */
  rv: string;
  /** The last key the previous page returned. */
  after: string;
}

/** Opaque to clients, like the real server's: where the next page starts, and at which resourceVersion. */
const encodeContinue = (token: ContinueToken) =>
  Buffer.from(JSON.stringify({ v: 'sim/1', ...token })).toString('base64url');

function decodeContinue(token: string): ContinueToken {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (decoded.v === 'sim/1' && typeof decoded.after === 'string' && typeof decoded.rv === 'string') {
      return { rv: decoded.rv, after: decoded.after };
    }
  } catch {
    // Falls through to the real server's answer for a token it did not issue.
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** How many paged lists keep their snapshot for the next page; older ones answer 410, as after an etcd compaction. */
const RETAINED_LISTS = 64;

/**
 * What etcd's MVCC gives a paged list in Kubernetes: every page of one list answers the objects as they were at its
 * first page's resourceVersion. The selection of a list that has more pages is kept (object references, not copies)
 * until `compact()` or until newer lists push it out; a continue token whose list is gone answers 410 Expired.
 */
export class ListSnapshots {
  private readonly kept = new Map<string, { rv: number; items: StoredObject[] }>();
  private compactedBelow = 0;

  keep(key: string, rv: string, items: StoredObject[]): void {
    this.kept.set(`${rv}|${key}`, { rv: Number(rv), items: items.slice() });
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= RETAINED_LISTS) break;
      this.kept.delete(oldest);
    }
  }

  /** The list as it was at `rv`; undefined when that revision is compacted or no longer kept. */
  at(key: string, rv: string): StoredObject[] | undefined {
    if (Number(rv) < this.compactedBelow) return undefined;
    return this.kept.get(`${rv}|${key}`)?.items;
  }

  /** Forgets every revision before `rv`, as etcd's compaction does (Kubernetes runs it every five minutes). */
  compact(rv: string): void {
    this.compactedBelow = Number(rv);
    for (const [key, entry] of this.kept) if (entry.rv < this.compactedBelow) this.kept.delete(key);
  }
}

/** The selected objects of one namespace (or all), selectors applied. */
export function select(
  store: ObjectStore,
  resource: ResourceType,
  namespace: string | undefined,
  query: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>,
): StoredObject[] {
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector, resource);
  const all = store.list(resource, namespace);
  if (!labels && !fields) return all;
  return all.filter((stored) => (!labels || labels(stored.object)) && (!fields || fields(stored.object)));
}

/**
 * One page of a list: the selected objects after `continue`, at most `limit`, and the list metadata. Every page of a
 * list is read at its first page's resourceVersion; a token whose snapshot is gone answers 410 Expired with a token that
 * continues over the objects as they are now.
 */
export function page(
  store: ObjectStore,
  snapshots: ListSnapshots,
  resource: ResourceType,
  namespace: string | undefined,
  query: ListQuery,
): { items: StoredObject[]; metadata: Record<string, unknown> } {
  if (query.continue && query.resourceVersion) {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  // resourceVersion=0 asks for any version, which the server answers from its watch cache: whole, `limit` ignored
  // (the cache pages nothing, up to Kubernetes 1.33; the simulator says it is 1.31).
  const limit = query.limit === undefined || query.resourceVersion === '0' ? 0 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: "${query.limit}"`);
  const key = [
    resource.group,
    resource.plural,
    namespace ?? '',
    query.labelSelector ?? '',
    query.fieldSelector ?? '',
  ].join('|');
  let resourceVersion = store.resourceVersion();
  let items: StoredObject[];
  if (query.continue) {
    const token = decodeContinue(query.continue);
    const kept = token.rv === resourceVersion ? select(store, resource, namespace, query) : snapshots.at(key, token.rv);
    if (!kept) {
      const now = select(store, resource, namespace, query);
      const rest = now.some((stored) => keyOf(stored) > token.after);
      throw continueExpired(rest ? encodeContinue({ rv: resourceVersion, after: token.after }) : undefined);
    }
    resourceVersion = token.rv;
    const start = kept.findIndex((stored) => keyOf(stored) > token.after);
    items = start < 0 ? [] : kept.slice(start);
  } else {
    items = select(store, resource, namespace, query);
  }
  const metadata: Record<string, unknown> = { resourceVersion };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1]!;
    metadata.continue = encodeContinue({ rv: resourceVersion, after: keyOf(last) });
    if (!query.labelSelector && !query.fieldSelector) metadata.remainingItemCount = items.length - limit;
    if (!query.continue) snapshots.keep(key, resourceVersion, items);
    items = items.slice(0, limit);
  }
  return { items, metadata };
}

/**
 * The list as PartialObjectMetadataList (the Accept header's `as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`): each
 * item its kind and metadata only, paged like the full list. What a client asks for when names, labels, owners and
 * timestamps are all it needs.
 */
export function metadataListResponse(
  store: ObjectStore,
  snapshots: ListSnapshots,
  resource: ResourceType,
  namespace: string | undefined,
  query: ListQuery,
): Record<string, unknown> {
  const { items, metadata } = page(store, snapshots, resource, namespace, query);
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    items: items.map((stored) => partialObjectMetadata(stored.object)),
  };
}

export const partialObjectMetadata = (object: StoredObject['object']) => ({
  kind: 'PartialObjectMetadata',
  apiVersion: 'meta.k8s.io/v1',
  metadata: object.metadata,
});

/** The `<Kind>List` JSON, assembled from each object's cached JSON so that a list never re-serialises the store. */
export function listResponse(
  store: ObjectStore,
  snapshots: ListSnapshots,
  resource: ResourceType,
  version: string,
  namespace: string | undefined,
  query: ListQuery,
): string {
  const { items, metadata } = page(store, snapshots, resource, namespace, query);
  const head = JSON.stringify({
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource.group, version),
    metadata,
  });
  return `${head.slice(0, -1)},"items":[${items.map((stored) => stored.json).join(',')}]}`;
}

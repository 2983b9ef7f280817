import { apiVersionOf, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest } from './status.ts';
import type { ObjectStore, StoredObject } from './store.ts';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: string;
  continue?: string;
}

const keyOf = (stored: StoredObject) => `${stored.object.metadata.namespace ?? ''}/${stored.object.metadata.name}`;

/** Opaque to clients, like the real server's: where the next page starts. */
const encodeContinue = (resourceVersion: string, after: string) =>
  Buffer.from(JSON.stringify({ v: 'sim/1', rv: resourceVersion, after })).toString('base64url');

function decodeContinue(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; after?: unknown };
    if (decoded.v === 'sim/1' && typeof decoded.after === 'string') return decoded.after;
  } catch {
    // Falls through to the real server's answer for a token it did not issue.
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
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

/** One page of a list: the selected objects after `continue`, at most `limit`, and the list metadata. */
export function page(
  store: ObjectStore,
  resource: ResourceType,
  namespace: string | undefined,
  query: ListQuery,
): { items: StoredObject[]; metadata: Record<string, unknown> } {
  let items = select(store, resource, namespace, query);
  if (query.continue) {
    const after = decodeContinue(query.continue);
    const start = items.findIndex((stored) => keyOf(stored) > after);
    items = start < 0 ? [] : items.slice(start);
  }
  const limit = query.limit === undefined ? 0 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: "${query.limit}"`);
  const resourceVersion = store.resourceVersion();
  const metadata: Record<string, unknown> = { resourceVersion };
  if (limit > 0 && items.length > limit) {
    metadata.continue = encodeContinue(resourceVersion, keyOf(items[limit - 1]!));
    if (!query.labelSelector && !query.fieldSelector) metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  return { items, metadata };
}

/** The `<Kind>List` JSON, assembled from each object's cached JSON so that a list never re-serialises the store. */
export function listResponse(
  store: ObjectStore,
  resource: ResourceType,
  version: string,
  namespace: string | undefined,
  query: ListQuery,
): string {
  const { items, metadata } = page(store, resource, namespace, query);
  const head = JSON.stringify({
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource.group, version),
    metadata,
  });
  return `${head.slice(0, -1)},"items":[${items.map((stored) => stored.json).join(',')}]}`;
}

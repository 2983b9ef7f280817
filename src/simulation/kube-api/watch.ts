import type { ServerResponse } from 'node:http';
import { select } from './list.ts';
import type { ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { ObjectStore, StoreEvent, StoredObject } from './store.ts';

export interface WatchRequest {
  resource: ResourceType;
  namespace: string | undefined;
  query: Record<string, string>;
}

/**
 * Streams watch events (`{"type":"ADDED","object":{…}}` lines) for one resource, as `?watch=true` does on the real
 * server: without a resourceVersion (or with "0") the current objects first, as ADDED; then every change until
 * `timeoutSeconds` or the client goes. Selectors are checked up front, so a bad one is still a 400 Status.
 */
export function prepareWatch(store: ObjectStore, request: WatchRequest): (response: ServerResponse) => void {
  const { resource, namespace, query } = request;
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector, resource);
  const initial =
    !query.resourceVersion || query.resourceVersion === '0' ? select(store, resource, namespace, query) : [];
  const matches = (stored: StoredObject) =>
    (namespace === undefined || stored.object.metadata.namespace === namespace) &&
    (!labels || labels(stored.object)) &&
    (!fields || fields(stored.object));
  return (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const write = (type: string, stored: StoredObject) =>
      response.write(`{"type":"${type}","object":${stored.json}}\n`);
    for (const stored of initial) write('ADDED', stored);
    const stop = store.subscribe((event: StoreEvent) => {
      if (event.resource === resource && matches(event.stored)) write(event.type, event.stored);
    });
    const timeout = Number(query.timeoutSeconds);
    const timer =
      Number.isFinite(timeout) && timeout > 0 ? setTimeout(() => response.end(), timeout * 1000) : undefined;
    response.on('close', () => {
      stop();
      if (timer) clearTimeout(timer);
    });
  };
}

import { randomUUID } from 'node:crypto';
import { mirroredEvent } from './events.ts';
import type { KubeObject } from './object.ts';
import { ResourceTable, type ResourceType } from './resources.ts';

/** A stored object and, once asked for, its JSON (kept until the object changes, so reads never re-serialise). */
export class StoredObject {
  private cachedJson: string | undefined;
  constructor(readonly object: KubeObject) {}
  get json(): string {
    this.cachedJson ??= JSON.stringify(this.object);
    return this.cachedJson;
  }
}

type Namespaces = Map<string, Map<string, StoredObject>>;

/** One change after start-up, as a watch reports it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceType;
  stored: StoredObject;
}

/**
 * The in-memory etcd of the simulated API server: objects indexed by resource, then namespace ('' when
 * cluster-scoped), then name, so that a namespaced list touches one namespace only. Lists come out in
 * namespace/name order, as etcd's key order gives them.
 */
export class ObjectStore {
  readonly resources: ResourceTable;
  private readonly buckets = new Map<ResourceType, Namespaces>();
  private readonly sorted = new Map<Map<string, StoredObject>, StoredObject[]>();
  private readonly sortedNamespaces = new Map<ResourceType, string[]>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  /** The objects as the scenario gave them, by resource and namespace/name. */
  private readonly originals = new Map<ResourceType, Map<string, KubeObject>>();
  private counter: number;

  constructor(objects: readonly KubeObject[]) {
    this.resources = new ResourceTable(objects);
    const versions = objects.map((object) => Number(object.metadata.resourceVersion)).filter(Number.isInteger);
    this.counter = Math.max(1000, ...versions);
    for (const original of objects) {
      for (const object of [original, mirroredEvent(original)]) {
        if (!object) continue;
        const resource = this.resources.forObject(object.apiVersion, object.kind)!;
        // A shallow copy: stored objects are never mutated in place (writes store new ones), so the scenario's
        // nested fields can be shared instead of doubling the memory of a large cluster.
        const metadata = {
          ...object.metadata,
          uid: object.metadata.uid ?? randomUUID(),
          resourceVersion: object.metadata.resourceVersion ?? this.nextResourceVersion(),
        };
        const stored = this.insert(resource, { ...object, metadata });
        if (!this.originals.has(resource)) this.originals.set(resource, new Map());
        this.originals.get(resource)!.set(`${metadata.namespace ?? ''}/${metadata.name}`, stored.object);
      }
    }
  }

  /** The resourceVersion of the latest write, as lists report it. */
  resourceVersion(): string {
    return String(this.counter);
  }

  nextResourceVersion(): string {
    this.counter += 1;
    return String(this.counter);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.buckets
      .get(resource)
      ?.get(resource.namespaced ? (namespace ?? '') : '')
      ?.get(name);
  }

  /** Objects of a resource in one namespace, or in all when `namespace` is undefined; namespace/name order. */
  list(resource: ResourceType, namespace?: string): StoredObject[] {
    const namespaces = this.buckets.get(resource);
    if (!namespaces) return [];
    if (namespace !== undefined && resource.namespaced) return this.sortedIn(namespaces.get(namespace));
    let order = this.sortedNamespaces.get(resource);
    if (!order) {
      order = [...namespaces.keys()].sort();
      this.sortedNamespaces.set(resource, order);
    }
    return order.flatMap((name) => this.sortedIn(namespaces.get(name)));
  }

  /** Stores the object as given (the caller has set resourceVersion and the rest of its metadata). */
  put(resource: ResourceType, object: KubeObject): StoredObject {
    const existed = this.get(resource, object.metadata.namespace, object.metadata.name) !== undefined;
    const stored = this.insert(resource, object);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', resource, stored });
    return stored;
  }

  /** The object as the scenario gave it, if it was there from the start. */
  original(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.originals.get(resource)?.get(`${resource.namespaced ? (namespace ?? '') : ''}/${name}`);
  }

  /** Calls the listener for every later change; returns the function that stops it. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const bucket = this.buckets.get(resource)?.get(resource.namespaced ? (namespace ?? '') : '');
    const stored = bucket?.get(name);
    if (!bucket || !stored) return undefined;
    bucket.delete(name);
    this.sorted.delete(bucket);
    this.emit({ type: 'DELETED', resource, stored });
    return stored;
  }

  private insert(resource: ResourceType, object: KubeObject): StoredObject {
    const namespace = resource.namespaced ? (object.metadata.namespace ?? 'default') : '';
    if (resource.namespaced) object.metadata.namespace = namespace;
    let namespaces = this.buckets.get(resource);
    if (!namespaces) {
      namespaces = new Map();
      this.buckets.set(resource, namespaces);
    }
    let bucket = namespaces.get(namespace);
    if (!bucket) {
      bucket = new Map();
      namespaces.set(namespace, bucket);
      this.sortedNamespaces.delete(resource);
    }
    const stored = new StoredObject(object);
    if (!bucket.has(object.metadata.name)) this.sorted.delete(bucket);
    else {
      const order = this.sorted.get(bucket);
      const index = order?.findIndex((entry) => entry.object.metadata.name === object.metadata.name) ?? -1;
      if (order && index >= 0) order[index] = stored;
    }
    bucket.set(object.metadata.name, stored);
    return stored;
  }

  private sortedIn(bucket: Map<string, StoredObject> | undefined): StoredObject[] {
    if (!bucket) return [];
    let order = this.sorted.get(bucket);
    if (!order) {
      order = [...bucket.keys()].sort().map((name) => bucket.get(name)!);
      this.sorted.set(bucket, order);
    }
    return order;
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { ControllerStore, SimObject, StoreChange } from '../controllers.ts';
import { isRecord, type KubeObject } from './object.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import { scaleOf } from './scale.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  deleted,
  invalid,
  type KubeStatus,
  notFound,
  unprocessable,
  unsupportedMediaType,
} from './status.ts';
import type { ObjectStore, StoredObject } from './store.ts';
import { validate } from './validation.ts';

/** Called after every applied (not dry-run) write, so controllers can react (see src/simulation/controllers.ts). */
export type WriteHook = (store: ControllerStore, change: StoreChange) => void;

export type Part = 'main' | 'status';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Kinds whose DELETE answers the deleted object; the others answer a Success Status (as the real server). */
const RETURNS_DELETED = new Set(['Pod', 'Namespace', 'Service']);

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Everything but metadata and status: what a generation counts changes of. */
function specOf(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

/** The write verbs of the API server over the object store: create, update, patch, delete, scale. */
export class Writes {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => string,
    private readonly onWrite?: WriteHook,
  ) {}

  create(resource: ResourceType, version: string, namespace: string | undefined, body: unknown, dryRun: boolean) {
    const object = this.bodyObject(resource, body, version);
    if (resource.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      object.metadata.namespace = namespace;
      this.requireNamespace(namespace!);
    } else delete object.metadata.namespace;
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    validate(resource, object);
    if (this.store.get(resource, namespace, object.metadata.name)) throw alreadyExists(resource, object.metadata.name);
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = this.now();
    delete object.metadata.deletionTimestamp;
    if ('spec' in object) object.metadata.generation = 1;
    if (dryRun) {
      delete object.metadata.resourceVersion;
      return object;
    }
    object.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(resource, object);
    this.changed(resource, undefined, object);
    return object;
  }

  replace(
    resource: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    part: Part,
    dryRun: boolean,
  ) {
    return this.update(
      resource,
      this.existing(resource, namespace, name),
      this.bodyObject(resource, body, version),
      part,
      dryRun,
    );
  }

  patch(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    contentType: string,
    part: Part,
    dryRun: boolean,
  ) {
    const before = this.existing(resource, namespace, name);
    const patched = this.applyPatch(resource, before.object, patch, contentType);
    if (!isRecord(patched) || !isRecord(patched.metadata)) {
      throw unprocessable('the patched object is not a Kubernetes object');
    }
    return this.update(resource, before, patched as KubeObject, part, dryRun);
  }

  remove(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    dryRun: boolean,
  ): KubeObject | KubeStatus {
    const stored = this.existing(resource, namespace, name);
    const { uid, resourceVersion } = stored.object.metadata;
    const precondition = options.preconditions;
    if (
      (precondition?.uid && precondition.uid !== uid) ||
      (precondition?.resourceVersion && precondition.resourceVersion !== resourceVersion)
    ) {
      throw conflict(resource, name);
    }
    if (!dryRun) {
      this.store.remove(resource, namespace, name);
      if (resource.kind === 'Namespace') this.removeNamespaceContents(name);
      else if (options.propagationPolicy !== 'Orphan') this.collectDependents(namespace, uid);
      this.changed(resource, stored.object, undefined);
    }
    return RETURNS_DELETED.has(resource.kind) && resource.group === '' ? stored.object : deleted(resource, name, uid);
  }

  scale(resource: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return scaleOf(this.existing(resource, namespace, name).object);
  }

  /** PUT …/scale with a Scale, or PATCH …/scale with a patch of one. */
  rescale(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    change: { body: unknown } | { patch: unknown; contentType: string },
    dryRun: boolean,
  ): KubeObject {
    const before = this.existing(resource, namespace, name);
    const current = scaleOf(before.object);
    const scale =
      'body' in change
        ? change.body
        : this.applyPatch(
            resource,
            current,
            change.patch,
            // A Scale is merged like a plain object whichever patch type is sent.
            change.contentType === PATCH_TYPES.strategic ? PATCH_TYPES.merge : change.contentType,
          );
    const replicas = isRecord(scale) && isRecord(scale.spec) ? scale.spec.replicas : undefined;
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw invalid({ ...resource, kind: 'Scale', group: 'autoscaling' }, name, [
        {
          field: 'spec.replicas',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const metadata = isRecord(scale) && isRecord(scale.metadata) ? scale.metadata : {};
    const proposed = structuredClone(before.object);
    proposed.spec = { ...(proposed.spec as object), replicas };
    proposed.metadata.resourceVersion = (metadata.resourceVersion as string | undefined) || undefined;
    return scaleOf(this.update(resource, before, proposed, 'main', dryRun));
  }

  /** Direct access for the controllers' hook: no validation, no hook, fresh resourceVersions. */
  controllerAccess(): ControllerStore {
    const resourceOf = (object: SimObject) =>
      (typeof object.apiVersion === 'string'
        ? this.store.resources.forObject(object.apiVersion, object.kind ?? '')
        : undefined) ?? this.store.resources.forKind(object.kind ?? '');
    return {
      list: (kind, namespace) => {
        const resource = this.store.resources.forKind(kind);
        return resource ? this.store.list(resource, namespace).map((stored) => structuredClone(stored.object)) : [];
      },
      put: (object) => {
        const resource = resourceOf(object);
        if (!resource) return;
        const copy = structuredClone(object) as KubeObject;
        copy.apiVersion ??= apiVersionOf(resource.group, resource.versions[0]!);
        copy.metadata.uid ??= randomUUID();
        copy.metadata.creationTimestamp ??= this.now();
        copy.metadata.resourceVersion = this.store.nextResourceVersion();
        this.store.put(resource, copy);
      },
      remove: (kind, namespace, name) => {
        const resource = this.store.resources.forKind(kind);
        if (resource) this.store.remove(resource, namespace, name);
      },
    };
  }

  private update(resource: ResourceType, before: StoredObject, proposed: KubeObject, part: Part, dryRun: boolean) {
    const old = before.object;
    const name = old.metadata.name;
    if (proposed.metadata.name && proposed.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${proposed.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (resource.namespaced && proposed.metadata.namespace && proposed.metadata.namespace !== old.metadata.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (proposed.metadata.resourceVersion && proposed.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(resource, name);
    }
    let next: KubeObject;
    if (part === 'status') next = { ...structuredClone(old), status: structuredClone(proposed.status) };
    else {
      next = structuredClone(proposed);
      next.apiVersion ||= old.apiVersion;
      next.kind ||= old.kind;
      // The main resource cannot change status where a status subresource exists.
      if (resource.subresources.includes('status')) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
      next.metadata = {
        ...next.metadata,
        name,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
      };
      if (resource.namespaced) next.metadata.namespace = old.metadata.namespace;
      else delete next.metadata.namespace;
      const generation = old.metadata.generation;
      if (generation !== undefined || 'spec' in next) {
        next.metadata.generation = (generation ?? 1) + (same(specOf(old), specOf(next)) ? 0 : 1);
      }
      const original = this.store.original(resource, old.metadata.namespace, name);
      validate(resource, next, original ? [old, original] : [old]);
    }
    if (dryRun) {
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      return next;
    }
    next.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(resource, next);
    this.changed(resource, old, next);
    return next;
  }

  private applyPatch(resource: ResourceType, target: KubeObject, patch: unknown, contentType: string): unknown {
    const accepted = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
    if (resource.builtIn) accepted.push(PATCH_TYPES.strategic);
    try {
      if (contentType === PATCH_TYPES.json) return applyJsonPatch(target, patch);
      if (contentType === PATCH_TYPES.merge) return applyMergePatch(target, patch);
      if (contentType === PATCH_TYPES.strategic && resource.builtIn) return applyStrategicMergePatch(target, patch);
    } catch (error) {
      if (error instanceof PatchError)
        throw unprocessable(`the server rejected our request due to an error in our request: ${error.message}`);
      throw error;
    }
    // Server-side apply is not simulated; the real server answers 415 for what it does not accept either.
    throw unsupportedMediaType(
      contentType,
      accepted.filter((type) => type !== PATCH_TYPES.apply),
    );
  }

  private bodyObject(resource: ResourceType, body: unknown, version: string): KubeObject {
    if (!isRecord(body)) throw badRequest('the body of the request must be a JSON object');
    const object = structuredClone(body) as KubeObject;
    if (object.kind !== undefined && object.kind !== resource.kind) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(resource.group, version)}) or the kind (${object.kind}) does not match ${resource.kind}`,
      );
    }
    object.kind = resource.kind;
    object.apiVersion ||= apiVersionOf(resource.group, version);
    if (!isRecord(object.metadata)) object.metadata = { name: '' };
    return object;
  }

  private existing(resource: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const stored = this.store.get(resource, namespace, name);
    if (!stored) throw notFound(resource, name);
    return stored;
  }

  /** Creating in a namespace that does not exist is a 404, unless the scenario defines no namespaces at all. */
  private requireNamespace(namespace: string): void {
    const namespaces = this.store.resources.forKind('Namespace')!;
    if (this.store.list(namespaces).length > 0 && !this.store.get(namespaces, undefined, namespace)) {
      throw notFound(namespaces, namespace);
    }
  }

  /** The garbage collector: objects controlled by a deleted owner go with it (background propagation). */
  private collectDependents(namespace: string | undefined, ownerUid: string | undefined): void {
    if (!ownerUid || namespace === undefined) return;
    for (const resource of this.store.resources.all()) {
      if (!resource.namespaced) continue;
      for (const stored of [...this.store.list(resource, namespace)]) {
        const owners = stored.object.metadata.ownerReferences as { uid?: string }[] | undefined;
        if (owners?.some((owner) => owner.uid === ownerUid)) {
          this.store.remove(resource, namespace, stored.object.metadata.name);
          this.collectDependents(namespace, stored.object.metadata.uid);
        }
      }
    }
  }

  private removeNamespaceContents(namespace: string): void {
    for (const resource of this.store.resources.all()) {
      if (!resource.namespaced) continue;
      for (const stored of [...this.store.list(resource, namespace)]) {
        this.store.remove(resource, namespace, stored.object.metadata.name);
      }
    }
  }

  private changed(resource: ResourceType, before: KubeObject | undefined, after: KubeObject | undefined): void {
    if (!this.onWrite) return;
    const object = (after ?? before)!;
    this.onWrite(this.controllerAccess(), {
      kind: resource.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      before: before && structuredClone(before),
      after: after && structuredClone(after),
    });
  }
}

import {
  ApiException,
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  Observable,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { REQUEST_TIMEOUT_MS, withTimeout } from '../kube/timeout.ts';
import type { JsonPatchOp } from './json-patch.ts';
import type { KubeObject, ObjectKind, ObjectRef } from './object-kinds.ts';

// What names an object lives apart from the client (./object-kinds.ts), so that reading a plan does not load it.
export { API_VERSIONS, type KubeObject, type ObjectKind, type ObjectRef } from './object-kinds.ts';

export interface WriteOptions {
  dryRun?: boolean;
}

// The typed client returns model instances (Dates, classes); plans, diffs and snapshots work on API JSON.
const plain = (value: unknown): KubeObject => JSON.parse(JSON.stringify(value)) as KubeObject;

const FIELD_MANAGER = 'incident-bot';

/** Call-time options that hand the request `signal` (after the client's own middleware, so its auth stays). */
const abortedBy = (signal: AbortSignal): ConfigurationOptions => ({
  middleware: [
    {
      pre: (context) => {
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    },
  ],
  middlewareMergeStrategy: 'append',
});

const describe = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/**
 * The typed @kubernetes/client-node calls behind one small, kind-keyed interface, so that plan
 * derivation, the executor and verification never branch on the client's per-kind method names.
 */
export class KubeObjects {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly networking: NetworkingV1Api;

  /** `timeoutMs`: how long a read or a write waits for the API server's answer. */
  constructor(
    kubeConfig: KubeConfig,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
  }

  /**
   * The live object, or null when it does not exist. Reads are aborted after the investigation's request timeout
   * (src/kube/timeout.ts): a stuck API server fails the plan's step saying what had no answer, never holds it.
   */
  async read(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      return plain(await this.timed(`get ${describe(ref)}`, (signal) => this.readTyped(ref, abortedBy(signal))));
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return null;
      throw error;
    }
  }

  /**
   * Writes are aborted after the request timeout too. A write that had no answer may still have been applied (the
   * server can commit and then fail to answer): callers treat it as possibly applied (see `outcomeUnknown`).
   */
  async patch(ref: ObjectRef, ops: JsonPatchOp[], options: WriteOptions = {}): Promise<KubeObject> {
    return this.timed(`patch ${describe(ref)}`, async (signal) =>
      plain(await this.patchTyped(ref, ops, options, abortedBy(signal))),
    );
  }

  async remove(ref: ObjectRef, options: WriteOptions = {}): Promise<void> {
    return this.timed(`delete ${describe(ref)}`, (signal) => this.removeTyped(ref, options, abortedBy(signal)));
  }

  async create(ref: ObjectRef, manifest: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    if (ref.kind !== 'NetworkPolicy') throw new Error(`creating ${ref.kind} is not a plan action`);
    const body = manifest as Parameters<NetworkingV1Api['createNamespacedNetworkPolicy']>[0]['body'];
    const request = { namespace: ref.namespace ?? '', body, fieldManager: FIELD_MANAGER, ...dryRun(options) };
    return this.timed(`create ${describe(ref)}`, async (signal) =>
      plain(await this.networking.createNamespacedNetworkPolicy(request, abortedBy(signal))),
    );
  }

  /** The namespace's objects of `kind` (matching `labelSelector`), aborted after the request timeout as `read` is. */
  list(kind: 'Pod' | 'ReplicaSet' | ObjectKind, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
    const what = `list ${kind} in ${namespace}${labelSelector ? ` (${labelSelector})` : ''}`;
    return this.timed(what, (signal) => this.listTyped(kind, namespace, labelSelector, abortedBy(signal)));
  }

  private timed<T>(what: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withTimeout(what, request, this.timeoutMs);
  }

  private async listTyped(
    kind: 'Pod' | 'ReplicaSet' | ObjectKind,
    namespace: string,
    labelSelector: string | undefined,
    options: ConfigurationOptions,
  ): Promise<KubeObject[]> {
    const request = { namespace, ...(labelSelector ? { labelSelector } : {}) };
    switch (kind) {
      case 'Pod':
        return (await this.core.listNamespacedPod(request, options)).items.map(plain);
      case 'ReplicaSet':
        return (await this.apps.listNamespacedReplicaSet(request, options)).items.map(plain);
      case 'Deployment':
        return (await this.apps.listNamespacedDeployment(request, options)).items.map(plain);
      case 'StatefulSet':
        return (await this.apps.listNamespacedStatefulSet(request, options)).items.map(plain);
      case 'DaemonSet':
        return (await this.apps.listNamespacedDaemonSet(request, options)).items.map(plain);
      default:
        throw new Error(`listing ${kind} is not needed by any plan`);
    }
  }

  private patchTyped(
    ref: ObjectRef,
    ops: JsonPatchOp[],
    options: WriteOptions,
    call: ConfigurationOptions,
  ): Promise<unknown> {
    const namespace = ref.namespace ?? '';
    const request = { name: ref.name, namespace, body: ops, fieldManager: FIELD_MANAGER, ...dryRun(options) };
    const headers = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch, call);
    switch (ref.kind) {
      case 'Deployment':
        return this.apps.patchNamespacedDeployment(request, headers);
      case 'StatefulSet':
        return this.apps.patchNamespacedStatefulSet(request, headers);
      case 'DaemonSet':
        return this.apps.patchNamespacedDaemonSet(request, headers);
      case 'ConfigMap':
        return this.core.patchNamespacedConfigMap(request, headers);
      case 'Secret':
        return this.core.patchNamespacedSecret(request, headers);
      case 'Service':
        return this.core.patchNamespacedService(request, headers);
      case 'Node':
        return this.core.patchNode({ name: ref.name, body: ops, ...dryRun(options) }, headers);
      case 'NetworkPolicy':
        return this.networking.patchNamespacedNetworkPolicy(request, headers);
      default:
        throw new Error(`patching ${ref.kind} is not a plan action`);
    }
  }

  private async removeTyped(ref: ObjectRef, options: WriteOptions, call: ConfigurationOptions): Promise<void> {
    const request = { name: ref.name, namespace: ref.namespace ?? '', ...dryRun(options) };
    switch (ref.kind) {
      case 'Pod':
        await this.core.deleteNamespacedPod(request, call);
        return;
      case 'NetworkPolicy':
        await this.networking.deleteNamespacedNetworkPolicy(request, call);
        return;
      default:
        throw new Error(`deleting ${ref.kind} is not a plan action`);
    }
  }

  private readTyped(ref: ObjectRef, options: ConfigurationOptions): Promise<unknown> {
    const request = { name: ref.name, namespace: ref.namespace ?? '' };
    switch (ref.kind) {
      case 'Deployment':
        return this.apps.readNamespacedDeployment(request, options);
      case 'StatefulSet':
        return this.apps.readNamespacedStatefulSet(request, options);
      case 'DaemonSet':
        return this.apps.readNamespacedDaemonSet(request, options);
      case 'ReplicaSet':
        return this.apps.readNamespacedReplicaSet(request, options);
      case 'ConfigMap':
        return this.core.readNamespacedConfigMap(request, options);
      case 'Secret':
        return this.core.readNamespacedSecret(request, options);
      case 'Pod':
        return this.core.readNamespacedPod(request, options);
      case 'Service':
        return this.core.readNamespacedService(request, options);
      case 'Endpoints':
        return this.core.readNamespacedEndpoints(request, options);
      case 'Node':
        return this.core.readNode({ name: ref.name }, options);
      case 'NetworkPolicy':
        return this.networking.readNamespacedNetworkPolicy(request, options);
    }
  }
}

/**
 * Whether a failed write may have been applied all the same: it had no answer (timed out, connection lost) rather
 * than a refusal from the API server, which answers with a status.
 */
export const outcomeUnknown = (error: unknown): boolean => !(error instanceof ApiException);

const dryRun = (options: WriteOptions): { dryRun?: string } => (options.dryRun ? { dryRun: 'All' } : {});

/** `matchLabels` as a label selector string (`a=b,c=d`). */
export const labelSelector = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

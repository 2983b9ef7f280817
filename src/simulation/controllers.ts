import { createHash } from 'node:crypto';
import type { KubeObjectJson } from '../kube/object-json.ts';

/**
 * Just enough of Kubernetes' controllers for remediation to be exercised on a replayed scenario:
 * after a write, the affected workloads' pods are replaced according to the new spec, their
 * ReplicaSets, status and the Services' Endpoints follow, and the new pods are healthy exactly
 * when the cluster no longer carries the scenario's fault.
 *
 * "No longer carries the fault" reads the scenario's groundTruth (the simulation may; the
 * investigation never does) and is deliberately simple — a ground-truth root-cause entity was
 * changed in the direction that removes the fault, compared with the object as the scenario broke it:
 * - a workload: its pod template spec differs from the broken one (a restart annotation alone is
 *   not a fix); for memory faults a container memory limit must have been raised, for
 *   scheduling faults a request lowered;
 * - a ConfigMap or Secret: its data differs from the broken data (a key restored);
 * - a Service: its selector or ports differ; a NetworkPolicy: deleted or its spec differs;
 * - a Node: its spec differs (cordoned, taints changed); a Pod: deleted;
 * - any other kind: its spec differs.
 * Writing the broken value back (a rollback) makes the fault present again.
 */

type Json = Record<string, unknown>;
/** An object of the simulated store as the controllers read and write it. */
export type SimObject = KubeObjectJson;

/** What the controllers need from the simulated API server's object store. */
export interface ControllerStore {
  list(kind: string, namespace?: string): SimObject[];
  /** Creates or replaces (by kind, namespace, name); the store assigns resourceVersion. */
  put(object: SimObject): void;
  remove(kind: string, namespace: string | undefined, name: string): void;
}

/** One write the API server has just applied (never called for dry runs). */
export interface StoreChange {
  kind: string;
  namespace?: string;
  name: string;
  /** The object before the write (absent for create). */
  before?: SimObject;
  /** The object after the write (absent for delete). */
  after?: SimObject;
}

export interface ControllerScenario {
  cluster: { objects: SimObject[] };
  groundTruth: { rootCause: { kind: string; namespace?: string; name: string }[]; faultType: string };
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const SERVICE_FACING = new Set(['Service', 'NetworkPolicy', 'Node']);

const get = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>(
    (current, key) => (current !== null && typeof current === 'object' ? (current as Json)[key] : undefined),
    value,
  );
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  ) ?? 'undefined';
const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;
const keyOf = (object: SimObject) => key(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? '');
const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([name, value]) => labels?.[name] === value);

const podReady = (pod: SimObject) =>
  ((get(pod, 'status', 'conditions') as { type?: string; status?: string }[]) ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );

/** Pod template without what a restart or a ReplicaSet adds, to compare "what runs". */
function templateIdentity(template: unknown): string {
  const copy = structuredClone((template ?? {}) as Json);
  const annotations = get(copy, 'metadata', 'annotations') as Json | undefined;
  if (annotations) delete annotations['kubectl.kubernetes.io/restartedAt'];
  const labels = get(copy, 'metadata', 'labels') as Json | undefined;
  if (labels) delete labels['pod-template-hash'];
  return canonical(copy);
}

const QUANTITY_UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
function quantity(value: unknown): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value ?? ''));
  if (!match) return Number.NaN;
  return Number(match[1]) * (QUANTITY_UNITS[match[2] ?? ''] ?? 1);
}

function resources(workload: unknown, section: 'limits' | 'requests', resource: string): number[] {
  const containers = (get(workload, 'spec', 'template', 'spec', 'containers') as unknown[]) ?? [];
  return containers.map((container) => quantity(get(container, 'resources', section, resource)));
}

function workloadFixed(broken: SimObject, now: SimObject, faultType: string): boolean {
  if (canonical(get(broken, 'spec', 'template', 'spec')) === canonical(get(now, 'spec', 'template', 'spec'))) {
    return false;
  }
  const compare = (
    section: 'limits' | 'requests',
    resource: string,
    better: (after: number, before: number) => boolean,
  ) => {
    const before = resources(broken, section, resource);
    return resources(now, section, resource).some((after, index) => better(after, before[index] ?? Number.NaN));
  };
  if (faultType === 'oom-limit' || faultType === 'memory-leak') return compare('limits', 'memory', (a, b) => !(a <= b));
  if (faultType === 'insufficient-resources') {
    return compare('requests', 'cpu', (a, b) => a < b) || compare('requests', 'memory', (a, b) => a < b);
  }
  return true;
}

function entityFixed(broken: SimObject, now: SimObject | undefined, faultType: string): boolean {
  const kind = broken.kind ?? '';
  if (!now) return kind === 'NetworkPolicy' || kind === 'Pod';
  if (WORKLOAD_KINDS.has(kind)) return workloadFixed(broken, now, faultType);
  if (kind === 'ConfigMap' || kind === 'Secret') {
    return (
      canonical([broken.data, broken.binaryData, broken.stringData]) !==
      canonical([now.data, now.binaryData, now.stringData])
    );
  }
  if (kind === 'Pod') return get(broken, 'metadata', 'uid') !== get(now, 'metadata', 'uid');
  return canonical(broken.spec) !== canonical(now.spec);
}

function healthyStatus(pod: SimObject, at: string): Json {
  const containers = (get(pod, 'spec', 'containers') as { name?: string; image?: string }[]) ?? [];
  const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: at });
  return {
    phase: 'Running',
    startTime: at,
    podIP: (get(pod, 'status', 'podIP') as string | undefined) ?? undefined,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    containerStatuses: containers.map((container) => ({
      name: container.name,
      image: container.image,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: at } },
    })),
  };
}

/** What the controllers know of the scenario: the objects as it broke them, and a counter for new pod names. */
interface ScenarioFault {
  brokenPods: SimObject[];
  rootCauses: SimObject[];
  faultType: string;
  sequence: number;
}

/** Returns the API server's onWrite hook for one scenario. */
export function createControllers(scenario: ControllerScenario): (store: ControllerStore, change: StoreChange) => void {
  const original = new Map(scenario.cluster.objects.map((object) => [keyOf(object), structuredClone(object)]));
  const fault: ScenarioFault = {
    brokenPods: scenario.cluster.objects.filter((object) => object.kind === 'Pod' && !podReady(object)),
    rootCauses: scenario.groundTruth.rootCause
      .map((ref) => original.get(key(ref.kind, ref.namespace, ref.name)))
      .filter((object): object is SimObject => object !== undefined),
    faultType: scenario.groundTruth.faultType,
    sequence: 0,
  };
  let reconciling = false;
  return (store, change) => {
    // Our own writes come back through the same hook; they are consequences, not causes.
    if (reconciling) return;
    reconciling = true;
    try {
      reconcile(store, change, fault, new Date().toISOString());
    } finally {
      reconciling = false;
    }
  };
}

/** One write's consequences: the workloads it reaches get new pods, then Endpoints follow the pods. */
function reconcile(store: ControllerStore, change: StoreChange, fault: ScenarioFault, at: string): void {
  if (WORKLOAD_KINDS.has(change.kind)) {
    const { before, after } = change;
    const rolled =
      after &&
      (!before ||
        canonical(get(before, 'spec', 'template')) !== canonical(get(after, 'spec', 'template')) ||
        get(before, 'spec', 'replicas') !== get(after, 'spec', 'replicas'));
    if (after && rolled) replacePods(store, after, fault, at);
  } else if (change.kind !== 'Endpoints' && change.kind !== 'ReplicaSet' && change.kind !== 'Event') {
    for (const workload of affectedWorkloads(store, change, fault)) replacePods(store, workload, fault, at);
  }
  syncEndpoints(store, change.kind === 'Node' ? undefined : change.namespace);
}

const ownerOf = (pod: SimObject, workloads: SimObject[]) =>
  workloads.find(
    (workload) =>
      workload.metadata?.namespace === pod.metadata?.namespace &&
      matches(get(workload, 'spec', 'selector', 'matchLabels') as Record<string, string>, pod.metadata?.labels),
  );

function faultPresent(store: ControllerStore, fault: ScenarioFault): boolean {
  if (fault.rootCauses.length === 0) return true;
  return !fault.rootCauses.some((broken) => {
    const live = store
      .list(broken.kind ?? '', broken.metadata?.namespace)
      .find((object) => object.metadata?.name === broken.metadata?.name);
    return entityFixed(broken, live, fault.faultType);
  });
}

/** The status a new pod of this workload gets: a copy of its broken pods' status while the fault is present. */
function statusFor(
  store: ControllerStore,
  fault: ScenarioFault,
  workload: SimObject,
  pod: SimObject,
  at: string,
): Json {
  const failing = fault.brokenPods.find((broken) => ownerOf(broken, [workload]));
  if (failing && faultPresent(store, fault)) return structuredClone((failing.status ?? {}) as Json);
  return healthyStatus(pod, at);
}

/** The workload controller: the workload's pods are deleted and recreated from its template, and its status follows. */
function replacePods(store: ControllerStore, workload: SimObject, fault: ScenarioFault, at: string): void {
  const namespace = workload.metadata?.namespace ?? 'default';
  const selector = get(workload, 'spec', 'selector', 'matchLabels') as Record<string, string> | undefined;
  for (const pod of store.list('Pod', namespace)) {
    if (matches(selector, pod.metadata?.labels)) store.remove('Pod', namespace, pod.metadata?.name ?? '');
  }
  const templateHash = hash(templateIdentity(get(workload, 'spec', 'template') ?? {}), 10);
  const owner = workload.kind === 'Deployment' ? rollReplicaSets(store, workload, templateHash, at) : workload;
  const nodes = store.list('Node').filter((node) => get(node, 'spec', 'unschedulable') !== true);
  const count =
    workload.kind === 'DaemonSet' ? Math.max(nodes.length, 1) : ((get(workload, 'spec', 'replicas') as number) ?? 1);
  let ready = 0;
  for (let index = 0; index < count; index++) {
    fault.sequence += 1;
    const node = nodes[index % Math.max(nodes.length, 1)]?.metadata?.name;
    const pod = newPod(workload, owner, { index, sequence: fault.sequence, templateHash, node, at });
    pod.status = { ...statusFor(store, fault, workload, pod, at), podIP: (pod.status as Json).podIP };
    if (podReady(pod)) ready += 1;
    store.put(pod);
  }
  store.put({ ...workload, status: workloadStatus(workload, count, ready) });
}

/** A pod of the workload's template, named and labelled as its controller would, owned by `owner`. */
function newPod(
  workload: SimObject,
  owner: SimObject,
  place: { index: number; sequence: number; templateHash: string; node: string | undefined; at: string },
): SimObject {
  const { index, sequence, templateHash, node, at } = place;
  const namespace = workload.metadata?.namespace ?? 'default';
  const name = workload.metadata?.name ?? '';
  const template = (get(workload, 'spec', 'template') ?? {}) as Json;
  const podName =
    workload.kind === 'StatefulSet'
      ? `${name}-${index}`
      : `${name}-${workload.kind === 'Deployment' ? `${templateHash}-` : ''}${hash(`${name}:${sequence}:${at}`, 5)}`;
  const labels = {
    ...((get(template, 'metadata', 'labels') as Record<string, string>) ?? {}),
    ...(workload.kind === 'Deployment' ? { 'pod-template-hash': templateHash } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace,
      uid: `${hash(`${podName}:${sequence}`, 8)}-sim0-4000-8000-${hash(`${sequence}:${at}`, 12)}`,
      creationTimestamp: at,
      labels,
      annotations: (get(template, 'metadata', 'annotations') as Record<string, string>) ?? {},
      ownerReferences: [controllerReference(owner)],
    },
    spec: { ...structuredClone((get(template, 'spec') ?? {}) as Json), nodeName: node },
    status: { podIP: `10.244.${(sequence >> 8) & 255}.${sequence & 255}` },
  };
}

const controllerReference = (owner: SimObject) => ({
  apiVersion: 'apps/v1',
  kind: owner.kind,
  name: owner.metadata?.name,
  uid: owner.metadata?.uid,
  controller: true,
  blockOwnerDeletion: true,
});

/** The Deployment controller, as kubectl sees it: the template's ReplicaSet becomes the newest revision, the others scale to 0. */
function rollReplicaSets(store: ControllerStore, deployment: SimObject, templateHash: string, at: string): SimObject {
  const namespace = deployment.metadata?.namespace;
  const owned = store
    .list('ReplicaSet', namespace)
    .filter((rs) => rs.metadata?.ownerReferences?.some((ref) => ref.uid === deployment.metadata?.uid));
  const identity = templateIdentity(get(deployment, 'spec', 'template'));
  const revisions = owned.map((rs) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
  const revision = String(Math.max(0, ...revisions) + 1);
  const replicas = (get(deployment, 'spec', 'replicas') as number) ?? 1;
  const current = owned.find((rs) => templateIdentity(get(rs, 'spec', 'template')) === identity);
  for (const rs of owned) {
    if (rs !== current) store.put({ ...rs, spec: { ...(rs.spec as Json), replicas: 0 }, status: { replicas: 0 } });
  }
  const currentRevision = current?.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const newest = String(Math.max(0, ...revisions));
  const rsRevision = current && currentRevision === newest ? newest : revision;
  const rsHash = (current?.metadata?.labels?.['pod-template-hash'] as string | undefined) ?? templateHash;
  const template = structuredClone((get(deployment, 'spec', 'template') ?? {}) as Json);
  const templateLabels = ((get(template, 'metadata', 'labels') as Json) ?? {}) as Record<string, string>;
  const next: SimObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    ...(current ?? {}),
    metadata: {
      ...(current?.metadata ?? {
        name: `${deployment.metadata?.name}-${rsHash}`,
        namespace,
        uid: `${hash(`${deployment.metadata?.name}:${rsHash}`, 8)}-sim0-4000-8000-${hash(at, 12)}`,
        creationTimestamp: at,
        ownerReferences: [controllerReference(deployment)],
      }),
      labels: { ...templateLabels, 'pod-template-hash': rsHash },
      annotations: {
        ...(current?.metadata?.annotations ?? {}),
        'deployment.kubernetes.io/revision': rsRevision,
      },
    },
    spec: {
      replicas,
      selector: {
        matchLabels: {
          ...((get(deployment, 'spec', 'selector', 'matchLabels') as Json) ?? {}),
          'pod-template-hash': rsHash,
        },
      },
      template: {
        ...template,
        metadata: {
          ...((template.metadata as Json) ?? {}),
          labels: { ...templateLabels, 'pod-template-hash': rsHash },
        },
      },
    },
  };
  store.put(next);
  const annotations = {
    ...(deployment.metadata?.annotations ?? {}),
    'deployment.kubernetes.io/revision': rsRevision,
  };
  deployment.metadata = { ...deployment.metadata, annotations };
  return next;
}

function workloadStatus(workload: SimObject, count: number, ready: number): Json {
  const observedGeneration = workload.metadata?.generation ?? 1;
  if (workload.kind === 'DaemonSet') {
    return {
      observedGeneration,
      desiredNumberScheduled: count,
      currentNumberScheduled: count,
      updatedNumberScheduled: count,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: count - ready,
    };
  }
  return {
    observedGeneration,
    replicas: count,
    updatedReplicas: count,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(workload.kind === 'StatefulSet' ? { currentReplicas: count } : { unavailableReplicas: count - ready }),
  };
}

/** The Endpoints controller: each Service's Endpoints list its ready pods as addresses, the rest as not ready. */
function syncEndpoints(store: ControllerStore, namespace: string | undefined): void {
  for (const service of store.list('Service', namespace)) {
    const selector = get(service, 'spec', 'selector') as Record<string, string> | undefined;
    if (!selector) continue;
    const pods = store
      .list('Pod', service.metadata?.namespace)
      .filter((pod) => matches(selector, pod.metadata?.labels));
    const address = (pod: SimObject) => ({
      ip: get(pod, 'status', 'podIP'),
      nodeName: get(pod, 'spec', 'nodeName'),
      targetRef: {
        kind: 'Pod',
        name: pod.metadata?.name,
        namespace: pod.metadata?.namespace,
        uid: pod.metadata?.uid,
      },
    });
    const ports = ((get(service, 'spec', 'ports') as Json[]) ?? []).map((port) => ({
      name: port.name,
      port: typeof port.targetPort === 'number' ? port.targetPort : port.port,
      protocol: port.protocol ?? 'TCP',
    }));
    const ready = pods.filter(podReady).map(address);
    const notReady = pods.filter((pod) => !podReady(pod)).map(address);
    const existing = store
      .list('Endpoints', service.metadata?.namespace)
      .find((endpoints) => endpoints.metadata?.name === service.metadata?.name);
    store.put({
      apiVersion: 'v1',
      kind: 'Endpoints',
      ...(existing ?? {}),
      metadata: {
        ...(existing?.metadata ?? { name: service.metadata?.name, namespace: service.metadata?.namespace }),
      },
      subsets:
        pods.length === 0
          ? []
          : [
              {
                ...(ready.length ? { addresses: ready } : {}),
                ...(notReady.length ? { notReadyAddresses: notReady } : {}),
                ports,
              },
            ],
    });
  }
}

/** Workloads a write to a non-workload object reaches: its consumers, and those whose pods the fault broke. */
function affectedWorkloads(store: ControllerStore, change: StoreChange, fault: ScenarioFault): SimObject[] {
  const namespace = change.kind === 'Node' ? undefined : change.namespace;
  const workloads = [...WORKLOAD_KINDS].flatMap((kind) => store.list(kind, namespace));
  const object = change.after ?? change.before;
  if (change.kind === 'Pod') {
    const owner = object ? ownerOf(object, workloads) : undefined;
    return owner ? [owner] : [];
  }
  return workloads.filter((workload) => {
    if (change.kind === 'ConfigMap' || change.kind === 'Secret') {
      if (canonical(get(workload, 'spec', 'template')).includes(`"${change.name}"`)) return true;
    }
    return (
      (SERVICE_FACING.has(change.kind) || change.kind === 'ConfigMap' || change.kind === 'Secret') &&
      fault.brokenPods.some((pod) => ownerOf(pod, [workload]))
    );
  });
}

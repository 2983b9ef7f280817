import type { PlanAction } from './actions.ts';
import { type JsonPatchOp, pointer } from './json-patch.ts';
import type { KubeObject, ObjectRef } from './kube-objects.ts';
import type { Change, Check, Risk } from './plan-spec.ts';

/** What plan derivation read from the cluster for one action. */
export interface LiveState {
  target: KubeObject | null;
  /** rollout-undo: the Deployment's ReplicaSets. */
  replicaSets?: KubeObject[];
  /** restore-config-key: the namespace's workloads, to find the ones that consume the key. */
  workloads?: KubeObject[];
}

export interface DerivedChange {
  changes: Change[];
  verification: Check[];
  risk: Risk;
  riskReason: string;
  rollback: string;
}

/** Refused at plan time: the action cannot be applied to the cluster as it is. */
export class PlanError extends Error {}

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const RESTORE_BY_SNAPSHOT = 'Restore the changed fields from the snapshot taken just before applying.';

export function targetRef(action: PlanAction): ObjectRef {
  switch (action.type) {
    case 'rollout-restart':
    case 'scale':
    case 'set-image':
    case 'set-resources':
    case 'restore-config-key':
      return { kind: action.kind, namespace: action.namespace, name: action.name };
    case 'rollout-undo':
      return { kind: 'Deployment', namespace: action.namespace, name: action.name };
    case 'delete-pod':
      return { kind: 'Pod', namespace: action.namespace, name: action.name };
    case 'cordon-node':
    case 'uncordon-node':
      return { kind: 'Node', name: action.name };
    case 'set-service-selector':
    case 'set-service-port':
      return { kind: 'Service', namespace: action.namespace, name: action.name };
    case 'delete-network-policy':
    case 'restore-network-policy':
      return { kind: 'NetworkPolicy', namespace: action.namespace, name: action.name };
  }
}

const get = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>(
    (current, key) =>
      current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined,
    value,
  );
const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** `add` on a map member needs the map: set the member when the map exists, else the whole map. */
function setMember(mapPath: string[], key: string, value: unknown, object: unknown): JsonPatchOp {
  return record(get(object, ...mapPath))
    ? { op: 'add', path: pointer(...mapPath, key), value }
    : { op: 'add', path: pointer(...mapPath), value: { [key]: value } };
}

const workloadChecks = (ref: ObjectRef, workload: KubeObject, minReady?: number): Check[] => {
  const selector = record(get(workload, 'spec', 'selector', 'matchLabels')) as Record<string, string> | undefined;
  const replicas = minReady ?? (get(workload, 'spec', 'replicas') as number | undefined) ?? 1;
  const checks: Check[] = [{ type: 'rollout-complete', ref }];
  if (selector && ref.namespace) {
    checks.push({ type: 'pods-ready', namespace: ref.namespace, selector, minReady: replicas });
  }
  return checks;
};

function containerIndex(workload: KubeObject, container: string): number {
  const containers = (get(workload, 'spec', 'template', 'spec', 'containers') as { name?: string }[]) ?? [];
  const index = containers.findIndex((candidate) => candidate.name === container);
  if (index < 0) throw new PlanError(`no container named ${container}`);
  return index;
}

function restartOps(workload: KubeObject, at: Date): JsonPatchOp[] {
  if (!record(get(workload, 'spec', 'template', 'metadata'))) {
    return [
      { op: 'add', path: '/spec/template/metadata', value: { annotations: { [RESTARTED_AT]: at.toISOString() } } },
    ];
  }
  return [setMember(['spec', 'template', 'metadata', 'annotations'], RESTARTED_AT, at.toISOString(), workload)];
}

// kubectl rollout undo keeps these annotations from the Deployment and takes the rest from the ReplicaSet.
const UNDO_KEPT_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

function undoOps(deployment: KubeObject, replicaSets: KubeObject[], toRevision: number): JsonPatchOp[] {
  if (get(deployment, 'spec', 'paused') === true) throw new PlanError('the Deployment is paused');
  const uid = deployment.metadata?.uid;
  const owned = replicaSets.filter((rs) =>
    ((get(rs, 'metadata', 'ownerReferences') as { uid?: string; controller?: boolean }[]) ?? []).some(
      (owner) => owner.uid === uid,
    ),
  );
  const target = owned.find(
    (rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === String(toRevision),
  );
  if (!target) throw new PlanError(`revision ${toRevision} not found in the Deployment's ReplicaSets`);
  const template = structuredClone(record(get(target, 'spec', 'template')) ?? {});
  const labels = record(get(template, 'metadata', 'labels'));
  if (labels) delete labels['pod-template-hash'];
  const current = structuredClone(record(get(deployment, 'spec', 'template')) ?? {});
  const currentLabels = record(get(current, 'metadata', 'labels'));
  if (currentLabels) delete currentLabels['pod-template-hash'];
  if (JSON.stringify(sortKeys(template)) === JSON.stringify(sortKeys(current))) {
    throw new PlanError(`the Deployment already runs the template of revision ${toRevision}`);
  }
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {})) {
    if (UNDO_KEPT_ANNOTATIONS.has(key)) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(target.metadata?.annotations ?? {})) {
    if (!UNDO_KEPT_ANNOTATIONS.has(key)) annotations[key] = value;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: deployment.metadata?.annotations ? 'replace' : 'add', path: '/metadata/annotations', value: annotations },
  ];
}

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  const map = record(value);
  if (!map) return value;
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((key) => [key, sortKeys(map[key])]),
  );
};

/** The workloads whose pod template reads a ConfigMap or Secret (volumes, projected volumes, env, envFrom). */
export function consumersOf(kind: 'ConfigMap' | 'Secret', name: string, workloads: KubeObject[]): KubeObject[] {
  return workloads.filter((workload) => {
    const podSpec = get(workload, 'spec', 'template', 'spec');
    const volumes = (get(podSpec, 'volumes') as Record<string, unknown>[]) ?? [];
    const containers = [
      ...((get(podSpec, 'containers') as unknown[]) ?? []),
      ...((get(podSpec, 'initContainers') as unknown[]) ?? []),
    ];
    const refs: unknown[] = [];
    for (const volume of volumes) {
      refs.push(kind === 'ConfigMap' ? get(volume, 'configMap', 'name') : get(volume, 'secret', 'secretName'));
      for (const source of (get(volume, 'projected', 'sources') as unknown[]) ?? []) {
        refs.push(get(source, kind === 'ConfigMap' ? 'configMap' : 'secret', 'name'));
      }
    }
    for (const container of containers) {
      for (const env of (get(container, 'env') as unknown[]) ?? []) {
        refs.push(get(env, 'valueFrom', kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef', 'name'));
      }
      for (const from of (get(container, 'envFrom') as unknown[]) ?? []) {
        refs.push(get(from, kind === 'ConfigMap' ? 'configMapRef' : 'secretRef', 'name'));
      }
    }
    return refs.includes(name);
  });
}

const refOf = (object: KubeObject, kind: ObjectRef['kind']): ObjectRef => ({
  kind,
  namespace: object.metadata?.namespace,
  name: object.metadata?.name ?? '',
});

/** Turns a typed action and the live objects it targets into exact writes, checks, risk and rollback. */
export function deriveChange(action: PlanAction, live: LiveState, now: Date): DerivedChange {
  const ref = targetRef(action);
  const target = live.target;
  if (!target && action.type !== 'restore-network-policy') throw new PlanError(`${ref.kind} ${ref.name} not found`);
  const on: Live = { ref, target, object: target as KubeObject, live, now };
  switch (action.type) {
    case 'rollout-restart':
      return rolloutRestart(action, on);
    case 'rollout-undo':
      return rolloutUndo(action, on);
    case 'scale':
      return scale(action, on);
    case 'set-image':
      return setImage(action, on);
    case 'set-resources':
      return setResources(action, on);
    case 'restore-config-key':
      return restoreConfigKey(action, on);
    case 'delete-pod':
      return deletePod(action, on);
    case 'cordon-node':
    case 'uncordon-node':
      return cordonOrUncordon(action, on);
    case 'set-service-selector':
      return setServiceSelector(action, on);
    case 'set-service-port':
      return setServicePort(action, on);
    case 'delete-network-policy':
      return deleteNetworkPolicy(action, on);
    case 'restore-network-policy':
      return restoreNetworkPolicy(action, on);
  }
}

type ActionOf<T extends PlanAction['type']> = Extract<PlanAction, { type: T }>;

/** What one action is derived against. */
interface Live {
  ref: ObjectRef;
  /** As read: null only for a NetworkPolicy to re-create. */
  target: KubeObject | null;
  /** The target, present for every action but restore-network-policy. */
  object: KubeObject;
  live: LiveState;
  now: Date;
}

function rolloutRestart(action: ActionOf<'rollout-restart'>, { ref, object, now }: Live): DerivedChange {
  const replicas = (get(object, 'spec', 'replicas') as number | undefined) ?? 1;
  return {
    changes: [{ type: 'patch', ref, ops: restartOps(object, now) }],
    verification: workloadChecks(ref, object),
    risk: action.kind === 'Deployment' && replicas > 1 ? 'low' : 'medium',
    riskReason: replicas > 1 ? 'pods are replaced one by one' : 'a single replica: the workload is briefly unavailable',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function rolloutUndo(action: ActionOf<'rollout-undo'>, { ref, object, live }: Live): DerivedChange {
  return {
    changes: [{ type: 'patch', ref, ops: undoOps(object, live.replicaSets ?? [], action.toRevision) }],
    verification: workloadChecks(ref, object),
    risk: 'medium',
    riskReason: 'replaces the pod template with an earlier revision',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function scale(action: ActionOf<'scale'>, { ref, object }: Live): DerivedChange {
  const current = (get(object, 'spec', 'replicas') as number | undefined) ?? 1;
  if (current === action.replicas) throw new PlanError(`already at ${current} replicas`);
  const risk: Risk = action.replicas === 0 ? 'high' : action.replicas < current ? 'medium' : 'low';
  return {
    changes: [{ type: 'patch', ref, ops: [{ op: 'add', path: '/spec/replicas', value: action.replicas }] }],
    verification:
      action.replicas === 0 ? [{ type: 'rollout-complete', ref }] : workloadChecks(ref, object, action.replicas),
    risk,
    riskReason: `${current} → ${action.replicas} replicas`,
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function setImage(action: ActionOf<'set-image'>, { ref, object }: Live): DerivedChange {
  const index = containerIndex(object, action.container);
  const path = pointer('spec', 'template', 'spec', 'containers', index, 'image');
  if (get(object, 'spec', 'template', 'spec', 'containers', index, 'image') === action.image) {
    throw new PlanError(`container ${action.container} already runs ${action.image}`);
  }
  return {
    changes: [{ type: 'patch', ref, ops: [{ op: 'replace', path, value: action.image }] }],
    verification: workloadChecks(ref, object),
    risk: 'medium',
    riskReason: 'rolls out a different image',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function setResources(action: ActionOf<'set-resources'>, { ref, object }: Live): DerivedChange {
  const index = containerIndex(object, action.container);
  const base = ['spec', 'template', 'spec', 'containers', String(index), 'resources'];
  const ops: JsonPatchOp[] = [];
  const resources = record(get(object, ...base));
  if (!resources) {
    ops.push({
      op: 'add',
      path: pointer(...base),
      value: {
        ...(action.requests ? { requests: action.requests } : {}),
        ...(action.limits ? { limits: action.limits } : {}),
      },
    });
  } else {
    for (const section of ['requests', 'limits'] as const) {
      const wanted = action[section];
      if (!wanted) continue;
      const existing = record(resources[section]);
      if (!existing) ops.push({ op: 'add', path: pointer(...base, section), value: wanted });
      else
        for (const [name, quantity] of Object.entries(wanted))
          ops.push(setMember([...base, section], name, quantity, object));
    }
  }
  if (ops.length === 0) throw new PlanError('no requests or limits given');
  return {
    changes: [{ type: 'patch', ref, ops }],
    verification: workloadChecks(ref, object),
    risk: 'medium',
    riskReason: 'rolls out pods with different resources',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function restoreConfigKey(action: ActionOf<'restore-config-key'>, { ref, object, live, now }: Live): DerivedChange {
  const encoded = action.kind === 'Secret' ? Buffer.from(action.value).toString('base64') : action.value;
  if (get(object, 'data', action.key) === encoded) throw new PlanError(`${action.key} already has that value`);
  const consumers = consumersOf(action.kind, action.name, live.workloads ?? []);
  const restarts: Change[] = consumers.map((workload) => ({
    type: 'patch',
    ref: refOf(workload, workload.kind as ObjectRef['kind']),
    ops: restartOps(workload, now),
  }));
  return {
    changes: [{ type: 'patch', ref, ops: [setMember(['data'], action.key, encoded, object)] }, ...restarts],
    verification: [
      { type: 'field', ref, condition: { path: pointer('data', action.key), value: encoded } },
      ...consumers.flatMap((workload) => workloadChecks(refOf(workload, workload.kind as ObjectRef['kind']), workload)),
    ],
    risk: action.kind === 'Secret' ? 'high' : 'medium',
    riskReason: `changes ${action.kind === 'Secret' ? 'a credential' : 'configuration'} read by ${consumers.length} workload(s), which are restarted to pick it up`,
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function deletePod(action: ActionOf<'delete-pod'>, { ref, object }: Live): DerivedChange {
  const owned = ((get(object, 'metadata', 'ownerReferences') as unknown[]) ?? []).length > 0;
  const labels = object.metadata?.labels ?? {};
  const checks: Check[] = [{ type: 'pod-replaced', ref, uid: object.metadata?.uid ?? '' }];
  if (owned && Object.keys(labels).length > 0) {
    checks.push({ type: 'pods-ready', namespace: action.namespace, selector: labels, minReady: 1 });
  }
  return {
    changes: [{ type: 'delete', ref }],
    verification: checks,
    risk: owned ? 'low' : 'high',
    riskReason: owned ? 'its controller replaces it' : 'no controller owns it: it will not come back',
    rollback: 'A deleted pod cannot be restored; its controller creates a replacement.',
  };
}

function cordonOrUncordon(action: ActionOf<'cordon-node' | 'uncordon-node'>, { ref, object }: Live): DerivedChange {
  const cordon = action.type === 'cordon-node';
  if ((get(object, 'spec', 'unschedulable') === true) === cordon) {
    throw new PlanError(`the node is already ${cordon ? 'cordoned' : 'schedulable'}`);
  }
  const op: JsonPatchOp = cordon
    ? { op: 'add', path: '/spec/unschedulable', value: true }
    : { op: 'remove', path: '/spec/unschedulable' };
  return {
    changes: [{ type: 'patch', ref, ops: [op] }],
    verification: [
      {
        type: 'field',
        ref,
        condition: cordon
          ? { path: '/spec/unschedulable', value: true }
          : { path: '/spec/unschedulable', absent: true },
      },
    ],
    risk: cordon ? 'medium' : 'low',
    riskReason: cordon ? 'no new pods will be scheduled on the node' : 'the node accepts pods again',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function setServiceSelector(action: ActionOf<'set-service-selector'>, { ref, object }: Live): DerivedChange {
  const path = '/spec/selector';
  const selectorChecks: Check[] = [
    { type: 'endpoints-ready', namespace: action.namespace, name: action.name },
    { type: 'pods-ready', namespace: action.namespace, selector: action.selector, minReady: 1 },
  ];
  return {
    changes: [
      {
        type: 'patch',
        ref,
        ops: [{ op: get(object, 'spec', 'selector') ? 'replace' : 'add', path, value: action.selector }],
      },
    ],
    verification: selectorChecks,
    risk: 'high',
    riskReason: 'reroutes all traffic of the Service',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function setServicePort(action: ActionOf<'set-service-port'>, { ref, object }: Live): DerivedChange {
  const ports = (get(object, 'spec', 'ports') as { port?: number }[]) ?? [];
  const index = ports.length === 1 ? 0 : ports.findIndex((entry) => entry.port === action.port);
  if (index < 0) throw new PlanError(`the Service has no port ${action.port}`);
  return {
    changes: [
      {
        type: 'patch',
        ref,
        ops: [
          { op: 'replace', path: pointer('spec', 'ports', index, 'port'), value: action.port },
          { op: 'add', path: pointer('spec', 'ports', index, 'targetPort'), value: action.targetPort },
        ],
      },
    ],
    verification: [{ type: 'endpoints-ready', namespace: action.namespace, name: action.name }],
    risk: 'high',
    riskReason: 'changes where all traffic of the Service goes',
    rollback: RESTORE_BY_SNAPSHOT,
  };
}

function deleteNetworkPolicy(action: ActionOf<'delete-network-policy'>, { ref, object }: Live): DerivedChange {
  const selector = record(get(object, 'spec', 'podSelector', 'matchLabels')) as Record<string, string> | undefined;
  const checks: Check[] = [{ type: 'absent', ref }];
  if (selector && Object.keys(selector).length > 0) {
    checks.push({ type: 'pods-ready', namespace: action.namespace, selector, minReady: 1 });
  }
  return {
    changes: [{ type: 'delete', ref }],
    verification: checks,
    risk: 'high',
    riskReason: 'removes a network isolation rule',
    rollback: 'Re-create the NetworkPolicy from the snapshot taken just before deleting it.',
  };
}

function restoreNetworkPolicy(action: ActionOf<'restore-network-policy'>, { ref, target }: Live): DerivedChange {
  const manifest = {
    ...action.manifest,
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...(record(action.manifest.metadata) ?? {}), name: action.name, namespace: action.namespace },
  } as KubeObject;
  const change: Change = target
    ? { type: 'patch', ref, ops: [{ op: 'replace', path: '/spec', value: manifest.spec ?? {} }] }
    : { type: 'create', ref, manifest };
  return {
    changes: [change],
    verification: [{ type: 'present', ref }],
    risk: 'medium',
    riskReason: 'changes which traffic may reach the selected pods',
    rollback: target ? RESTORE_BY_SNAPSHOT : 'Delete the re-created NetworkPolicy.',
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { ABSENT, deepEqual, valueAt } from './json-patch.ts';
import { type KubeObject, type KubeObjects, labelSelector } from './kube-objects.ts';
import { entityLabel } from '../investigation/model.ts';
import type { Check } from './plan-spec.ts';

export interface CheckResult {
  ok: boolean;
  detail: string;
}

type Status = Record<string, number | string | undefined>;
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

// kubectl rollout status, per kind (kubectl/pkg/polymorphichelpers/rollout_status.go).
function rolloutComplete(object: KubeObject): CheckResult {
  const spec = (object.spec ?? {}) as Status;
  const status = (object.status ?? {}) as Status;
  const generation = object.metadata?.generation ?? 0;
  if (num(status.observedGeneration) < generation) return { ok: false, detail: 'rollout not yet observed' };
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  switch (object.kind) {
    case 'DaemonSet': {
      const desired = num(status.desiredNumberScheduled);
      if (num(status.updatedNumberScheduled) < desired) return { ok: false, detail: 'pods not yet updated' };
      if (num(status.numberAvailable) < desired) {
        return { ok: false, detail: `${num(status.numberAvailable)} of ${desired} pods available` };
      }
      return { ok: true, detail: `${desired} pods updated and available` };
    }
    case 'StatefulSet':
      if (num(status.updatedReplicas) < replicas || num(status.readyReplicas) < replicas) {
        return { ok: false, detail: `${num(status.readyReplicas)} of ${replicas} replicas ready` };
      }
      return { ok: true, detail: `${replicas} replicas updated and ready` };
    default: {
      const updated = num(status.updatedReplicas);
      if (updated < replicas) return { ok: false, detail: `${updated} of ${replicas} replicas updated` };
      if (num(status.replicas) > updated) return { ok: false, detail: 'old replicas pending termination' };
      if (num(status.availableReplicas) < updated) {
        return { ok: false, detail: `${num(status.availableReplicas)} of ${updated} updated replicas available` };
      }
      return { ok: true, detail: `${replicas} replicas updated and available` };
    }
  }
}

const podReady = (pod: KubeObject): boolean =>
  ((pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );

export async function evaluate(check: Check, kube: KubeObjects): Promise<CheckResult> {
  switch (check.type) {
    case 'rollout-complete': {
      const object = await kube.read(check.ref);
      if (!object) return { ok: false, detail: `${entityLabel(check.ref)} not found` };
      const result = rolloutComplete({ ...object, kind: check.ref.kind });
      return { ok: result.ok, detail: `${entityLabel(check.ref)}: ${result.detail}` };
    }
    case 'pods-ready': {
      const pods = (await kube.list('Pod', check.namespace, labelSelector(check.selector))).filter(
        (pod) => !(pod.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp,
      );
      const ready = pods.filter(podReady).length;
      const what = `pods ${labelSelector(check.selector)}`;
      const ok = ready === pods.length && ready >= check.minReady;
      return { ok, detail: `${what}: ${ready} of ${pods.length} ready (need ≥${check.minReady}, all)` };
    }
    case 'endpoints-ready': {
      const endpoints = await kube.read({ kind: 'Endpoints', namespace: check.namespace, name: check.name });
      const subsets = (endpoints?.subsets as { addresses?: unknown[] }[] | undefined) ?? [];
      const addresses = subsets.reduce((total, subset) => total + (subset.addresses?.length ?? 0), 0);
      return {
        ok: addresses > 0,
        detail: `Endpoints ${check.namespace}/${check.name}: ${addresses} ready address(es)`,
      };
    }
    case 'field': {
      const object = await kube.read(check.ref);
      const value = valueAt(object, check.condition.path);
      const ok = check.condition.absent
        ? value === ABSENT
        : value !== ABSENT && deepEqual(value, check.condition.value);
      return {
        ok,
        detail: `${entityLabel(check.ref)} ${check.condition.path} ${ok ? 'as planned' : 'not as planned'}`,
      };
    }
    case 'absent': {
      const object = await kube.read(check.ref);
      return { ok: object === null, detail: `${entityLabel(check.ref)} ${object ? 'still exists' : 'is gone'}` };
    }
    case 'present': {
      const object = await kube.read(check.ref);
      return { ok: object !== null, detail: `${entityLabel(check.ref)} ${object ? 'exists' : 'is missing'}` };
    }
    case 'pod-replaced': {
      const object = await kube.read(check.ref);
      const ok = object === null || object.metadata?.uid !== check.uid;
      return { ok, detail: `${entityLabel(check.ref)} ${ok ? 'replaced' : 'still the same pod'}` };
    }
  }
}

export interface VerifyOutcome {
  ok: boolean;
  results: CheckResult[];
}

/** Polls every check until all pass or the timeout ends; the last results say what did not converge. */
export async function verify(
  checks: Check[],
  kube: KubeObjects,
  options: { timeoutMs: number; intervalMs: number },
): Promise<VerifyOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const results = await Promise.all(checks.map((check) => evaluate(check, kube)));
    if (results.every((result) => result.ok)) return { ok: true, results };
    if (Date.now() >= deadline) return { ok: false, results };
    await sleep(options.intervalMs);
  }
}

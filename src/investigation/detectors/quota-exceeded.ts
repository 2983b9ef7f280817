import { eventEvidence, eventSubject } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { parseQuantity } from '../evidence/quantity.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

const EXCEEDED = /exceeded quota: ([a-z0-9.-]+)/i;

type Quota = ClusterSnapshot['resourceQuotas'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** A FailedCreate event names the quota that refused a pod: the refusal is stated. */
  refusalEvent: 0.95,
  /** A controller's condition names the quota (ReplicaFailure: exceeded quota). */
  refusalCondition: 0.9,
  /** The quota is used up while a workload is short of pods, no refusal read: likely, not shown. */
  usedUp: 0.6,
} as const;

/** Controllers that cannot create pods because a ResourceQuota is used up: the quota is where it must change. */
export const quotaExceeded: Detector = {
  id: 'quota-exceeded',
  faultTypes: ['quota-exceeded'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    const add = (namespace: string, name: string, owner: EntityRef, evidence: Evidence, strength: number) => {
      const quota = { kind: 'ResourceQuota', namespace, name };
      const key = refKey(quota);
      const existing = findings.get(key);
      if (existing) {
        seenAgain(existing, owner, evidence);
        existing.strength = Math.max(existing.strength, strength);
        return;
      }
      const object = snapshot.resourceQuotas.find(
        (q) => q.metadata?.namespace === namespace && q.metadata?.name === name,
      );
      const fault: Finding = finding(quotaExceeded, {
        entity: quota,
        affects: [owner],
        strength,
        summary: `ResourceQuota ${name} is exhausted: ${owner.kind} ${owner.name} cannot create pods`,
        evidence: [evidence, ...(object ? [usage(object, quota)] : [])],
      });
      const changed = lastChange(object?.metadata);
      if (changed) fault.changedAt = changed;
      findings.set(key, fault);
    };
    const ownerOf = (subject: EntityRef) => graph.ownerOf(subject) ?? subject;

    for (const event of snapshot.events) {
      const match = EXCEEDED.exec(event.message ?? '');
      // The refusal is the API server's admission answer, relayed by whatever controller asked for the pod (a ReplicaSet's
      // FailedCreate, a Job's, an operator's own Warning reason): the words decide, not the reason.
      if (!match || !(event.type === 'Warning' || /Failed/.test(event.reason ?? ''))) continue;
      const subject = eventSubject(event);
      add(subject.namespace ?? '', match[1] as string, ownerOf(subject), eventEvidence(event), STRENGTH.refusalEvent);
    }
    // Events expire; the controllers keep the refusal in a ReplicaFailure condition.
    const controllers = [
      ...snapshot.deployments.map((d) => ({
        ref: refOf('Deployment', d.metadata),
        conditions: d.status?.conditions ?? [],
      })),
      ...snapshot.replicaSets.map((r) => ({
        ref: ownerOf(refOf('ReplicaSet', r.metadata)),
        conditions: r.status?.conditions ?? [],
      })),
      ...snapshot.statefulSets.map((s) => ({
        ref: refOf('StatefulSet', s.metadata),
        conditions: s.status?.conditions ?? [],
      })),
    ];
    for (const job of snapshot.jobs) {
      controllers.push({ ref: ownerOf(refOf('Job', job.metadata)), conditions: job.status?.conditions ?? [] });
    }
    for (const { ref, conditions } of controllers) {
      for (const condition of conditions) {
        const match = EXCEEDED.exec(condition.message ?? '');
        if (!match || condition.status !== 'True') continue;
        add(
          ref.namespace ?? '',
          match[1] as string,
          ref,
          {
            source: 'status',
            ref,
            text: `${condition.type}: ${condition.message}`,
            at: condition.lastTransitionTime ?? undefined,
          },
          STRENGTH.refusalCondition,
        );
      }
    }
    // Custom controllers (pipeline engines, operators) keep the refusal in their own status, shaped as they please.
    for (const object of snapshot.customObjects) {
      const ref = refOf(object.kind, object.metadata);
      for (const message of refusalMessages(object.status)) {
        const match = EXCEEDED.exec(message) as RegExpExecArray;
        add(
          ref.namespace ?? '',
          match[1] as string,
          ref,
          { source: 'status', ref, text: message },
          STRENGTH.refusalCondition,
        );
      }
    }
    // Nothing says "refused", but a quota is used up while a controller is short of pods: a weaker claim.
    for (const quota of snapshot.resourceQuotas) {
      const full = exhausted(quota);
      if (full.length === 0) continue;
      const namespace = quota.metadata?.namespace ?? '';
      for (const workload of graph.workloads) {
        if (workload.ref.namespace !== namespace || workload.desiredReplicas === undefined) continue;
        if (graph.podsOf(workload.ref).length >= workload.desiredReplicas) continue;
        const ref = refOf('ResourceQuota', quota.metadata);
        add(
          namespace,
          ref.name,
          workload.ref,
          {
            source: 'status',
            ref,
            text: `${full.join(', ')} used up while ${workload.ref.name} has ${graph.podsOf(workload.ref).length}/${workload.desiredReplicas} pods`,
          },
          STRENGTH.usedUp,
        );
      }
    }
    return [...findings.values()];
  },
};

/** Status strings (at any depth, a few at most) that quote a quota's refusal. */
function refusalMessages(status: unknown, depth = 0, found: string[] = []): string[] {
  if (found.length >= 3 || depth > 6 || status === null || status === undefined) return found;
  if (typeof status === 'string') {
    if (EXCEEDED.test(status)) found.push(status);
  } else if (typeof status === 'object') {
    for (const value of Object.values(status)) refusalMessages(value, depth + 1, found);
  }
  return found;
}

/** Resources whose use has reached the hard limit. */
function exhausted(quota: Quota): string[] {
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  const used = quota.status?.used ?? {};
  return Object.keys(hard).filter((resource) => {
    const limit = parseQuantity(hard[resource]);
    const current = parseQuantity(used[resource]);
    return limit !== undefined && current !== undefined && current >= limit;
  });
}

const usage = (quota: Quota, ref: EntityRef): Evidence => ({
  source: 'status',
  ref,
  text: `hard ${JSON.stringify(quota.status?.hard ?? quota.spec?.hard ?? {})}, used ${JSON.stringify(quota.status?.used ?? {})}`,
});

import { eventEvidence, foldRepeats } from '../evidence/events.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

// Evictions refused for a budget, as the eviction API, drains and node autoscalers word it.
const EVICTION_BLOCKED = /disruption budget|prevents? pod evictions?|cannot evict|evictions? (is |are )?blocked/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Evictions are refused naming it, and a cordoned node still runs pods it selects: the drain waits on it. */
  refusesDrain: 0.85,
  /** It allows no eviction of the pods it selects, but a refusal naming it and a stuck drain were not both read. */
  allowsNone: 0.75,
} as const;

/**
 * A PodDisruptionBudget that allows no disruption (minAvailable as high as the replicas, maxUnavailable 0, or too few
 * healthy pods) refuses every eviction of the pods it selects: a node being drained (cordoned, its pods still on it)
 * or a node autoscaler waits on it for ever. The budget is the fault when something is waiting on it: a cordoned node
 * holding its pods, or events saying evictions are refused. Stronger when it was created or changed shortly before.
 * The catalogue has no type: other.
 */
export const disruptionBudget: Detector = {
  id: 'disruption-budget',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const refusals = foldRepeats(
      snapshot.events.filter(
        (event) => EVICTION_BLOCKED.test(event.message ?? '') || event.reason === 'DisruptionBlocked',
      ),
    );
    const cordoned = new Set(
      snapshot.nodes.filter((node) => node.spec?.unschedulable).map((node) => node.metadata?.name ?? ''),
    );
    for (const budget of snapshot.podDisruptionBudgets) {
      const namespace = budget.metadata?.namespace ?? '';
      const name = budget.metadata?.name ?? '';
      const allowed = budget.status?.disruptionsAllowed;
      const condition = budget.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
      if (allowed !== 0 && condition?.status !== 'False') continue;
      const pods = snapshot.pods.filter(
        (pod) => pod.metadata?.namespace === namespace && matchesSelector(pod.metadata?.labels, budget.spec?.selector),
      );
      if (pods.length === 0) continue;
      const ref: EntityRef = { kind: 'PodDisruptionBudget', namespace, name };
      const stranded = pods.filter((pod) => cordoned.has(pod.spec?.nodeName ?? ''));
      const named = refusals.filter((event) => (event.message ?? '').includes(name));
      if (stranded.length === 0 && named.length === 0) continue;
      const workloads = [
        ...new Map(pods.map((pod) => [refKey(graph.workloadOf(pod)), graph.workloadOf(pod)])).values(),
      ];
      // A node's own event refusing to let its pods go (a node autoscaler's failed scale-down) waits on the budget as a
      // cordoned node does, though nothing cordoned it.
      const refusingNodes = named
        .filter((event) => event.involvedObject?.kind === 'Node')
        .map((event) => event.involvedObject?.name ?? '');
      const waiting = [...new Set([...stranded.map((pod) => pod.spec?.nodeName ?? ''), ...refusingNodes])];
      const nodes = [...new Set(stranded.map((pod) => pod.spec?.nodeName ?? ''))];
      const changedAt = lastChange(budget.metadata);
      const rule =
        budget.spec?.maxUnavailable !== undefined
          ? `maxUnavailable ${budget.spec.maxUnavailable}`
          : `minAvailable ${budget.spec?.minAvailable}`;
      const evidence: Evidence[] = [
        {
          source: 'status',
          ref,
          text: `${rule}: ${allowed ?? 0} disruptions allowed (${budget.status?.currentHealthy ?? '?'} healthy, ${budget.status?.desiredHealthy ?? '?'} required)${condition?.message ? ` — ${condition.message}` : ''}`,
          ...(condition?.lastTransitionTime ? { at: condition.lastTransitionTime } : {}),
        },
        ...nodes.map((node) => ({
          source: 'status' as const,
          ref: { kind: 'Node', name: node },
          text: `Node ${node} is cordoned (draining) and still runs ${stranded.filter((p) => p.spec?.nodeName === node).length} pod(s) the budget selects`,
        })),
        ...named.slice(0, 2).map(eventEvidence),
        ...(changedAt
          ? [{ source: 'change' as const, ref, text: `created or last changed at ${changedAt}`, at: changedAt }]
          : []),
      ];
      findings.push(
        finding(disruptionBudget, {
          entity: ref,
          affects: [...workloads, ...waiting.map((node) => ({ kind: 'Node', name: node }))],
          strength: named.length > 0 && waiting.length > 0 ? STRENGTH.refusesDrain : STRENGTH.allowsNone,
          summary: `PodDisruptionBudget ${name} (${rule}) allows no eviction of ${workloads.map((w) => w.name).join(', ')}${nodes.length > 0 ? `, so the drain of ${nodes.join(', ')} cannot finish` : ''}${named[0] ? ` — "${named[0].message?.slice(0, 160)}"` : ''}`,
          evidence,
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return findings;
  },
};

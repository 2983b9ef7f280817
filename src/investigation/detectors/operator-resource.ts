import type { CustomObject } from '../evidence/custom-object.ts';
import { customOwnerChain, type GeneratedWorkload } from '../evidence/custom-owners.ts';
import { eventEvidence, eventTime } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { revisionOf } from '../evidence/revisions.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Changed shortly before, and its operator replaced the pods it generates since: the change reached them. What it
   * set is not read against the errors: circumstantial, above a lead.
   */
  rendered: 0.6,
} as const;

/** A change to the resource longer before than this stood without harm. */
const NEAR = 2 * HOUR;

type Pod = ClusterSnapshot['pods'][number];

interface Rendered {
  top: CustomObject;
  changedAt: string;
  links: CustomObject[];
  generated: GeneratedWorkload[];
  pods: Pod[];
}

/**
 * An operator's resource (the top of the custom owner chain above pods: a database cluster, a broker, a gateway)
 * changed shortly before, and the pods it generates were replaced since: the operator rendered the change into them
 * (fewer replicas of a kind, another durability or resources setting), so the pods run as it now sets them — the
 * setting lives in that resource, not in the generated workloads or pods, nor in the operator that carries it out.
 * The catalogue has no type for it: other.
 */
export const operatorResource: Detector = {
  id: 'operator-resource',
  faultTypes: ['other', 'bad-rollout'],
  detect(snapshot, _graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const byTop = new Map<string, Rendered>();
    for (const pod of snapshot.pods) {
      const { chain: links, generated } = customOwnerChain(snapshot, pod);
      const top = links.at(-1);
      const changedAt = top && lastChange(top.metadata);
      const at = toMs(changedAt);
      const created = toMs(pod.metadata?.creationTimestamp);
      if (!top || !changedAt || at === undefined || created === undefined) continue;
      // Edited after it was made: a resource made shortly before (a workflow's run) generates its pods by design.
      const made = toMs(top.metadata?.creationTimestamp);
      if (!changedBeforeOnset(at, onset, NEAR) || created < at || (made !== undefined && at <= made)) continue;
      const key = refKey(refOf(top.kind, top.metadata));
      const held = byTop.get(key) ?? { top, changedAt, links, generated: [], pods: [] };
      held.pods.push(pod);
      for (const workload of generated)
        if (!held.generated.some((g) => g.kind === workload.kind && g.metadata.name === workload.metadata.name))
          held.generated.push(workload);
      byTop.set(key, held);
    }
    return [...byTop.values()].map((rendered) => findingOf(snapshot, rendered));
  },
};

function findingOf(snapshot: ClusterSnapshot, { top, changedAt, links, generated, pods }: Rendered): Finding {
  const entity = refOf(top.kind, top.metadata);
  const between = [...generated, ...links.slice(0, -1)].map((link) => refOf(link.kind, link.metadata));
  const podRefs = pods.map((pod) => refOf('Pod', pod.metadata));
  const affects: EntityRef[] = [...between, ...podRefs];
  // What the operator reported doing to the objects it generates since the change (pods deleted and created).
  const since = toMs(changedAt) ?? 0;
  const keys = new Set([entity, ...between].map(refKey));
  const reported = snapshot.events.filter(
    (event) =>
      (toMs(eventTime(event)) ?? 0) >= since &&
      keys.has(
        refKey({
          kind: event.involvedObject?.kind ?? '',
          name: event.involvedObject?.name ?? '',
          ...(event.involvedObject?.namespace ? { namespace: event.involvedObject.namespace } : {}),
        }),
      ),
  );
  const via = between.length > 0 ? ` through ${between.map((b) => `${b.kind} ${b.name}`).join(', ')}` : '';
  const evidence: Evidence[] = [
    { source: 'change', ref: entity, text: `${top.kind} ${entity.name} last changed at ${changedAt}`, at: changedAt },
    ...reported.slice(0, 3).map(eventEvidence),
  ];
  // A resource that controls ReplicaSets numbered in revisions is a Deployment of its own (a progressive-delivery
  // controller's): the change that reached the pods is a rollout of a new template.
  const rollsOut = generated.some(
    (link) => link.kind === 'ReplicaSet' && revisionOf(link as Parameters<typeof revisionOf>[0]) > 0,
  );
  return finding(operatorResource, {
    entity,
    affects,
    ...(rollsOut ? { faultType: 'bad-rollout' as const } : {}),
    strength: STRENGTH.rendered,
    summary: `${top.kind} ${entity.name} changed at ${changedAt}, and its operator has replaced ${pods.length} pod${pods.length > 1 ? 's' : ''} it generates since${via} (${pods.map((p) => p.metadata?.name).join(', ')}): they run as it now sets them. To confirm: compare its spec with the previous one, and revert the setting there — not in the generated workloads`,
    evidence,
    changedAt,
  });
}

import type { CustomObject } from '../evidence/custom-object.ts';
import { eventEvidence } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { UNTOLERATED_TAINT } from '../evidence/node-room.ts';
import { namedIn, refusedCreations, spellsKind } from '../evidence/spelled-kinds.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { creatorOf } from './admission-refused.ts';
import { type Detector, finding } from './detector.ts';
import { reachedCaps } from './scheduler-admission.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The API server names the object it refused the pods against, and someone changed it shortly before. */
  changedAndNamed: 0.88,
  /** Named where pods cannot be placed, its cap on what they request reached (its status says so): load grew into it. */
  capReached: 0.8,
  /** Named in the refusal, unchanged: the rule refuses, but what changed may be the pods (weaker than a rollout's). */
  named: 0.55,
} as const;

type Event = ClusterSnapshot['events'][number];

/**
 * Pods are refused — a controller cannot create them, or they cannot be placed — and the refusal spells the kind of
 * custom resources it checked them against and names them (spelled-kinds.ts): an admission rule, a node pool whose
 * limit the provisioner would exceed. Of those named, one changed shortly before (a volume type, a user range dropped
 * from it, a limit lowered) is the rule behind the refusal; one whose cap on what the pods request its status shows
 * reached holds them too. The controller and its pods are victims. Named, unchanged and not at a cap, each is a weak
 * suspect. The catalogue has no type for it: other.
 */
export const admissionRule: Detector = {
  id: 'admission-rule',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const refusals = refusedCreations(snapshot.events);
    if (refusals.length === 0 || snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const event of refusals) {
      const { creator, pods } = refusedOf(snapshot, graph, event);
      for (const { object, changedAt, caps } of namedRules(snapshot, onset, event, pods)) {
        const entity = refOf(object.kind, object.metadata);
        const held = findings.get(refKey(entity));
        if (held) {
          if (!held.affects.some((a) => refKey(a) === refKey(creator))) held.affects.push(creator);
          continue;
        }
        const placing = event.reason === 'FailedScheduling';
        const why = changedAt
          ? `changed at ${changedAt}: the rule it sets since refuses them`
          : caps.length > 0
            ? `its cap on ${caps.join(', ')} is reached: it holds them until raised`
            : 'one of the rules they are checked against';
        const untolerated = placing ? untoleratedTaint(object, event.message ?? '') : undefined;
        const evidence: Evidence[] = [
          eventEvidence(event),
          ...(changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
          ...(untolerated
            ? [{ source: 'spec' as const, ref: entity, text: `it puts taint ${untolerated} on the nodes it makes` }]
            : []),
        ];
        findings.set(
          refKey(entity),
          finding(admissionRule, {
            entity,
            affects: [creator],
            strength: changedAt ? STRENGTH.changedAndNamed : caps.length > 0 ? STRENGTH.capReached : STRENGTH.named,
            summary: `${object.kind} ${entity.name} is named where ${placing ? `the pods of ${creator.kind} ${creator.name} cannot be placed` : `the API server refuses to create the pods of ${creator.kind} ${creator.name}`}; ${why}`,
            evidence,
            ...(changedAt ? { changedAt } : {}),
            // The rule that refuses them is a taint it writes onto its nodes, which the pods do not tolerate.
            ...(untolerated ? { namedAs: 'taint' as const } : {}),
          }),
        );
      }
    }
    return [...findings.values()];
  },
};

/** Who is refused: the workload behind the refused pod or its controller, and the refused pods that exist. */
function refusedOf(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  event: Event,
): { creator: EntityRef; pods: ClusterSnapshot['pods'] } {
  const about = event.involvedObject;
  if (about?.kind !== 'Pod') return { creator: creatorOf(snapshot, event), pods: [] };
  const pod = graph.pod(about.namespace ?? '', about.name ?? '');
  return pod ? { creator: graph.workloadOf(pod), pods: [pod] } : { creator: creatorOf(snapshot, event), pods: [] };
}

/**
 * The objects of a spelt kind the refusal names: those changed shortly before when any was (the rule that began to
 * refuse; the others refused all along), else all of them, each with the caps on what the refused pods request that
 * its status shows reached.
 */
function namedRules(
  snapshot: ClusterSnapshot,
  onset: Onset,
  event: Event,
  pods: ClusterSnapshot['pods'],
): { object: CustomObject; changedAt: string | undefined; caps: string[] }[] {
  const message = event.message ?? '';
  const named = snapshot.customObjects.filter(
    (object) =>
      spellsKind(message, object.kind) &&
      namedIn(object, message) &&
      (!object.metadata?.namespace || object.metadata.namespace === event.involvedObject?.namespace),
  );
  const changedAt = (object: CustomObject): string | undefined => {
    const at = lastChange(object.metadata);
    return changedBeforeOnset(at, onset) ? at : undefined;
  };
  const changed = named.filter((object) => changedAt(object) !== undefined);
  return (changed.length > 0 ? changed : named).map((object) => ({
    object,
    changedAt: changedAt(object),
    caps: reachedCaps(object, pods).map((cap) => `${cap.resource} (${cap.cap}, ${cap.used} in use)`),
  }));
}

/**
 * The taint (`key=value:Effect`) the object writes onto the nodes it provisions (a `taints` list anywhere in its spec,
 * as a node pool's node template carries) whose key the refusal names as not tolerated; undefined when none.
 */
function untoleratedTaint(object: CustomObject, message: string): string | undefined {
  if (!UNTOLERATED_TAINT.test(message)) return undefined;
  return taintsIn(object.spec).find((taint) => message.includes(taint.key))?.label;
}

type Taint = { key: string; label: string };

function taintsIn(value: unknown): Taint[] {
  if (Array.isArray(value)) return value.flatMap(taintsIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    /^taints$/i.test(key) && Array.isArray(inner)
      ? inner.flatMap((t) => {
          const taint = t as { key?: unknown; value?: unknown; effect?: unknown };
          if (typeof taint.key !== 'string' || typeof taint.effect !== 'string') return [];
          const label = `${taint.key}${typeof taint.value === 'string' ? `=${taint.value}` : ''}:${taint.effect}`;
          return [{ key: taint.key, label }];
        })
      : taintsIn(inner),
  );
}

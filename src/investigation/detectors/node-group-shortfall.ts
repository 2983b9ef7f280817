import { changeEvidence } from '../evidence/config-change.ts';
import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { heldForRoom, shortfall, stampsPair } from '../evidence/node-groups.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Evidence, type Finding, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * It makes the nodes the held pods require, its status says it is short of them, and it was changed shortly before:
   * the change keeps it from bringing nodes (a template it cannot build from, a rollout that removed nodes first).
   */
  changedAndShort: 0.85,
  /** Short of nodes, unchanged: its machinery fails on its own (a quota of the provider); the group still holds them. */
  short: 0.6,
} as const;

/**
 * Pods wait for room on the nodes of one group (evidence/node-groups.ts) and the object that makes that group reports
 * it is short of nodes: the pods' workload asks for no more than before — the group lost a node it cannot replace.
 * The object (its template, what it references) is where the fix goes; the pods and their workload are victims, the
 * scheduler's `Insufficient` only its symptom. The catalogue has no type for it: other.
 */
export const nodeGroupShortfall: Detector = {
  id: 'node-group-shortfall',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const held = heldForRoom(snapshot);
    if (held.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const found = new Map<string, Finding>();
    for (const { pod, pairs, nodes, event } of held) {
      const victim: EntityRef = graph.workloadOf(pod);
      for (const object of snapshot.customObjects) {
        const stamped = stampsPair(object, pairs, nodes);
        const short = stamped && shortfall(object);
        if (!stamped || !short) continue;
        const entity = refOf(object.kind, object.metadata);
        const held = found.get(refKey(entity));
        if (held) {
          if (!held.affects.some((a) => refKey(a) === refKey(victim))) held.affects.push(victim);
          continue;
        }
        const at = lastChange(object.metadata);
        const changedAt = changedBeforeOnset(at, onset) ? at : undefined;
        const { key, value } = stamped.pair;
        const evidence: Evidence[] = [
          eventEvidence(event),
          { source: 'spec', ref: entity, text: `${stamped.path}: it labels the nodes it makes ${key}=${value}` },
          { source: 'status', ref: entity, text: short },
          ...(changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
        ];
        found.set(
          refKey(entity),
          finding(nodeGroupShortfall, {
            entity,
            affects: [victim],
            strength: changedAt ? STRENGTH.changedAndShort : STRENGTH.short,
            summary: `${object.kind} ${entity.name} makes the nodes labelled ${key}=${value} (${nodes.length} now) that pods of ${victim.kind} ${victim.name} require, and is short of them (${short})${changedAt ? `; changed at ${changedAt}` : ''}: the pods wait for room it does not bring`,
            evidence,
            ...(changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...found.values()];
  },
};

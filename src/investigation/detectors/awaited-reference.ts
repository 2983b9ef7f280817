import {
  awaitingCondition,
  type Condition,
  referencedObject,
  typedReferences,
  unreadyConditions,
} from '../evidence/awaited-references.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { HOUR, lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import { EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Changed shortly before it became not ready, and what references it says it waits for it: both controllers state
   * the fault, the change says when it came.
   */
  changedThenUnready: 0.9,
  /** Not ready by its own conditions, and what references it waits for it: stated, with no change to date it. */
  unready: 0.85,
} as const;

const said = (c: Condition): string =>
  `${c.type}=False${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;

/**
 * An object references another in its spec (a typed `…Ref`) and its controller reports it not ready for that one
 * (evidence/awaited-references.ts), whose own conditions say it is not ready and why: the referenced object is where
 * the fault lives — a node pool waits for its node class, and everything the pool would make waits with it. The
 * catalogue has no type for it: other.
 */
export const awaitedReference: Detector = {
  id: 'awaited-reference',
  faultTypes: ['other'],
  detect(snapshot, _graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const now = snapshotNow(snapshot);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const byObject = new Map<string, Finding>();
    for (const waiting of snapshot.customObjects) {
      for (const ref of typedReferences(waiting.spec)) {
        const awaited = referencedObject(snapshot, waiting, ref);
        const waits = awaited && awaitingCondition(waiting, ref);
        const own = awaited ? unreadyConditions(awaited).filter((c) => c.type !== 'Ready' || c.message) : [];
        if (!awaited || !waits || own.length === 0) continue;
        const entity = refOf(awaited.kind, awaited.metadata);
        const waiter = refOf(waiting.kind, waiting.metadata);
        const waitEvidence = {
          source: 'status' as const,
          ref: waiter,
          text: `${waiting.kind} ${waiter.name} (${ref.key} → ${ref.kind} ${ref.name}): ${said(waits)}`.slice(
            0,
            EVIDENCE_TEXT_LIMIT,
          ),
        };
        const held = byObject.get(refKey(entity));
        if (held) {
          seenAgain(held, waiter, waitEvidence);
          continue;
        }
        const changedAt = lastChange(awaited.metadata);
        const at = toMs(changedAt);
        const since = Math.min(...own.map((c) => toMs(c.lastTransitionTime) ?? now));
        // Changed shortly before, or just before its conditions turned (whenever that was): the change made it not ready.
        const recent = at !== undefined && at <= since && (changedBeforeOnset(at, onset) || since - at <= HOUR);
        const first = own.find((c) => c.type !== 'Ready') ?? own[0];
        byObject.set(
          refKey(entity),
          finding(awaitedReference, {
            entity,
            affects: [waiter],
            strength: recent ? STRENGTH.changedThenUnready : STRENGTH.unready,
            summary: `${awaited.kind} ${entity.name} is not ready (${first ? said(first) : ''})${recent ? `, since a change at ${changedAt}` : ''}; ${waiting.kind} ${waiter.name}, which references it (${ref.key}), waits for it (${waits.type}=False), and with it what it would make. Repair ${awaited.kind} ${entity.name}, not what references it`,
            evidence: [
              ...own.slice(0, 2).map((c) => ({
                source: 'status' as const,
                ref: entity,
                text: `${awaited.kind} ${entity.name}: ${said(c)}`.slice(0, EVIDENCE_TEXT_LIMIT),
                ...(c.lastTransitionTime ? { at: c.lastTransitionTime } : {}),
              })),
              waitEvidence,
              ...(recent && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
            ],
            ...(recent && changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...byObject.values()];
  },
};

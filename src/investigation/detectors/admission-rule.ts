import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { namedIn, refusedCreations, spellsKind } from '../evidence/spelled-kinds.ts';
import { lastChange, snapshotNow, SUSPECT_CHANGE_WINDOW, toMs } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { creatorOf } from './admission-refused.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The API server names the object it refused the pods against, and someone changed it shortly before. */
  changedAndNamed: 0.88,
  /** Named in the refusal, unchanged: the rule refuses, but what changed may be the pods (weaker than a rollout's). */
  named: 0.55,
} as const;

/**
 * A controller cannot create its pods: the API server refuses them against custom resources it checks every pod
 * against, spelling their kind and naming them (spelled-kinds.ts). Of those named, one changed shortly before (a
 * volume type, a user range dropped from it) is the rule behind the refusal: the controller and its pods are victims.
 * Named but unchanged, each is a weak suspect. The catalogue has no type for it: other.
 */
export const admissionRule: Detector = {
  id: 'admission-rule',
  faultTypes: ['other'],
  detect(snapshot) {
    const refusals = refusedCreations(snapshot.events);
    if (refusals.length === 0 || snapshot.customObjects.length === 0) return [];
    const now = snapshotNow(snapshot);
    const findings = new Map<string, Finding>();
    for (const event of refusals) {
      const message = event.message ?? '';
      const named = snapshot.customObjects.filter(
        (object) =>
          spellsKind(message, object.kind) &&
          namedIn(object, message) &&
          (!object.metadata?.namespace || object.metadata.namespace === event.involvedObject?.namespace),
      );
      const creator = creatorOf(snapshot, event);
      const changedSince = (object: (typeof named)[number]): boolean => {
        const at = toMs(lastChange(object.metadata));
        return at !== undefined && now - at <= SUSPECT_CHANGE_WINDOW;
      };
      // One of them changed shortly before: it is the rule that began to refuse; the others refused all along.
      const suspects = named.some(changedSince) ? named.filter(changedSince) : named;
      for (const object of suspects) {
        const changedAt = lastChange(object.metadata);
        const changed = changedSince(object);
        const entity = refOf(object.kind, object.metadata);
        const key = `${entity.kind}/${entity.namespace ?? ''}/${entity.name}`;
        const held = findings.get(key);
        if (held) {
          if (!held.affects.some((a) => a.kind === creator.kind && a.name === creator.name)) held.affects.push(creator);
          continue;
        }
        findings.set(
          key,
          finding(admissionRule, {
            entity,
            affects: [creator],
            strength: changed ? STRENGTH.changedAndNamed : STRENGTH.named,
            summary: `${object.kind} ${entity.name}${changed ? `, changed at ${changedAt},` : ''} is named where the API server refuses to create the pods of ${creator.kind} ${creator.name}: ${changed ? 'the rule it sets since refuses them' : 'one of the rules they are checked against'}`,
            evidence: [
              eventEvidence(event),
              ...(changed && changedAt
                ? [
                    {
                      source: 'change' as const,
                      ref: entity,
                      text: `${object.kind} ${entity.name} last changed at ${changedAt}`,
                      at: changedAt,
                    },
                  ]
                : []),
            ],
            ...(changed && changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...findings.values()];
  },
};

import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { parseQuantity } from '../evidence/quantity.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { creatorOf } from './admission-refused.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The API server's refusal states the bound, and a LimitRange of the namespace holds that very bound. */
  boundHeld: 0.95,
  /** The refusal states a bound of the LimitRanger, and the namespace has one LimitRange that could hold it. */
  onlyLimitRange: 0.85,
} as const;

// The LimitRanger's admission answer: `pods "x" is forbidden: maximum memory usage per Container is 4Gi, but limit is
// 8Gi`, `minimum cpu usage per Pod is 200m, but request is 100m`, several at once in brackets. It names the bound,
// never the LimitRange.
const BOUND =
  /(maximum|minimum) (\S+) usage per (Container|Pod|PersistentVolumeClaim) is (\S+?),? but (?:limit|request) is ([^\s,;\]]+?)\.?(?=$|[\s,;\]])/g;

type LimitRange = ClusterSnapshot['limitRanges'][number];

interface Bound {
  side: 'max' | 'min';
  type: string;
  resource: string;
  value: string;
}

/** Whether a LimitRange holds the stated bound (a max or min of that resource, for that type, equal in quantity). */
function holdsBound(limitRange: LimitRange, { side, type, resource, value }: Bound): boolean {
  const wanted = parseQuantity(value);
  return (limitRange.spec?.limits ?? []).some((item) => {
    if (item.type !== type) return false;
    const stated = parseQuantity(item[side]?.[resource]);
    return stated !== undefined && wanted !== undefined && stated === wanted;
  });
}

/**
 * Controllers that cannot create pods because a LimitRange of their namespace bounds what a container or pod may ask
 * (its max below the template's limit, its min above its request): the refusal is the LimitRanger's, the bound is the
 * LimitRange's, so that is where it must change (or the template, when the bound is the rule). The catalogue has no
 * type for it: other. (A quota's refusal is the quota-exceeded detector's, a webhook's admission-refused's.)
 */
export const limitRangeRefusal: Detector = {
  id: 'limit-range-refusal',
  faultTypes: ['other'],
  detect(snapshot) {
    const findings = new Map<string, Finding>();
    for (const event of snapshot.events) {
      const message = event.message ?? '';
      if (event.type === 'Normal' || !/forbidden/.test(message)) continue;
      const creator = creatorOf(snapshot, event);
      const inNamespace = snapshot.limitRanges.filter((l) => l.metadata?.namespace === creator.namespace);
      for (const match of message.matchAll(BOUND)) {
        const [, side, resource, type, value, asked] = match as unknown as string[];
        const bound = { side: side === 'maximum' ? 'max' : 'min', type, resource, value } as Bound;
        const holder =
          inNamespace.find((l) => holdsBound(l, bound)) ?? (inNamespace.length === 1 ? inNamespace[0] : undefined);
        if (!holder) continue;
        const entity = refOf('LimitRange', holder.metadata);
        const existing = findings.get(refKey(entity));
        if (existing) {
          // Another copy of a refusal already quoted says nothing new.
          const quoted = existing.evidence.some((e) => e.text.endsWith(message));
          seenAgain(existing, creator, ...(quoted ? [] : [eventEvidence(event)]));
          continue;
        }
        const changedAt = lastChange(holder.metadata);
        findings.set(
          refKey(entity),
          finding(limitRangeRefusal, {
            entity,
            affects: [creator],
            strength: holdsBound(holder, bound) ? STRENGTH.boundHeld : STRENGTH.onlyLimitRange,
            summary: `LimitRange ${entity.name} bounds ${resource} per ${type} at ${side} ${value}: ${creator.kind} ${creator.name} asks ${asked}, so its pods are refused and never created`,
            evidence: [
              eventEvidence(event),
              { source: 'spec', ref: entity, text: `LimitRange ${entity.name}: ${type} ${side} ${resource} ${value}` },
            ],
            ...(changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...findings.values()];
  },
};

import { type CustomObject, nameStandsIn } from '../evidence/custom-object.ts';
import { refOf } from '../evidence/graph.ts';
import { kindNamedByKey, specReferences, stalled, waitMessage } from '../evidence/referenced-objects.ts';
import type { ServedGroup } from '../evidence/routing-objects.ts';
import { servedCustomKind } from '../evidence/custom-object.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { type Finding, EVIDENCE_TEXT_LIMIT } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Objects that reference it wait since it changed, and what they say they wait for names it. */
  namedInWait: 0.7,
  /** Objects that reference it wait since it changed: circumstantial, as a changed setting of their own is. */
  changedBeforeWait: 0.6,
} as const;

// An object changed longer before than this stood without harm.
const NEAR = CHANGE_WINDOW;

/** A name shorter than this stands in a wait message by chance. */
const SHORTEST_NAME = 3;

/**
 * Custom objects wait (their status says so: evidence/referenced-objects.ts) and reference in their spec, by a key
 * named after its kind, an object that changed shortly before and before the first of them began to wait: what they
 * run under sets their wait (a lock, a concurrency, a slot count) as a setting of their own would. They are victims;
 * the catalogue has no type for it: other.
 */
export const referencedObject: Detector = {
  id: 'referenced-object',
  faultTypes: ['other'],
  detect(snapshot, _graph, alert) {
    const stuck = snapshot.customObjects.filter(stalled);
    if (stuck.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const object of snapshot.customObjects) {
      const changedAt = lastChange(object.metadata);
      const at = toMs(changedAt);
      if (!changedAt || at === undefined || !changedBeforeOnset(at, onset, NEAR)) continue;
      // The wait began after the change: an object created before it and still waiting waited for something else.
      const since = stuck.filter(
        (other) =>
          other !== object &&
          runsUnder(snapshot.apiGroups, other, object) &&
          (toMs(other.metadata?.creationTimestamp) ?? 0) >= at,
      );
      if (since.length > 0) findings.push(heldBack(object, changedAt, since));
    }
    return findings;
  },
};

/** The finding: `object`, changed at `changedAt`, holds back the objects that run under it and wait since. */
function heldBack(object: CustomObject, changedAt: string, since: CustomObject[]): Finding {
  const entity = refOf(object.kind, object.metadata);
  const named = since.find((w) => nameStandsIn(object, waitMessage(w), SHORTEST_NAME));
  const example = named ?? since[0];
  return finding(referencedObject, {
    entity,
    affects: since.map((w) => refOf(w.kind, w.metadata)),
    strength: named ? STRENGTH.namedInWait : STRENGTH.changedBeforeWait,
    summary: `${object.kind} ${entity.name} changed at ${changedAt}, and ${since.length} ${example?.kind} object${since.length > 1 ? 's' : ''} that run under it ${since.length > 1 ? 'have' : 'has'} waited since${named ? ', saying what for in its name' : ''}: what it sets holds them back. To confirm: compare what changed in it with what they wait for`,
    evidence: [
      changeEvidence(entity, changedAt, 'last changed'),
      ...since.slice(0, 2).map((w) => ({
        source: 'status' as const,
        ref: refOf(w.kind, w.metadata),
        text: `${w.kind} ${w.metadata?.name}: ${waitMessage(w)}`.slice(0, EVIDENCE_TEXT_LIMIT),
      })),
    ],
    changedAt,
  });
}

/**
 * Whether `holder`'s spec references `object` by a key named after its kind: by its name, in its namespace (a
 * reference without one means the holder's own; a cluster-scoped object is referenced from any).
 */
function runsUnder(groups: readonly ServedGroup[], holder: CustomObject, object: CustomObject): boolean {
  const namespace = object.metadata?.namespace;
  return specReferences(holder.spec).some((ref) => {
    const referenced = ref.namespace ?? holder.metadata?.namespace;
    return (
      ref.name === object.metadata?.name &&
      (namespace ?? referenced) === referenced &&
      keyNames(groups, ref.key, object.kind)
    );
  });
}

/**
 * Whether a reference's key names the kind: `<kind>Ref`, or its plural. API discovery's plural is the truth (as for
 * kindNamedByKey, which chose the list read); the English guess only for a kind discovery has not answered for.
 */
function keyNames(groups: readonly ServedGroup[], key: string, kind: string): boolean {
  if (servedCustomKind(groups, (r) => r.kind === kind)) return kindNamedByKey(groups, key)?.kind === kind;
  const lower = key.toLowerCase();
  const k = kind.toLowerCase();
  return lower === `${k}ref` || lower === `${k}s` || lower === `${k}es` || lower === k.replace(/y$/, 'ies');
}

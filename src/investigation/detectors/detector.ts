import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { type EntityRef, type Evidence, type FaultType, type Finding, refKey } from '../model.ts';

/**
 * One failure mode: reads the snapshot and the graph, returns findings stated where the fault lives. Pure.
 *
 * A finding's `strength` (0–1) says how sure the detector is, on one scale shared by all detectors, since the ranking
 * compares them (ranking/weights.ts says how it then weighs them): each detector names its strengths in a `STRENGTH`
 * constant with the reason for each. Roughly:
 *   0.95–0.97  the cluster states the fault itself (an image that cannot be pulled, a container killed over its limit);
 *   0.85–0.92  the spec shows the fault and the errors read agree with it;
 *   0.7–0.8    the spec shows the fault, but nothing read confirms it hurts;
 *   0.5–0.65   symptomatic or circumstantial (a crash loop, a failing new revision): where to look, not why;
 *   ≤ 0.45     a lead, weaker than any finding above (the walk's leads are LEAD_STRENGTH in ranking/weights.ts).
 */
export interface Detector {
  id: string;
  /** The fault types its findings name; the first is the one `finding()` stamps when none is given. */
  faultTypes: readonly [FaultType, ...FaultType[]];
  detect(snapshot: ClusterSnapshot, graph: EvidenceGraph, alert?: AlertWords): Finding[];
}

/** What the alert says in words (title, text, annotations), for detectors whose finding the alert's own words confirm. */
export interface AlertWords {
  text: string;
  /**
   * When the alert says its symptom began (RFC 3339), when it says: a change is recent or standing by that time, not by
   * when the evidence was read — an alert investigated hours after it began would otherwise lose its cause.
   */
  startsAt?: string;
}

/** A finding of `detector`: stamped with its id and, unless the fields name another it declares, its fault type. */
export function finding(
  detector: Detector,
  fields: Omit<Finding, 'detector' | 'faultType'> & { faultType?: FaultType },
): Finding {
  return { detector: detector.id, ...fields, faultType: fields.faultType ?? detector.faultTypes[0] };
}

/** Evidence lines a finding gathers at most from its sightings: more repeat what the first ones say. */
const MAX_SIGHTINGS = 6;

/**
 * The same fault seen again (another event, another workload it cuts off): the finding already made affects
 * `affected` too, once, and gains `evidence` while it holds fewer than MAX_SIGHTINGS lines.
 */
export function seenAgain(existing: Finding, affected: EntityRef, ...evidence: Evidence[]): void {
  if (!existing.affects.some((ref) => refKey(ref) === refKey(affected))) existing.affects.push(affected);
  if (evidence.length > 0 && existing.evidence.length < MAX_SIGHTINGS) existing.evidence.push(...evidence);
}

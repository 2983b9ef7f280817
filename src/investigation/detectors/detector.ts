import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { FaultType, Finding } from '../model.ts';

/** One failure mode: reads the snapshot and the graph, returns findings stated where the fault lives. Pure. */
export interface Detector {
  id: string;
  /** The fault types its findings name; the first is the one `finding()` stamps when none is given. */
  faultTypes: readonly [FaultType, ...FaultType[]];
  detect(snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[];
}

/** A finding of `detector`: stamped with its id and, unless the fields name another it declares, its fault type. */
export function finding(
  detector: Detector,
  fields: Omit<Finding, 'detector' | 'faultType'> & { faultType?: FaultType },
): Finding {
  return { detector: detector.id, ...fields, faultType: fields.faultType ?? detector.faultTypes[0] };
}

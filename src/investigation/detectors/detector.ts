import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { FaultType, Finding } from '../model.ts';

/** One failure mode: reads the snapshot and the graph, returns findings stated where the fault lives. Pure. */
export interface Detector {
  id: string;
  faultTypes: FaultType[];
  detect(snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[];
}

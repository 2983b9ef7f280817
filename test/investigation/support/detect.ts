import type { Detector } from '../../../src/investigation/detectors/detector.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import type { Finding } from '../../../src/investigation/model.ts';
import { refKey } from '../../../src/investigation/model.ts';

export const detect = (detector: Detector, snapshot: ClusterSnapshot): Finding[] =>
  detector.detect(snapshot, buildGraph(snapshot));

/** `Kind/ns/name faultType` of each finding, for assertions that read like the answer. */
export const named = (findings: Finding[]): string[] => findings.map((f) => `${refKey(f.entity)} ${f.faultType}`);

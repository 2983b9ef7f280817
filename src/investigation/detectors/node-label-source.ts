import { changeEvidence } from '../evidence/config-change.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { type LabelPair, pairSetIn, strandedPods } from '../evidence/node-label-sources.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { type Evidence, type Finding, uniqueRefs } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

type Pod = ClusterSnapshot['pods'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * It sets the very node label the stranded pods require and no node carries, and it changed shortly before they
   * were made: the cluster states the mismatch, the change dates it.
   */
  setsLabelChanged: 0.88,
  /** It sets that label, unchanged for long: the nodes changed under it (a pool gone); the setting still strands them. */
  setsLabel: 0.72,
} as const;

/**
 * Pods wait unscheduled for a node label no node carries (evidence/node-label-sources.ts), and a custom resource sets
 * that very `key: value` in its spec: the software that admits the workloads wrote it into them from there, so the fix
 * is in that resource, not in the workloads (whose authors never asked for it) nor in the nodes. The catalogue has no
 * type for it: other.
 */
export const nodeLabelSource: Detector = {
  id: 'node-label-source',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const stranded = strandedPods(snapshot);
    if (stranded.length === 0) return [];
    const pairs = stranded.flatMap(({ pairs: p }) => p);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const object of snapshot.customObjects) {
      const set = pairSetIn(object, pairs);
      if (!set) continue;
      const { key, value } = set.pair;
      const pods = stranded
        .filter(({ pairs: p }) => p.some((pair) => pair.key === key && pair.value === value))
        .map(({ pod }) => pod);
      if (pods.length === 0) continue;
      findings.push(strands(snapshot, onset, graph, object, set, pods));
    }
    return findings;
  },
};

function strands(
  snapshot: ClusterSnapshot,
  onset: Onset,
  graph: EvidenceGraph,
  object: CustomObject,
  set: { pair: LabelPair; path: string },
  pods: Pod[],
): Finding {
  const entity = refOf(object.kind, object.metadata);
  const changedAt = lastChange(object.metadata);
  const at = toMs(changedAt);
  const firstMade = Math.min(...pods.map((pod) => toMs(pod.metadata?.creationTimestamp) ?? Number.POSITIVE_INFINITY));
  const recent = at !== undefined && changedBeforeOnset(at, onset) && at <= firstMade + 60_000;
  const { key, value } = set.pair;
  const carriers = snapshot.nodes
    .map((node) => node.metadata?.labels?.[key])
    .filter((v): v is string => v !== undefined);
  const nodesSay =
    carriers.length > 0 ? `nodes carry ${key}=${[...new Set(carriers)].join(', ')}` : `no node carries ${key} at all`;
  const evidence: Evidence[] = [
    ...(recent && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
    {
      source: 'spec',
      ref: entity,
      text: `${object.kind} ${entity.name} sets ${set.path}: ${key}=${value}`,
    },
    ...pods.slice(0, 2).map((pod) => ({
      source: 'status' as const,
      ref: refOf('Pod', pod.metadata),
      text: `Pod ${pod.metadata?.name} is Pending and requires node label ${key}=${value}; ${nodesSay}`,
    })),
  ];
  return finding(nodeLabelSource, {
    entity,
    // The workloads the pods belong to, too: the symptom reaches them, not always their pods.
    affects: uniqueRefs([
      ...pods.map((pod) => graph.workloadOf(pod)),
      ...pods.map((pod) => refOf('Pod', pod.metadata)),
    ]),
    strength: recent ? STRENGTH.setsLabelChanged : STRENGTH.setsLabel,
    summary: `${object.kind} ${entity.name}${recent ? ` changed at ${changedAt} and` : ''} sets node label ${key}=${value} (${set.path}), which the ${pods.length} Pending pod${pods.length > 1 ? 's' : ''} it admits now require, but ${nodesSay}: they cannot be scheduled anywhere. Set it back to a label the nodes carry there, not in the workloads`,
    evidence,
    ...(recent && changedAt ? { changedAt } : {}),
  });
}

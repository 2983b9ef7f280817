import { changeEvidence } from '../evidence/config-change.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { missingConfiguredNames, nameLists } from '../evidence/scoped-objects.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Finding, LOG_TEXT_LIMIT, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Its list names other applications of the namespace but not the caller told it is not found, and it changed since shortly before. */
  leftOutChanged: 0.86,
  /** The same, unchanged for long: the caller is new to it (a renamed application), the list still leaves it out. */
  leftOut: 0.72,
} as const;

/** The names a workload goes by: its own, and its pods' annotation values (an application id a sidecar uses). */
function identities(graph: EvidenceGraph, workload: EntityRef): Set<string> {
  const pods = graph.podsOf(workload);
  return new Set([workload.name, ...pods.flatMap((pod) => Object.values(pod.metadata?.annotations ?? {}))]);
}

/**
 * A workload's errors say an object it is configured with by name is not found, the object exists in its namespace
 * (a custom resource of the software its pods carry the annotations of: evidence/scoped-objects.ts), and a list in
 * it names other applications of the namespace but not this one: the object serves only those it lists, and the
 * caller was left off (an edit that replaced the list, a renamed application). The fix is the list, in that object;
 * the caller is a victim. The catalogue has no type for it: other.
 */
export const scopedOut: Detector = {
  id: 'scoped-out',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    const namespaces = new Set(snapshot.customObjects.map((o) => o.metadata?.namespace).filter((n) => n !== undefined));
    for (const namespace of namespaces) {
      const missing = missingConfiguredNames(snapshot, namespace);
      for (const object of snapshot.customObjects.filter((o) => o.metadata?.namespace === namespace)) {
        const said = missing.filter((m) => m.name === object.metadata?.name);
        const pod = said[0] && graph.pod(namespace, said[0].pod);
        if (!pod || !said[0]) continue;
        const found = leftOut(onset, graph, object, graph.workloadOf(pod), said[0].line);
        if (found) findings.push(found);
      }
    }
    return findings;
  },
};

function leftOut(
  onset: Onset,
  graph: EvidenceGraph,
  object: CustomObject,
  caller: EntityRef,
  line: string,
): Finding | undefined {
  const own = identities(graph, caller);
  const others = graph.workloads
    .map((w) => w.ref)
    .filter((w) => w.kind !== 'Pod' && w.kind !== 'ReplicaSet')
    .filter((w) => w.namespace === caller.namespace && refKey(w) !== refKey(caller))
    .map((w) => ({ workload: w, names: identities(graph, w) }));
  const list = nameLists(object).find(
    ({ names }) => !names.some((name) => own.has(name)) && names.some((name) => others.some((o) => o.names.has(name))),
  );
  if (!list) return undefined;
  const entity = refOf(object.kind, object.metadata);
  const changedAt = lastChange(object.metadata);
  const recent = changedBeforeOnset(changedAt, onset);
  return finding(scopedOut, {
    entity,
    affects: [caller],
    strength: recent ? STRENGTH.leftOutChanged : STRENGTH.leftOut,
    summary: `${object.kind} ${entity.name}${recent ? ` changed at ${changedAt};` : ''} its ${list.path} lists ${list.names.join(', ')} but not ${caller.name}, whose errors say ${entity.name} is not found: it serves only those it lists. Add ${caller.name} back to ${list.path} there`,
    evidence: [
      ...(recent && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
      { source: 'spec', ref: entity, text: `${object.kind} ${entity.name} ${list.path}: [${list.names.join(', ')}]` },
      { source: 'log', ref: caller, text: line.slice(0, LOG_TEXT_LIMIT) },
    ],
    ...(recent && changedAt ? { changedAt } : {}),
  });
}

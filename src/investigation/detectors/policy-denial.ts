import { eventEvidence, foldRepeats, occurrences } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { policyDenials } from '../evidence/policy-denials.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The policy engine states it refused the objects: the refusal is reported, only its effect on the symptom is not. */
  refuses: 0.85,
} as const;

/**
 * Objects an admission policy refuses (a policy engine's Warning events about the policy itself, wherever the refused
 * object lives, or a controller's refusal naming a built-in admission policy): the policy governs it, whatever its kind
 * — the answer is the policy object, not the webhook that relays it nor the controller that cannot create its pods.
 * The catalogue has no type for it: other.
 */
export const policyDenial: Detector = {
  id: 'policy-denial',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const byPolicy = new Map<string, { policy: EntityRef; refused: EntityRef[]; events: typeof snapshot.events }>();
    for (const denial of policyDenials(foldRepeats(snapshot.events), snapshot.now)) {
      const { policy, event } = denial;
      const held = byPolicy.get(refKey(policy)) ?? { policy, refused: [], events: [] };
      // What was refused, and the workload that wanted it (a ReplicaSet's Deployment): the refusal reaches it.
      const refused = denial.refused ? [denial.refused, wantedBy(denial.refused, graph)] : [];
      for (const ref of refused)
        if (ref && !held.refused.some((r) => refKey(r) === refKey(ref))) held.refused.push(ref);
      held.events.push(event);
      byPolicy.set(refKey(policy), held);
    }
    return [...byPolicy.values()].map(({ policy, refused, events }): Finding => {
      const times = events.reduce((sum, event) => sum + occurrences(event), 0);
      const [first] = refused;
      const what = first
        ? `${first.kind} ${first.namespace}/${first.name}${refused.length > 1 ? ` and ${refused.length - 1} more` : ''}`
        : 'objects';
      return finding(policyDenial, {
        entity: policy,
        affects: refused,
        strength: STRENGTH.refuses,
        summary: `${policy.kind} ${policy.name} refuses ${what} at admission (${times} refusals reported): what it refuses is never created`,
        evidence: events.slice(0, 3).map(eventEvidence),
      });
    });
  },
};

/**
 * The workload that wanted the refused object: its owner when it was read, else — a refused pod never exists — the
 * controller whose name it carries (controllers name their pods `<name>-<suffix>`), the longest such name.
 */
function wantedBy(refused: EntityRef, graph: EvidenceGraph): EntityRef | undefined {
  const owner = graph.ownerOf(refused);
  if (owner) return owner;
  return graph.workloads
    .map((w) => w.ref)
    .filter((w) => w.kind !== 'Pod' && w.namespace === refused.namespace && refused.name.startsWith(`${w.name}-`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

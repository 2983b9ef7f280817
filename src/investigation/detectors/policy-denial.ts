import { eventEvidence, eventSubject, foldRepeats, occurrences } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { policyDenials } from '../evidence/policy-denials.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import { quotedPolicy, webhookRefusals } from '../evidence/webhook-refusals.ts';
import { namedInRefusal, refusalText, tiedToWebhook } from '../evidence/admission-policies.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changeEvidence } from '../evidence/config-change.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The policy engine states it refused the objects: the refusal is reported, only its effect on the symptom is not. */
  refuses: 0.85,
  /**
   * A webhook's refusal quotes the policy it applied, and that policy exists: more specific than the webhook
   * configuration that relays it (admission-refused, 0.9), which then is its consequence.
   */
  quoted: 0.92,
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
    return [
      ...[...byPolicy.values()].map(({ policy, refused, events }): Finding => {
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
      }),
      ...quotedPolicyFindings(snapshot, graph),
    ];
  },
};

/**
 * Webhook refusals that name a rule read among the custom resources — a policy the message quotes, or any object of
 * the webhook's own engine (its API group shares the webhook's word) whose name the message holds: that rule refused
 * the pods.
 */
function quotedPolicyFindings(snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[] {
  const findings = new Map<string, Finding>();
  for (const { webhook, event } of webhookRefusals(foldRepeats(snapshot.events))) {
    const message = event.message ?? '';
    const quoted = quotedPolicy(message);
    const object = snapshot.customObjects.find(
      (o) =>
        (/Policy$/.test(o.kind) && o.metadata?.name === quoted) ||
        (tiedToWebhook(groupOf(o.apiVersion), [webhook]) && namedInRefusal(o, refusalText(message, webhook))),
    );
    if (!object) continue;
    const name = object.metadata?.name ?? '';
    const entity = refOf(object.kind, object.metadata);
    const creator = eventSubject(event);
    const affects = [creator, wantedBy(creator, graph)].filter((ref): ref is EntityRef => ref !== undefined);
    const held = findings.get(refKey(entity));
    if (held) {
      held.affects.push(...affects.filter((a) => !held.affects.some((h) => refKey(h) === refKey(a))));
      continue;
    }
    const changedAt = lastChange(object.metadata);
    findings.set(
      refKey(entity),
      finding(policyDenial, {
        entity,
        affects,
        strength: STRENGTH.quoted,
        summary: `${object.kind} ${name} refuses the pods of ${creator.kind} ${creator.name} at admission (webhook ${webhook} names it)${changedAt ? `; last changed at ${changedAt}` : ''}`,
        evidence: [eventEvidence(event), ...(changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : [])],
        ...(changedAt ? { changedAt } : {}),
      }),
    );
  }
  return [...findings.values()];
}

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

/** The API group of an apiVersion (`constraints.example.sh/v1beta1` → `constraints.example.sh`). */
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '');

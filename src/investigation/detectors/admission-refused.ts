import { eventEvidence } from '../evidence/events.ts';
import { webhookRefusals } from '../evidence/webhook-refusals.ts';
import { refOf } from '../evidence/graph.ts';
import { controllerOf } from '../evidence/owner-references.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The API server's event names the webhook that refused the pods: the refusal is stated, not inferred. */
  refuses: 0.9,
  /** The webhook cannot be called and fails closed: the configuration is at fault, or the webhook's backend is. */
  unreachable: 0.85,
} as const;

/**
 * Pods that are never created because an admission webhook refuses them (or cannot be reached and fails closed): the
 * webhook configuration that holds the webhook named in the controller's FailedCreate event governs it. The catalogue
 * has no type for it: other. (A quota that refuses them is the quota-exceeded detector's.)
 */
export const admissionRefused: Detector = {
  id: 'admission-refused',
  faultTypes: ['other'],
  detect(snapshot) {
    const configurations = [
      ...snapshot.validatingWebhookConfigurations.map((c) => ({ kind: 'ValidatingWebhookConfiguration', c })),
      ...snapshot.mutatingWebhookConfigurations.map((c) => ({ kind: 'MutatingWebhookConfiguration', c })),
    ];
    const findings = new Map<string, Finding>();
    for (const { webhook, event } of webhookRefusals(snapshot.events)) {
      const holder = configurations.find(({ c }) => (c.webhooks ?? []).some((w) => w.name === webhook));
      if (!holder) continue;
      const entity = refOf(holder.kind, holder.c.metadata);
      const creator = creatorOf(snapshot, event);
      // By kind too: a Validating and a Mutating configuration may share a name, and a cluster-scoped webhook refuses
      // workloads of the same name in several namespaces.
      const existing = findings.get(refKey(entity));
      if (existing) {
        seenAgain(existing, creator);
        continue;
      }
      const unreachable = /failed calling webhook/.test(event.message ?? '');
      const changedAt = lastChange(holder.c.metadata);
      findings.set(
        refKey(entity),
        finding(admissionRefused, {
          entity,
          affects: [creator],
          strength: unreachable ? STRENGTH.unreachable : STRENGTH.refuses,
          summary: `${holder.kind} ${entity.name}: its webhook ${webhook} ${unreachable ? 'cannot be called and fails closed, so' : 'refuses'} the pods of ${creator.kind} ${creator.name}${unreachable ? ' are never created' : ''}`,
          evidence: [
            eventEvidence(event),
            {
              source: 'spec',
              ref: entity,
              text: `${holder.kind} ${entity.name} holds webhook ${webhook}`,
            },
          ],
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

/** The workload behind the controller that reported the refusal: a ReplicaSet's Deployment, else the object itself. */
export function creatorOf(snapshot: ClusterSnapshot, event: ClusterSnapshot['events'][number]): EntityRef {
  const involved = event.involvedObject ?? {};
  const namespace = involved.namespace ?? event.metadata?.namespace ?? '';
  if (involved.kind === 'ReplicaSet') {
    const owner = controllerOf(
      snapshot.replicaSets.find((rs) => rs.metadata?.name === involved.name && rs.metadata?.namespace === namespace)
        ?.metadata,
    );
    if (owner) return { kind: owner.kind, namespace, name: owner.name };
  }
  return { kind: involved.kind ?? 'Pod', namespace, name: involved.name ?? '' };
}

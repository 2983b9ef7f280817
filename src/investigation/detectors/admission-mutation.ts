import { markNames, markingKinds, mutationMarks } from '../evidence/admission-marks.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { specStrings } from '../evidence/governing-resources.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { type LostInjection, lostInjections } from '../evidence/lost-injection.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import { type Evidence, type Finding, EVIDENCE_TEXT_LIMIT } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before it mutated the failing pods, which fail since: the rule, not their template, changed them. */
  changedThenMutated: 0.85,
  /** Mutated the failing pods, unchanged for long: a lead below a failing rollout (the pods may fail of their own). */
  mutated: 0.5,
  /**
   * Its spec names the very image of the container it added at admission that cannot start (the kubelet says why):
   * whenever it changed, that setting is what the pods run with — the fault is stated, and lives there.
   */
  namesInjectedImage: 0.95,
  /**
   * Changed between the older pods it mutated and the failing ones it did not, and its selectors no longer pick them:
   * what admission stopped adding is stated by the pods and explained by the selectors.
   */
  noLongerPicks: 0.9,
  /** Changed between the pods it mutated and the failing ones it did not (how it changed is not read). */
  changedBetween: 0.75,
} as const;

/** Whether the object's spec names the image: a container added at admission runs what its operator's resource says. */
const namesImage = (object: CustomObject, image: string | undefined): boolean =>
  image !== undefined && specStrings(object.spec).includes(image);

/** Kinds of the marking software considered (as many as were listed). */
const MAX_KINDS = 2;

/**
 * Failing pods were changed at admission by a rule whose object their marks name (admission-marks.ts): a rule made or
 * edited shortly before the pods were created changes what their template asks for (a read-only root filesystem, a
 * dropped capability), and the pods fail of it — the rule is the cause, the workload rolled out onto it a victim. The
 * catalogue has no type for it: other. A container admission added that cannot start (an injected agent whose image
 * cannot be pulled) is set by the resource whose spec names its image, whenever that was changed: pods made since run it.
 */
export const admissionMutation: Detector = {
  id: 'admission-mutation',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const lost = injectionsLost(snapshot, graph);
    const marks = mutationMarks(snapshot);
    if (marks.length === 0 || snapshot.customObjects.length === 0) return lost;
    const kinds = new Set(markingKinds(snapshot.apiGroups, marks, MAX_KINDS).map((kind) => kind.kind));
    const now = snapshotNow(snapshot);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const mark of marks) {
      const namespace = mark.pod.metadata?.namespace;
      const rules = snapshot.customObjects.filter(
        (object) =>
          kinds.has(object.kind) &&
          (mark.kind === undefined || mark.kind === object.kind) &&
          (!object.metadata?.namespace || object.metadata.namespace === namespace) &&
          (markNames(mark, object) || namesImage(object, mark.image)),
      );
      const workload = graph.workloadOf(mark.pod);
      for (const rule of rules) {
        const entity = refOf(rule.kind, rule.metadata);
        const held = findings.get(refKey(entity));
        if (held) {
          if (!held.affects.some((a) => refKey(a) === refKey(workload))) held.affects.push(workload);
          continue;
        }
        const changedAt = lastChange(rule.metadata);
        const at = toMs(changedAt);
        const markedAt = toMs(mark.at) ?? now;
        const changed = at !== undefined && at <= markedAt && changedBeforeOnset(at, onset);
        // A record of which policy admitted the pod (not a list of what it patched) says only that it applied, as it
        // applies to every pod it admits: unchanged since long before, pods ran under it before these failed.
        if (mark.kind && !changed) continue;
        const image = namesImage(rule, mark.image) ? mark.image : undefined;
        const pod = mark.pod.metadata?.name ?? '';
        const evidence: Evidence[] = [
          {
            source: 'spec',
            ref: { kind: 'Pod', namespace, name: pod },
            text: `${mark.by}: ${mark.text}`.slice(0, EVIDENCE_TEXT_LIMIT),
          },
          ...(changed && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
        ];
        findings.set(
          refKey(entity),
          finding(admissionMutation, {
            entity,
            affects: [workload],
            strength: image ? STRENGTH.namesInjectedImage : changed ? STRENGTH.changedThenMutated : STRENGTH.mutated,
            summary: image
              ? `${rule.kind} ${entity.name} names image ${image}, which a container it added at admission to pod ${pod} of ${workload.kind} ${workload.name} runs, beyond its template: ${mark.text}. Set the image there, not in the workload`
              : `${rule.kind} ${entity.name}${changed ? `, changed at ${changedAt},` : ''} changed pod ${pod} of ${workload.kind} ${workload.name} at admission, beyond its template, and the pod fails since: ${changed ? 'the rule, not the workload, changed what it runs with' : 'check what the rule sets against what the pod needs'}`,
            evidence,
            ...(changed && changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...lost, ...findings.values()];
  },
};

type WebhookConfiguration = ClusterSnapshot['mutatingWebhookConfigurations'][number];
type Webhook = NonNullable<WebhookConfiguration['webhooks']>[number];

/**
 * Whether a webhook is called when pods are created: a rule of the core group (or every group) naming pods, or every
 * resource (`*`, `*\/*` with subresources). A rule of another group names that group's resources, never pods.
 */
const mutatesPods = (webhook: Webhook): boolean =>
  (webhook.rules ?? []).some(
    (rule) =>
      (rule.apiGroups ?? ['*']).some((group) => group === '' || group === '*') &&
      (rule.resources ?? []).some((r) => r === 'pods' || r === '*' || r === '*/*') &&
      (rule.operations ?? []).some((op) => op === 'CREATE' || op === '*'),
  );

/**
 * Whether the webhook's selectors pick the pod now (an absent selector picks every object; a namespace not read may
 * carry the labels it asks for).
 */
function picks(
  webhook: Webhook,
  pod: LostInjection['pod'],
  namespaceLabels: Record<string, string> | undefined,
): boolean {
  const picksNamespace =
    !webhook.namespaceSelector || !namespaceLabels || matchesSelector(namespaceLabels, webhook.namespaceSelector);
  const picksObject = !webhook.objectSelector || matchesSelector(pod.metadata?.labels ?? {}, webhook.objectSelector);
  return picksNamespace && picksObject;
}

/**
 * Failing pods made without the containers admission added to their older siblings (lost-injection.ts): the mutating
 * webhook configuration that calls a webhook on pod creation and changed between the two is what stopped adding them
 * — surest when its selectors no longer pick the pods. The workload, whose template did not change, is its victim.
 */
function injectionsLost(snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[] {
  const findings = new Map<string, Finding>();
  for (const lost of lostInjections(snapshot)) {
    const namespace = lost.pod.metadata?.namespace ?? '';
    const read = snapshot.namespaces.find((n) => n.metadata?.name === namespace);
    const namespaceLabels = read
      ? { 'kubernetes.io/metadata.name': namespace, ...(read.metadata?.labels ?? {}) }
      : undefined;
    const workload = graph.workloadOf(lost.pod);
    for (const configuration of snapshot.mutatingWebhookConfigurations) {
      const webhooks = (configuration.webhooks ?? []).filter(mutatesPods);
      const changedAt = lastChange(configuration.metadata);
      const at = toMs(changedAt);
      if (webhooks.length === 0 || !changedAt || at === undefined || at <= lost.since || at > lost.until) continue;
      const entity = refOf('MutatingWebhookConfiguration', configuration.metadata);
      const held = findings.get(refKey(entity));
      if (held) {
        if (!held.affects.some((a) => refKey(a) === refKey(workload))) held.affects.push(workload);
        continue;
      }
      const passedOver = webhooks.filter((webhook) => !picks(webhook, lost.pod, namespaceLabels));
      const pod = lost.pod.metadata?.name ?? '';
      findings.set(
        refKey(entity),
        finding(admissionMutation, {
          entity,
          affects: [workload],
          strength: passedOver.length > 0 ? STRENGTH.noLongerPicks : STRENGTH.changedBetween,
          summary: `MutatingWebhookConfiguration ${entity.name}, changed at ${changedAt}, ${passedOver.length > 0 ? `no longer picks pod ${pod} of ${workload.kind} ${workload.name} (its selectors of webhook ${passedOver.map((w) => w.name).join(', ')} do not match)` : `changed between the pods of ${workload.kind} ${workload.name} made with ${lost.containers.join(', ')} and pod ${pod}, made without`}: the pod lacks ${lost.containers.join(', ')}, which admission added to its older siblings of the same template, and fails since`,
          evidence: [
            {
              source: 'spec',
              ref: { kind: 'Pod', namespace, name: pod },
              text: `pod ${pod} runs without ${lost.containers.join(', ')}, which older pods of the same template carry beyond it (added at admission)`,
            },
            changeEvidence(entity, changedAt, 'last changed'),
          ],
          changedAt,
        }),
      );
    }
  }
  return [...findings.values()];
}

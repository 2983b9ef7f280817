import { type ConfiguredName, configuredNames, kindNamedBy } from '../evidence/configured-objects.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { fieldNames, loggedFields, warnsOrErrs } from '../evidence/logged-objects.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { refOf } from '../evidence/graph.ts';
import { lastChange } from '../evidence/time.ts';
import { type Finding, EVIDENCE_TEXT_LIMIT } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before, and the using workload's error lines name it: its users fail at it. */
  namedInErrors: 0.75,
  /** Changed shortly before, used by a workload by its name: circumstantial, as a changed setting of its own is. */
  changedInUse: 0.6,
} as const;

/**
 * Whether the object is the one a setting's value names: by its own name, or by the name it gives what it stands for
 * (a topic resource's `spec.topicName`, a queue's `spec.queueName`), which may spell what its object name cannot (`.`).
 */
function isNamed(object: CustomObject, value: string): boolean {
  if (object.metadata?.name === value) return true;
  const word =
    object.kind
      .split(/(?<=[a-z0-9])(?=[A-Z])/)
      .at(-1)
      ?.toLowerCase() ?? '';
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  return Object.entries(spec).some(([field, given]) => field.toLowerCase() === `${word}name` && given === value);
}

// An object changed longer before than this stood without harm.
const NEAR = CHANGE_WINDOW;

/**
 * The objects the workloads' error and warning lines name in a field called after a kind's last word (`topic=orders`
 * for a …Topic): what they use, said by the workload itself, as a setting of that name would say it.
 */
function loggedNames(snapshot: ClusterSnapshot, graph: EvidenceGraph): (ConfiguredName & { line: string })[] {
  const named = new Map<string, ConfiguredName & { line: string }>();
  for (const log of snapshot.logs) {
    const pod = graph.pod(log.namespace, log.pod);
    if (!pod) continue;
    const workload = graph.workloadOf(pod);
    for (const line of log.lines.filter(warnsOrErrs))
      for (const { key, value } of loggedFields(line)) {
        const held = `${refKey(workload)} ${key}=${value}`;
        if (!named.has(held)) named.set(held, { workload, setting: `its log's ${key}=`, value, word: key, line });
      }
  }
  return [...named.values()];
}

/**
 * A custom resource a workload uses by name (a setting named after its kind: configured-objects.ts, or a field of its
 * own error and warning lines: `topic=orders`), changed shortly before: a topic's size limit, a queue's policy, a bucket's rule acts on the workload as its own setting would, with
 * nothing changed in the workload. Its users are victims. The catalogue has no type for it: other.
 */
export const configuredObject: Detector = {
  id: 'configured-object',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const names: (ConfiguredName & { line?: string })[] = [
      ...configuredNames(
        graph.workloads
          .filter((w) => w.ref.kind !== 'Pod' && w.ref.kind !== 'ReplicaSet')
          .map((w) => ({ ref: w.ref, spec: w.template?.spec })),
      ),
      ...loggedNames(snapshot, graph),
    ];
    if (names.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const object of snapshot.customObjects) {
      const users = names.filter(
        (name) =>
          isNamed(object, name.value) &&
          (name.line ? fieldNames(object.kind, name.word) : kindNamedBy(object.kind, name.word)),
      );
      if (users.length === 0) continue;
      const changedAt = lastChange(object.metadata);
      if (!changedBeforeOnset(changedAt, onset, NEAR)) continue;
      const entity = refOf(object.kind, object.metadata);
      const lines = users.flatMap(({ workload }) =>
        graph
          .podsOf(workload)
          .flatMap((pod) =>
            snapshot.logs
              .filter((log) => log.namespace === pod.metadata?.namespace && log.pod === pod.metadata?.name)
              .flatMap((log) => log.lines),
          ),
      );
      const quoted = users.find((user) => user.line)?.line ?? lines.find((line) => line.includes(entity.name));
      const who = users.map((u) => `${u.workload.kind} ${u.workload.name} (${u.setting})`).join(', ');
      findings.set(
        refKey(entity),
        finding(configuredObject, {
          entity,
          affects: [...new Map(users.map((u) => [refKey(u.workload), u.workload])).values()],
          strength: quoted ? STRENGTH.namedInErrors : STRENGTH.changedInUse,
          summary: `${object.kind} ${entity.name}, which ${who} ${users.length > 1 ? 'use' : 'uses'} by name, changed at ${changedAt}${quoted ? ', and the errors name it' : ''}: what it sets acts on its users as their own setting would. To confirm: compare what changed in it with what its users send or expect`,
          evidence: [
            changeEvidence(entity, changedAt as string, 'last changed'),
            ...(quoted
              ? [
                  {
                    source: 'log' as const,
                    ref: users[0]?.workload ?? entity,
                    text: quoted.slice(0, EVIDENCE_TEXT_LIMIT),
                  },
                ]
              : []),
          ],
          changedAt: changedAt as string,
        }),
      );
    }
    return [...findings.values()];
  },
};

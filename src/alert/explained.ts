import { z } from 'zod';
import { type EntityRef, EntityRefSchema } from '../investigation/model.ts';
import type { Alert } from './alert.ts';

/** What of a stored answer says what it explains: its root cause and the top hypothesis's path and evidence. */
export const AnswerPathSchema = z.object({
  rootCause: EntityRefSchema.nullable(),
  hypotheses: z.array(
    z.object({
      path: z.array(EntityRefSchema).default([]),
      evidence: z.array(z.object({ ref: EntityRefSchema })).default([]),
    }),
  ),
});
export type AnswerPath = z.infer<typeof AnswerPathSchema>;

/** Labels that name the object an alert is about, with the kinds they name (kube-state-metrics and common rules). */
const SUBJECT_LABELS: Record<string, string[]> = {
  deployment: ['Deployment'],
  statefulset: ['StatefulSet'],
  daemonset: ['DaemonSet'],
  job_name: ['Job'],
  cronjob: ['CronJob'],
  pod: ['Pod'],
  service: ['Service', 'Deployment', 'StatefulSet'],
  service_name: ['Service', 'Deployment', 'StatefulSet'],
  node: ['Node'],
  persistentvolumeclaim: ['PersistentVolumeClaim'],
};

/** Kinds whose pods are named `<name>-<suffix>`. */
const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

export interface Explanation {
  explained: boolean;
  reason: string;
}

const label = (ref: EntityRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/**
 * Whether an answer already explains an alert that joined its incident: the object the alert names is the root
 * cause, on the path from it to the symptom, or among the objects its evidence was read from (a pod of a workload
 * on that path counts). An alert that names no object is explained when its namespace is on that path. Pure: the
 * stored answer and the alert in, the verdict and why out.
 */
export function explainAlert(result: AnswerPath, alert: Alert): Explanation {
  const top = result.hypotheses[0];
  const onPath: EntityRef[] = [
    ...(result.rootCause ? [result.rootCause] : []),
    ...(top?.path ?? []),
    ...(top?.evidence.map((evidence) => evidence.ref) ?? []),
  ];
  if (onPath.length === 0) return { explained: false, reason: 'the answer names no root cause' };
  const namespace = alert.labels.namespace;
  const sameNamespace = (ref: EntityRef) => !ref.namespace || !namespace || ref.namespace === namespace;
  const subjects = Object.entries(SUBJECT_LABELS).flatMap(([name, kinds]) =>
    alert.labels[name] ? [{ name: alert.labels[name], kinds, labelName: name }] : [],
  );
  const cause = result.rootCause ? label(result.rootCause) : label(onPath[0]!);
  if (subjects.length === 0) {
    if (namespace && onPath.some((ref) => ref.namespace === namespace))
      return { explained: true, reason: `namespace ${namespace} is on the answer's path (${cause})` };
    return { explained: false, reason: `namespace ${namespace ?? '(none)'} is not on the answer's path (${cause})` };
  }
  for (const subject of subjects) {
    const match = onPath.find(
      (ref) =>
        sameNamespace(ref) &&
        ((subject.kinds.includes(ref.kind) && ref.name === subject.name) ||
          (subject.labelName === 'pod' && POD_OWNERS.has(ref.kind) && subject.name.startsWith(`${ref.name}-`))),
    );
    if (match) return { explained: true, reason: `${label(match)} is on the answer's path (${cause})` };
  }
  const named = subjects.map((subject) => `${subject.labelName}=${subject.name}`).join(', ');
  return { explained: false, reason: `${named} is not on the answer's path (${cause})` };
}

import type { V1ObjectMeta } from '@kubernetes/client-node';
import { RESTARTED_AT } from './restarted-after.ts';
import type { ReplicaSet } from './revisions.ts';
import type { Plain } from './snapshot.ts';
import { CONTROLLER_MANAGERS, toMs } from './time.ts';

/** How far apart the workload's own write and the new revision's creation may be and still be one change. */
const SAME_CHANGE = 2 * 60_000;

/** Who wrote the workload's template into a new revision, and when. */
export interface TemplateWrite {
  manager: string;
  at: string;
}

/**
 * A new revision whose template the snapshot shows equal to the one before, yet made by a person's or a deploy tool's
 * write to the workload at its creation: a Deployment makes a new ReplicaSet only for a template that differs (an equal
 * one is reused), so the write changed what the ReplicaSets kept do not show (a pruned or rewritten revision). A
 * `kubectl rollout restart` (the restartedAt annotation moved) changes nothing the pods run, and is not one.
 */
export function unseenTemplateWrite(
  workload: Plain<V1ObjectMeta> | undefined,
  previous: ReplicaSet,
  current: ReplicaSet,
): TemplateWrite | undefined {
  const restartedAt = (rs: ReplicaSet) => rs.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
  if (restartedAt(previous) !== restartedAt(current)) return undefined;
  const created = toMs(current.metadata?.creationTimestamp);
  if (created === undefined) return undefined;
  const write = (workload?.managedFields ?? []).find((entry) => {
    const time = toMs(entry.time);
    return (
      time !== undefined &&
      Math.abs(time - created) <= SAME_CHANGE &&
      entry.subresource !== 'status' &&
      !CONTROLLER_MANAGERS.test(entry.manager ?? '')
    );
  });
  return write?.time ? { manager: write.manager ?? 'an unnamed manager', at: write.time } : undefined;
}

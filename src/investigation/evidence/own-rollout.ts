import type { EntityRef } from '../model.ts';
import { runsOtherCode } from './code-change.ts';
import { envChanges } from './env-changes.ts';
import { revisions } from './revisions.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Whether the workload changed itself shortly before the onset: its newest revision, created within the window
 * (`inWindow`), runs other code (image, command, arguments) or other env values than the one before. A restart that
 * only picks a changed Secret or ConfigMap up (a reloader's annotation, `rollout restart`) changes neither: it is not a
 * change of its own. A reader that changed itself beside a Secret it reads changed in front of it: the Secret's edit is not singled out
 * unless what is read speaks of the credential (a refusal).
 */
export function rolledOwnChange(
  snapshot: ClusterSnapshot,
  workload: EntityRef,
  inWindow: (at: string | undefined) => boolean,
): boolean {
  const [current, previous] = revisions(snapshot, workload);
  if (!current || !previous || !inWindow(current.metadata?.creationTimestamp)) return false;
  const before = previous.spec?.template?.spec?.containers ?? [];
  const after = current.spec?.template?.spec?.containers ?? [];
  return runsOtherCode(before, after) || envChanges(before, after).length > 0;
}

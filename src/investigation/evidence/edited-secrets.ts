import type { SecretChange } from '../tools/secret-changes.ts';
import { changedBeforeOnset, EDITED_SECRET_WINDOW, type Onset } from './onset.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange, toMs } from './time.ts';

/**
 * A credential rotated by hand, re-synced from a cloud secret store or re-sealed leaves no status, no event and no
 * failing probe; its readers may run ready off the alert's path (an ingester feeding the data the alert misses, a
 * worker uploading what the alerted service waits for). Only its metadata says it changed. Of the Secrets whose
 * metadata was listed (tools/secret-changes.ts), those written after their creation shortly before the onset that a
 * running pod of the namespace reads and that were not read yet, newest first, at most `max`: each is read by its name
 * (key names only), so that its readers' logs are read next (edited-secret-log-targets.ts) and judged
 * (detectors/bad-secret-value.ts).
 */
export function editedSecretsToRead(
  changes: readonly SecretChange[],
  snapshot: ClusterSnapshot,
  namespace: string,
  onset: Onset,
  max: number,
): string[] {
  const running = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && pod.status?.phase === 'Running',
  );
  const read = new Set(
    snapshot.secrets.filter((s) => s.metadata?.namespace === namespace).map((s) => s.metadata?.name ?? ''),
  );
  const referenced = podReferences(running, []).secrets;
  return changes
    .flatMap(({ metadata }) => {
      const name = metadata.name ?? '';
      const changedAt = lastChange(metadata);
      const edited =
        changedAt !== undefined &&
        changedAt !== metadata.creationTimestamp &&
        changedBeforeOnset(changedAt, onset, EDITED_SECRET_WINDOW);
      return edited && referenced.has(name) && !read.has(name) ? [{ name, at: toMs(changedAt) ?? 0 }] : [];
    })
    .sort((a, b) => b.at - a.at)
    .slice(0, max)
    .map(({ name }) => name);
}

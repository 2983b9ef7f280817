import type { LogTarget } from './log-targets.ts';
import { controllerOf } from './owner-references.ts';
import { isPodReady } from './pod-state.ts';
import { changedBeforeOnset, EDITED_SECRET_WINDOW, type Onset } from './onset.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange, toMs } from './time.ts';

type Pod = ClusterSnapshot['pods'][number];
type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];

/** The controller a pod belongs to (its first owner): replicas of one workload share it. */
const ownerKey = (pod: Pod): string =>
  `${pod.metadata?.namespace}/${(controllerOf(pod.metadata) ?? pod.metadata?.ownerReferences?.[0])?.name ?? pod.metadata?.name}`;

/**
 * Whether the edit reached the running container. A mounted Secret (a volume, a projected source) is refreshed in place
 * by the kubelet: at once. Env (valueFrom, envFrom) is resolved when the container starts: only through a start since.
 * A pull secret is the kubelet's, not the program's: no reading.
 */
function reached(pod: Pod, container: Container, secret: string, changed: number): boolean {
  const volumes = new Set(
    (pod.spec?.volumes ?? [])
      .filter(
        (volume) =>
          volume.secret?.secretName === secret ||
          (volume.projected?.sources ?? []).some((source) => source.secret?.name === secret),
      )
      .map((volume) => volume.name),
  );
  if ((container.volumeMounts ?? []).some((mount) => volumes.has(mount.name))) return true;
  const viaEnv =
    (container.env ?? []).some((env) => env.valueFrom?.secretKeyRef?.name === secret) ||
    (container.envFrom ?? []).some((source) => source.secretRef?.name === secret);
  if (!viaEnv) return false;
  const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === container.name);
  const started = status?.state?.running?.startedAt ?? pod.status?.startTime;
  return (toMs(started ? String(started) : undefined) ?? 0) >= changed;
}

/**
 * A Secret edited shortly before the onset (a rotation, a sync from a cloud secret store, a hand edit) changed what its
 * readers present to a server or a third-party API; a refused credential leaves no status, no event and no failing
 * probe of its own, and the reader may stand off the alert's path (a worker that sends mail, an ingester that feeds
 * the data the alert misses). Only the reader's words tell whether the new value is refused: one running reader's log
 * per Secret, newest edit first, at most `max` — a reader the new value reached, of a workload none of whose logs said
 * anything yet (a replica read but silent does not speak for the others).
 */
export function editedSecretLogTargets(snapshot: ClusterSnapshot, onset: Onset, max: number): LogTarget[] {
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const podsByName = new Map(snapshot.pods.map((pod) => [`${pod.metadata?.namespace}/${pod.metadata?.name}`, pod]));
  const heard = new Set(
    snapshot.logs.flatMap((log) => {
      const pod = podsByName.get(`${log.namespace}/${log.pod}`);
      return pod && log.lines.length > 0 ? [ownerKey(pod)] : [];
    }),
  );
  const edited = snapshot.secrets
    .map((secret) => ({ secret, changedAt: lastChange(secret.metadata) }))
    .filter(
      ({ secret, changedAt }) =>
        changedAt !== undefined &&
        changedAt !== secret.metadata?.creationTimestamp &&
        changedBeforeOnset(changedAt, onset, EDITED_SECRET_WINDOW),
    )
    .sort((a, b) => (toMs(b.changedAt) ?? 0) - (toMs(a.changedAt) ?? 0));
  const targets: LogTarget[] = [];
  for (const { secret, changedAt } of edited) {
    if (targets.length >= max) break;
    const namespace = secret.metadata?.namespace ?? '';
    const name = secret.metadata?.name ?? '';
    const changed = toMs(changedAt) as number;
    const readers = snapshot.pods
      .filter(
        (pod) =>
          pod.metadata?.namespace === namespace &&
          pod.status?.phase === 'Running' &&
          !read.has(`${namespace}/${pod.metadata?.name}`) &&
          !heard.has(ownerKey(pod)),
      )
      .flatMap((pod) =>
        (pod.spec?.containers ?? [])
          .filter((container) => reached(pod, container, name, changed))
          .map((container) => ({ pod, container: container.name })),
      )
      // A replica that is not ready shows trouble already: heard first.
      .sort((a, b) => Number(isPodReady(a.pod)) - Number(isPodReady(b.pod)));
    const reader = readers[0];
    if (!reader) continue;
    heard.add(ownerKey(reader.pod));
    targets.push({
      namespace,
      pod: reader.pod.metadata?.name ?? '',
      container: reader.container,
      previous: false,
      why: `reads Secret ${name}, edited at ${changedAt}, shortly before the symptom: whether its new value is refused`,
    });
  }
  return targets;
}

import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Plain } from './snapshot.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function toMs(time: string | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The time the investigation reasons at, in ms: the snapshot's `now`, set once when the evidence is read (a replayed
 * scenario's time, or the wall clock then). Pure code takes it from here, never from the clock.
 */
export function snapshotNow(snapshot: { now: string }): number {
  const now = toMs(snapshot.now);
  if (now === undefined) throw new Error(`the snapshot's now (${JSON.stringify(snapshot.now)}) is not a time`);
  return now;
}

export const latest = (times: (string | undefined)[]): string | undefined =>
  times
    .filter((time): time is string => toMs(time) !== undefined)
    .sort((a, b) => (toMs(a) as number) - (toMs(b) as number))
    .at(-1);

// Controllers write status through managedFields too; only people and deploy tools change what an object means.
export const CONTROLLER_MANAGERS = /^(kube-controller-manager|kube-scheduler|kubelet|kube-apiserver)$/;

/** When people and deploy tools (not controllers) wrote the object (managedFields), status reports left out. */
export const ownEditTimes = (metadata: Plain<V1ObjectMeta> | undefined): string[] =>
  (metadata?.managedFields ?? [])
    .filter((field) => !CONTROLLER_MANAGERS.test(field.manager ?? '') && field.subresource !== 'status')
    .flatMap((field) => (field.time ? [field.time] : []));

/** When someone last changed the object's spec or data (managedFields), falling back to its creation. */
export function lastChange(metadata: Plain<V1ObjectMeta> | undefined): string | undefined {
  return latest([...ownEditTimes(metadata), metadata?.creationTimestamp]);
}

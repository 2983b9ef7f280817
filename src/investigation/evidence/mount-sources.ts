import type { WantedList } from './custom-read-plan.ts';
import type { CustomObject } from './custom-object.ts';
import { servedCustomKind } from './custom-object.ts';
import { aboutPod, firstSeen } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type KubeEvent = ClusterSnapshot['events'][number];

/**
 * A volume a CSI driver provides is described by the pod only in `volumeAttributes`, free-form strings the driver reads;
 * what it mounts is often set in an object of the driver's own kind, which the attributes name under a key spelled as
 * that kind (`secretProviderClass: vault-kv`, `bucketProfile: archive`). The kubelet reports a volume it cannot set up
 * in a FailedMount Warning event naming the volume; the pods wait in ContainerCreating. The object the failing volume
 * names is then where what the mount asks for is written — found by the attribute's key among the kinds discovery
 * serves, never by a driver's name.
 */
export interface MountSource {
  pod: Pod;
  volume: string;
  /** The attribute's key, as written (`secretProviderClass`). */
  key: string;
  /** The object's name, the attribute's value. */
  name: string;
  /** The newest FailedMount event about the volume. */
  failure: KubeEvent;
  /** When the mount first failed, as the events say. */
  since?: string;
}

/** A value that can be an object's name: a DNS subdomain, not a path, a URL, a number or a flag. */
const OBJECT_NAME = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
/** Keys shorter than this name too many kinds by chance (`type`, `mode`). */
const MIN_KEY = 6;

/** The volume a FailedMount message is about (`MountVolume.SetUp failed for volume "kv" : …`). */
const FAILED_VOLUME = /for volume "([^"]+)"/;

/** The pods' volumes that name an object in their CSI attributes and fail to mount, with the failure. */
export function mountSources(snapshot: ClusterSnapshot): MountSource[] {
  const failures = snapshot.events.filter(
    (e) => e.type === 'Warning' && e.reason === 'FailedMount' && e.involvedObject?.kind === 'Pod',
  );
  if (failures.length === 0) return [];
  return snapshot.pods.flatMap((pod) => {
    const about = aboutPod(failures, pod);
    return (pod.spec?.volumes ?? []).flatMap((volume) => {
      const failed = about.filter((e) => FAILED_VOLUME.exec(e.message ?? '')?.[1] === volume.name);
      const failure = failed[0];
      if (!failure) return [];
      const since = firstSeen(failed);
      return Object.entries(volume.csi?.volumeAttributes ?? {})
        .filter(([key, value]) => key.length >= MIN_KEY && OBJECT_NAME.test(value) && !/^\d+$/.test(value))
        .map(([key, name]) => ({ pod, volume: volume.name, key, name, failure, ...(since ? { since } : {}) }));
    });
  });
}

/** The served custom kind, namespaced, spelled as the attribute's key (`secretProviderClass` → SecretProviderClass). */
export function kindOfKey(snapshot: ClusterSnapshot, key: string) {
  const served = servedCustomKind(
    snapshot.apiGroups,
    (r) => r.namespaced && r.kind.toLowerCase() === key.toLowerCase(),
  );
  return served && { group: served.group, version: served.version, plural: served.plural, kind: served.kind };
}

/** A failing mount names its source's kind first among the lists a reader wants. */
const RELEVANCE = 3;

/** The lists holding the objects failing volumes name: one per kind and namespace. */
export function mountSourceLists(snapshot: ClusterSnapshot): WantedList[] {
  return mountSources(snapshot).flatMap(({ pod, volume, key, name }) => {
    const resource = kindOfKey(snapshot, key);
    const namespace = pod.metadata?.namespace;
    if (!resource || !namespace) return [];
    return [
      {
        resource,
        namespace,
        why: `volume ${volume} of pod ${pod.metadata?.name} fails to mount, and its attributes name ${resource.kind} ${name}`,
        relevance: RELEVANCE,
      },
    ];
  });
}

/** The object a failing volume names, as read. */
export function sourceObject(snapshot: ClusterSnapshot, source: MountSource): CustomObject | undefined {
  return snapshot.customObjects.find(
    (o) =>
      o.kind.toLowerCase() === source.key.toLowerCase() &&
      o.metadata?.name === source.name &&
      o.metadata?.namespace === source.pod.metadata?.namespace,
  );
}

/** Strings shorter than this are quoted by chance (`secret`, `true`). */
const MIN_QUOTED = 6;

/** The strings of an object's spec, wherever in it (and, for multi-line values, each of their words). */
function specWords(spec: unknown): string[] {
  if (typeof spec === 'string') return spec.split(/[\s:,'"|[\]{}]+/).filter(Boolean);
  if (Array.isArray(spec)) return spec.flatMap(specWords);
  if (spec && typeof spec === 'object') return Object.values(spec).flatMap(specWords);
  return [];
}

/**
 * A value of the object's spec the mount error quotes (the secret it lists that the store no longer holds): the error
 * is about what the object asks for. Undefined when it quotes none.
 */
export function quotedSetting(object: CustomObject, message: string): string | undefined {
  return specWords(object.spec)
    .filter((word) => word.length >= MIN_QUOTED && /[a-z]/i.test(word) && /[-_.\d]/.test(word))
    .find((word) => new RegExp(`(?<![\\w.-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(message));
}

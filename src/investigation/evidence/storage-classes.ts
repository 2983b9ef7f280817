import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { eventsFor } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange, snapshotNow, toMs } from './time.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/**
 * A claim is provisioned by its StorageClass's provisioner with the class's `parameters` (a volume type, an encryption
 * key, a pool, a replica count): when provisioning fails, the provisioner's error says with which class, and when it
 * names one of those parameters' values (the key it could not use, the pool it could not write to), the setting that
 * fails is the class's — every claim of that class fails alike, and the claim itself is only where it shows.
 */

/** A provisioning failure naming its class: `failed to provision volume with StorageClass "gp3-kms": …`. */
const PROVISIONED_WITH = /failed to provision volume with StorageClass "([^"]+)"/;

/** The class a provisioning failure names, if it does. */
export const provisioningClass = (message: string | undefined): string | undefined =>
  PROVISIONED_WITH.exec(message ?? '')?.[1];

type Claim = ClusterSnapshot['persistentVolumeClaims'][number];

/** The Warning events of a Pending claim that name the class it failed to be provisioned with. */
function provisioningFailures(snapshot: ClusterSnapshot, claim: Claim): { class: string; message: string }[] {
  if (claim.status?.phase !== 'Pending') return [];
  return eventsFor(snapshot, 'PersistentVolumeClaim', claim.metadata?.namespace, claim.metadata?.name ?? '')
    .filter((event) => event.type === 'Warning')
    .flatMap((event) => {
      const named = provisioningClass(event.message);
      return named ? [{ class: named, message: event.message ?? '' }] : [];
    });
}

/** Values shorter than this match by chance (`true`, `gp3`, `3`). */
const SHORTEST_VALUE = 8;

/**
 * The parameter of the class whose value the failure names, apart from the class's own name: the value whole, or its
 * last segment (the id of a key's resource name, `arn:…:key/<id>`), as providers quote either.
 */
export function parameterNamed(
  storageClass: CustomObject,
  message: string,
): { key: string; value: string; named: string } | undefined {
  const name = storageClass.metadata?.name ?? '';
  const said = message.split(`StorageClass "${name}"`).join(' ');
  const parameters = (storageClass as { parameters?: Record<string, unknown> }).parameters ?? {};
  for (const [key, raw] of Object.entries(parameters)) {
    if (typeof raw !== 'string') continue;
    const forms = new Set([raw, raw.split(/[/:]/).at(-1) ?? '']);
    for (const form of forms)
      if (form.length >= SHORTEST_VALUE && form !== name && said.includes(form))
        return { key, value: raw, named: form };
  }
  return undefined;
}

/**
 * Claims of the namespace stay Pending because their provisioning failed with a class the error names, and no
 * StorageClass was read: the classes, cluster-wide — whether the error names one of the class's parameters.
 */
export function storageClassLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  if (snapshot.customObjects.some((o) => o.kind === 'StorageClass')) return [];
  const failing = snapshot.persistentVolumeClaims.filter(
    (claim) => claim.metadata?.namespace === namespace && provisioningFailures(snapshot, claim).length > 0,
  );
  if (failing.length === 0) return [];
  return [
    storageClassList(
      snapshot,
      `claim ${failing[0]?.metadata?.name} in ${namespace} failed to be provisioned with the class its error names: that class's parameters`,
      5,
    ),
  ];
}

/** The list of every StorageClass (cluster-scoped, few), at the version discovery serves. */
export function storageClassList(snapshot: ClusterSnapshot, why: string, relevance: number): WantedList {
  const served = snapshot.apiGroups
    .find(({ group }) => group === 'storage.k8s.io')
    ?.resources?.find((r) => r.kind === 'StorageClass');
  return {
    resource: {
      group: 'storage.k8s.io',
      version: served?.version ?? 'v1',
      plural: 'storageclasses',
      kind: 'StorageClass',
    },
    why,
    relevance,
  };
}

/** A Pending claim's provisioning failure that names a parameter of its StorageClass (read): the class, the parameter. */
export interface ClassParameterFailure {
  failure: { class: string; message: string };
  storageClass: CustomObject;
  parameter: { key: string; value: string; named: string };
}

/**
 * The claim's provisioning failures that name a parameter of the StorageClass they name, when that class was read and
 * is what changed (classIsTheChange): an error quotes the class's settings whichever side is wrong.
 */
export function classParameterFailures(snapshot: ClusterSnapshot, claim: Claim): ClassParameterFailure[] {
  return provisioningFailures(snapshot, claim).flatMap((failure) => {
    const storageClass = snapshot.customObjects.find(
      (o) => o.kind === 'StorageClass' && o.metadata?.name === failure.class,
    );
    const parameter = storageClass && parameterNamed(storageClass, failure.message);
    return storageClass && parameter && classIsTheChange(snapshot, storageClass, claim)
      ? [{ failure, storageClass, parameter }]
      : [];
  });
}

/**
 * Whether the class, not the claim, is what changed. A class's parameters are used when a volume is provisioned: a
 * claim of the class bound since the class last changed proves the class provisions as it is, and the failing claim's
 * own request (its size, its access mode) is what the provisioner refuses. Otherwise the class is the change when it
 * changed after the claim was made, or shortly before the incident, or when other claims of it fail alike; an old
 * class that only this claim fails on says nothing against the class — unsure, the claim (the newer object) answers.
 * A class or claim whose time was not read is not newer for it: then only other claims failing alike blame the class.
 */
function classIsTheChange(snapshot: ClusterSnapshot, storageClass: CustomObject, claim: Claim): boolean {
  const name = storageClass.metadata?.name;
  const ofClass = snapshot.persistentVolumeClaims.filter((c) => c !== claim && c.spec?.storageClassName === name);
  const othersFailAlike = () => ofClass.some((c) => provisioningFailures(snapshot, c).some((f) => f.class === name));
  const classChanged = toMs(lastChange(storageClass.metadata));
  if (classChanged === undefined) return othersFailAlike();
  const provenSince = ofClass.some(
    (c) => c.status?.phase === 'Bound' && (toMs(c.metadata?.creationTimestamp) ?? 0) >= classChanged,
  );
  if (provenSince) return false;
  const claimChanged = toMs(lastChange(claim.metadata));
  if (claimChanged !== undefined && classChanged >= claimChanged) return true;
  if (snapshotNow(snapshot) - classChanged <= SUSPECT_CHANGE_WINDOW) return true;
  return othersFailAlike();
}

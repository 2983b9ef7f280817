import { deliveriesTo } from './acting-from-beyond.ts';
import { reporterKinds, unallocated, warningsAbout } from './address-pools.ts';
import { builtInGroup } from './custom-object.ts';
import type { SnapshotReader } from './snapshot-reader.ts';

/** Custom kinds listed at most for each of: the sources feeding a consumer, the pools of a load balancer's allocator. */
const MAX_KINDS = 2;

/** What discovery calls a kind whose objects emit events into a hub (an event source), never a product's name. */
const SOURCE_KIND = /Source$/;

/**
 * Last, and only when nothing read explains the symptom: what acts on its path from beyond its namespace, through the
 * references those objects carry (acting-from-beyond.ts) — every Ingress of the cluster (another may claim the same
 * host), the sources that feed the hubs delivering to the alerted Service — and the address pools of a LoadBalancer
 * Service its allocator reports it cannot give an address (address-pools.ts). On top of the budget: a few lists, and
 * only for an empty answer — or, for the pools, for a Service its allocator warns about.
 */
export async function readBeyondThePath(reader: SnapshotReader): Promise<void> {
  const { snapshot } = reader;
  const lbServices = snapshot.services.filter(unallocated);
  // A Service left without an address while its allocator warns that it cannot give one: no change of the Service
  // explains that refusal (recreated, it asks for an address like any other), so its pools are read even when a
  // suspect was found — that suspect is usually the Service's own change.
  const refused = lbServices.some((service) => warningsAbout(snapshot, service).length > 0);
  const unexplained = reader.unexplained();
  if (!unexplained && !refused) return;
  const routed =
    unexplained && snapshot.ingresses.some((ingress) => (ingress.spec?.rules ?? []).some((rule) => rule.host));
  const delivered = unexplained && deliversToSymptom(reader);
  if (!routed && lbServices.length === 0 && !delivered) return;
  await reader.beyondBudget(async () => {
    const reads: Promise<void>[] = [];
    const what: string[] = [];
    if (routed) {
      reads.push(reader.list('Ingress', 'another Ingress may claim the host and path in front of the symptom', {}));
      what.push('the Ingresses of every namespace');
    }
    // The Warning events of the namespaces the unallocated Services live in (taken from a cluster-wide list when read).
    for (const namespace of new Set(lbServices.map((s) => s.metadata?.namespace ?? ''))) {
      reads.push(reader.list('Event', `a LoadBalancer Service in ${namespace} has no address: why`, { namespace }));
    }
    await Promise.all(reads);
    const kinds = [
      ...(delivered ? sourceKinds(reader) : []).map((k) => ({
        ...k,
        why: 'the sources of the hub that delivers to the alerted consumer',
      })),
      ...lbServices
        .flatMap((service) => reporterKinds(snapshot.apiGroups, warningsAbout(snapshot, service)))
        .slice(0, MAX_KINDS)
        .map((k) => ({
          ...k,
          namespace: undefined,
          why: 'the allocator reports it cannot give a LoadBalancer Service an address: the pools it allocates from',
        })),
    ];
    if (kinds.length > 0) {
      await reader.wave(
        5,
        `${unexplained ? 'Nothing read explains the symptom' : 'A LoadBalancer Service is refused an address'}: reading what acts on its path from beyond it (${[...what, ...kinds.map((k) => k.kind)].join(', ')})`,
        kinds.map(({ group, version, plural, namespace, why }) =>
          reader.listCustom({ group, version, plural }, namespace, why),
        ),
      );
    } else if (what.length > 0) await reader.waveDone(5);
  });
}

/** Whether a custom object read delivers to a Service of the namespace (a trigger's subscriber). */
function deliversToSymptom(reader: SnapshotReader): boolean {
  return reader.snapshot.services.some(
    (service) =>
      service.metadata?.namespace === reader.namespace &&
      deliveriesTo(reader.snapshot, { name: service.metadata.name ?? '', namespace: reader.namespace }).length > 0,
  );
}

/** The source kinds discovery names, to list where the deliveries to the namespace's Services live. */
function sourceKinds(reader: SnapshotReader) {
  return reader.snapshot.apiGroups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources.filter((r) => r.namespaced && SOURCE_KIND.test(r.kind)).map((r) => ({ group, ...r })),
    )
    .slice(0, MAX_KINDS)
    .map((k) => ({ ...k, namespace: reader.namespace as string | undefined }));
}

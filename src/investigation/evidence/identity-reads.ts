import { accountOf, bindingKinds, principalsOf, refusedForIdentity } from './identity-chain.ts';
import { listedAlready } from './custom-read-plan.ts';
import type { LogTarget } from './log-targets.ts';
import type { SnapshotReader } from './snapshot-reader.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type Container = NonNullable<Pod['spec']>['containers'][number];

/** Namespaces whose ServiceAccounts are read for identity refusals, at most. */
const MAX_IDENTITY_NAMESPACES = 2;
/** Kinds of identity bindings read (each one list across the cluster), at most. */
const MAX_BINDING_KINDS = 2;
/** Containers read beside an application that calls its own pod, at most. */
const MAX_LOOPBACK_SIDECARS = 1;

/** An address of the pod itself: what a container calls there is served by another container beside it. */
const LOOPBACK = /(?:^|[^\w.])(?:127\.0\.0\.1|localhost|\[?::1\]?)(?![\w.])/i;

const settingsOf = (container: Container | undefined): string[] => [
  ...(container?.env ?? []).map((variable) => variable.value ?? ''),
  ...(container?.args ?? []),
  ...(container?.command ?? []),
];

/**
 * Pods whose log was read from a container that calls its own pod (its settings, or its error lines, name the
 * loopback address): what it calls is another container beside it — a database or cloud proxy, an agent — whose own
 * log says why the calls fail (the application only sees the connection drop or be refused). One other running
 * container of such a pod, at most `max`, never one read.
 */
export function loopbackSidecarTargets(snapshot: ClusterSnapshot, namespace: string, max: number): LogTarget[] {
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}/${log.container}`));
  const targets: LogTarget[] = [];
  for (const log of snapshot.logs) {
    if (targets.length >= max) break;
    if (log.previous || log.namespace !== namespace) continue;
    const pod = snapshot.pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === log.pod);
    const containers = pod?.spec?.containers ?? [];
    const own = containers.find((c) => c.name === log.container);
    const callsItsPod =
      settingsOf(own).some((value) => LOOPBACK.test(value)) || log.lines.some((l) => LOOPBACK.test(l));
    if (!pod || !callsItsPod) continue;
    const running = new Set((pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
    const beside = containers.find(
      (c) => c.name !== log.container && running.has(c.name) && !read.has(`${namespace}/${log.pod}/${c.name}`),
    );
    if (!beside) continue;
    read.add(`${namespace}/${log.pod}/${beside.name}`);
    targets.push({
      namespace,
      pod: log.pod,
      container: beside.name,
      previous: false,
      why: `${log.container} calls its own pod (loopback): ${beside.name} beside it serves those calls, and its log says why they fail`,
    });
  }
  return targets;
}

/** Reads the log of the container beside an application that calls its own pod (loopbackSidecarTargets). */
export async function readLoopbackSidecars(reader: SnapshotReader, limit: number): Promise<void> {
  const targets = loopbackSidecarTargets(
    reader.snapshot,
    reader.namespace,
    Math.min(MAX_LOOPBACK_SIDECARS, reader.leftWithin(limit)),
  );
  if (targets.length === 0) return;
  await reader.wave(
    4,
    `Reading the containers that serve calls to their own pod: ${targets.map((t) => `${t.pod}/${t.container}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/** Pods whose logs read say a call was refused for the caller's identity. */
function identityRefusedPods(snapshot: ClusterSnapshot): Pod[] {
  const refused = snapshot.logs.filter((log) => log.lines.some(refusedForIdentity));
  return snapshot.pods.filter((pod) =>
    refused.some((log) => log.namespace === pod.metadata?.namespace && log.pod === pod.metadata?.name),
  );
}

/**
 * Calls refused for the caller's identity: the chain that gives a pod its identity. First the ServiceAccounts of the
 * refused pods' namespaces (which principal each names, and which other account names it too); then, when the
 * refused pods' accounts name a principal, the kinds discovery names that grant such principals their access or let an
 * account act as one (cluster-wide: they live where the identity's operator keeps them, not beside the pods).
 */
export async function readIdentityChain(reader: SnapshotReader): Promise<void> {
  const refused = identityRefusedPods(reader.snapshot);
  const where = [...new Set(refused.map((pod) => pod.metadata?.namespace ?? ''))].slice(0, MAX_IDENTITY_NAMESPACES);
  if (where.length === 0) return;
  const why = 'pods log calls refused for who they are: the identity their ServiceAccounts name';
  await reader.wave(
    4,
    `Reading ServiceAccounts in ${where.join(', ')}: ${why}`,
    where.map((namespace) => reader.list('ServiceAccount', `${why} (${namespace})`, { namespace })),
  );
  const accounts = reader.snapshot.serviceAccounts;
  const named = refused.some(
    (pod) =>
      principalsOf(
        accounts.find((a) => a.metadata?.namespace === pod.metadata?.namespace && a.metadata?.name === accountOf(pod)),
      ).length > 0,
  );
  if (!named) return;
  const kinds = bindingKinds(reader.snapshot.apiGroups, MAX_BINDING_KINDS).filter(
    (kind) => !listedAlready(reader.customListed, kind, undefined),
  );
  if (kinds.length === 0) return;
  reader.routingSpent += kinds.length;
  await reader.wave(
    4,
    `Reading ${kinds.map((k) => k.kind).join(', ')}: what grants the identity the refused pods act as`,
    kinds.map((kind) =>
      reader.listCustom(kind, undefined, `the ${kind.kind}s that grant the identity the refused pods act as`),
    ),
  );
}

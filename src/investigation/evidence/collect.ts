import { AUTH_FAILURE } from './auth-refusal.ts';
import { secretsTheResourceNames } from './resource-secrets.ts';
import type { Alert } from '../../alert/alert.ts';
import type { LogRead } from './locate-namespace.ts';
import { failsToReach } from './connection-failures.ts';
import { readBeyondThePath } from './beyond-path-reads.ts';
import { alertText, type Focus, hintsAt, NAMING_LABELS, namedPart, namespacesNamed } from '../focus.ts';
import { type ObjectKind, type ObjectOf, typedCustomKind } from '../tools/kinds.ts';
import { controllerOf } from './owner-references.ts';
import { lostInjections } from './lost-injection.ts';
import { selectorString } from '../tools/selector.ts';
import {
  answeredByServer,
  onlyOutsideNames,
  CLUSTER_DNS_NAMESPACE,
  clusterDnsLogTarget,
  externalAliasOf,
  failsForExistingService,
  forwardingDnsLogTarget,
  clusterDnsObjects,
  mountedConfigMaps,
  namedForDns,
  resolutionErrors,
  resolverIps,
  servesDns,
} from './cluster-dns.ts';
import { readInFull } from './completeness.ts';
import { forwardingBlocksOf, holdsServerBlocks } from './corefile.ts';
import { asNetworkPolicies, cniPolicyKinds } from './cni-policies.ts';
import { namespacesOfDialledPorts } from './dialled-ports.ts';
import { forbiddenCalls, tokenlessPods } from './forbidden.ts';
import { generatingKinds } from './generations.ts';
import { readIdentityChain, readLoopbackSidecars } from './identity-reads.ts';
import { refusalsIn } from './governing-resources.ts';
import { sandboxPoolLists } from './sandbox-pools.ts';
import { nodeGroupLists } from './node-groups.ts';
import { syncSourceLists } from './sync-sources.ts';
import { planLists } from './custom-read-plan.ts';
import { classParameterLists } from './class-parameters.ts';
import { mountSourceLists } from './mount-sources.ts';
import { operatorAddressed } from './operator-addressed.ts';
import { servicesSelectingNoTemplate } from './selector-templates.ts';
import { resourceSetterLists } from './resource-setters.ts';
import { storageClassLists } from './storage-classes.ts';
import { taintedNodesToWeigh } from './node-room.ts';
import { evictorWorkloads, outsideEvictions, templateConfigMaps } from './outside-evictions.ts';
import { HOLDING_ROOM, newcomers, roomToWeigh, unreadBuiltInControllers } from './room-takers.ts';
import { nodesOfUnreadPreemptors, PREEMPTED_BY, preemptorNamed, priorityClassLists } from './preemptors.ts';
import { podClassLists } from './pod-classes.ts';
import { backendKindLists, backingObjects, stalledClaimClassLists } from './storage-backends.ts';
import { awaitedReferenceLists } from './awaited-references.ts';
import { nodeLabelSourceLists } from './node-label-sources.ts';
import { stepTemplateLists } from './warned-templates.ts';
import { scopedObjectLists } from './scoped-objects.ts';
import { limitingServerOwners } from './limit-settings.ts';
import { calledServerOwners } from './called-server-owners.ts';
import { copySourceKinds } from './copied-settings.ts';
import { graphOf } from './graph.ts';
import { referencedKindLists } from './referenced-objects.ts';
import { namedPolicies, routePolicyLists } from './route-policies.ts';
import { appQuiet } from './quiet-app.ts';
import { edgeProxyHeard, edgeProxyLogTargets, edgeProxyPods, edgeProxySelector } from './edge-proxy.ts';
import { loggedObjectLists, namespacesObjectsPointAt } from './logged-objects.ts';
import { serverCredentialReads } from './server-credentials.ts';
import { attachedPolicyLists, cniPolicyLists, governingLists, quotedPolicyLists } from './discovered-lists.ts';
import {
  configuredObjectLists,
  deliveryLists,
  mutationLists,
  routerKindLists,
  spelledKindLists,
} from './resource-lists.ts';
import { servesDnsOnNodes } from './node-dns-cache.ts';
import { heldBySchedulerAdmission, kindsNamedInSpecs, namedAdmissionKinds } from './scheduler-admission.ts';
import { killedPeerMemoryQueries, memoryHistoryQueries } from './memory-history.ts';
import { routeKinds, speaksOfTheEdge } from './route-kinds.ts';
import { readBehindRouterBackends } from './router-backend-reads.ts';
import { matchesMap } from './labels.ts';
import { chooseLogTargets, type LogTarget } from './log-targets.ts';
import {
  erringNames,
  errorRatios,
  type MetricBatch,
  metricBatches,
  metricQueries,
  throttlingQueryFor,
} from './metric-queries.ts';
import { pathSelectors, podsOnPath } from './path-reads.ts';
import { peerLogTargets } from './peer-log-targets.ts';
import { erringServerClients } from './erring-clients.ts';
import { calleeLogTargets } from './callee-log-targets.ts';
import { calleeHome, unresolvedCallees } from './callee-elsewhere.ts';
import { sharedWordLogTargets, siblingLogTargets } from './sibling-log-targets.ts';
import { editedSecretLogTargets } from './edited-secret-log-targets.ts';
import { editedSecretsToRead } from './edited-secrets.ts';
import { actedOnLogTargets } from './acted-on-log-targets.ts';
import { EGRESS_REFUSED, meshProxyTargets, quietServerProxyTargets, refusingProxyTargets } from './mesh-proxy-logs.ts';
import { reachFrom } from '../ranking/reach.ts';
import { symptomNodes } from '../ranking/symptom.ts';
import { refKey } from '../model.ts';
import { answersClientError, looksLikeError, parseLogLine } from './log-line.ts';
import { calledHostNamespaces, configHostNamespaces, configMapTexts } from './config-hosts.ts';
import { logLinesOf, logsRead } from './logs.ts';
import { certificatesServed, TLS_ERROR } from './certificates.ts';
import {
  actedOnNamespaces,
  initWaitNamespaces,
  namespacesNamedIn,
  type PodController,
  peerNamespaces,
  peerServices,
  podControllers,
} from './peer-namespaces.ts';
import { policyGuardedPeers } from './policy-guarded-peers.ts';
import { customKind, isCustomOwner, ownerReadKey, unreadCustomOwners } from './custom-owners.ts';
import { readyAddresses } from './endpoints.ts';
import { namespacesOfNamedCallees, slowCalleeNamespaces, slowlyAnsweringPeers } from './slow-callee.ts';
import { refusedClientAddresses, refusedConfiguredClient } from './refused-clients.ts';
import { mentionedHosts } from './ingress-routes.ts';
import { hasLimitRangeDefaults } from './limit-defaults.ts';
import { restartedUnchangedWithin, restartedWithin } from './restarted-after.ts';
import { lastChange, snapshotNow, toMs } from './time.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import { eventNamespace, eventTime } from './events.ts';
import { troubleWindowStart } from './recent-trouble.ts';
import { saysOutputMissing } from './missing-output.ts';
import { recentStoreWriters, storeClients, storesReadFrom } from './store-writers.ts';
import { podReferences } from './references.ts';
import { classesOf, controllerLabels, controllerLogTarget, controllerNamespace } from './ingress-controller.ts';
import { type RoutingKind, servedVersion } from './routing-objects.ts';
import {
  absorb,
  type CollectListener,
  type CollectRequest,
  type Read,
  SnapshotReader,
  type ToolBase,
} from './snapshot-reader.ts';
import { type ClusterSnapshot, emptySnapshot } from './snapshot.ts';
import { webhookRefusals } from './webhook-refusals.ts';
import { SUSPECT_CHANGE_WINDOW, symptomOnset } from './onset.ts';

/** Routers' own route kinds read in the namespace (ApisixRoute, IngressRoute, HTTPProxy, Mapping…), at most. */
const MAX_ROUTE_KIND_READS = 2;
/** At most: discovery, and the Ingresses, VirtualServices, DestinationRules and HTTPRoutes of the namespace. */
export const ROUTING_READS_MAX = 5;

const WARNING_EVENTS = 'type=Warning';
const EVICTIONS = /evict|disruption/i;

/** Median API requests per incident the collection aims at; logs fill what is left of it. */
export const REQUEST_BUDGET = 20;
const MAX_LOGS = 5;
/** Other namespaces whose failing dependencies' configuration is read after their logs. */
const MAX_ERRING_PEERS = 2;
/** Secrets read per such namespace, by name: each is a request. */
const MAX_ERRING_PEER_SECRETS = 2;
const MIN_LOGS = 2;
/** Extra requests an incident whose pods call into other namespaces may spend reading them. */
const PEER_ALLOWANCE = 5;
/** No incident spends more than this, whatever its peers need. */
export const PEER_HARD_LIMIT = 30;
const MAX_PEER_NAMESPACES = 2;
/** Namespaces the pods call into whose Endpoints are read first when the budget cannot read all of them in full. */
const MAX_PEER_PROBES = 3;
// Shared dependencies in other namespaces are often databases: StatefulSets as well as Deployments. Their
// NetworkPolicies come from the cluster-wide list (involvedReads).
const PEER_KINDS: ObjectKind[] = ['Pod', 'Deployment', 'StatefulSet', 'Service', 'Endpoints', 'Event'];
/**
 * Requests a peer namespace is planned at: its lists and one more, as when its NetworkPolicies were a list of their
 * own. Planning on the saving would read more peers, not fewer requests: the request saved goes to what comes after.
 */
const PEER_PLANNED_COST = PEER_KINDS.length + 1;
/** Logs of the mesh proxy injected into a workload rolled out shortly before the incident. */
const MAX_PROXY_LOGS = 1;
/** Logs of the proxies beside quiet servers the trouble points at (mesh-proxy-logs.ts: quietServerProxyTargets). */
const MAX_QUIET_SERVER_PROXY_LOGS = 2;
/** Logs of dependencies in other namespaces that the errors read name. */
const MAX_PEER_LOGS = 1;
/** Logs of failed pods in the namespace the alerted pods act in (their Jobs). */
const MAX_ACTED_ON_LOGS = 1;
/** Its pods, that log, and the Services and pods of the namespace the log names. */
const ACTED_ON_COST = 4;
/** Logs of sibling replicas read in place of the alerted workload's logs that said nothing. */
const MAX_SIBLING_LOGS = 1;
/** Logs of readers of Secrets edited shortly before the onset, none of whose logs said anything yet. */
const MAX_EDITED_SECRET_LOGS = 1;
/** Secrets found edited shortly before the onset by their metadata alone, read by name at most (each a request). */
const MAX_EDITED_SECRETS = 1;
/** Logs of callees in the namespace that the errors read name, whose own log was not read. */
const MAX_CALLEE_LOGS = 1;
/** Secrets of running pods read once their logs show errors. */
const MAX_ERRING_SECRETS = 2;
/** Secrets that the operator's resource making pods refused authentication names for them, read at most. */
const MAX_RESOURCE_SECRETS = 3;
/**
 * Lists of custom kinds chosen by their names in discovery (the rules behind refusals, the policies attached to routes,
 * the network plugin's policies, a quoted admission policy, cert-manager's objects) one incident reads at most, the
 * most related to the errors first (custom-read-plan.ts).
 */
export const MAX_DISCOVERED_LISTS = 4;
/** Namespaces whose RBAC objects are read when the API server refuses pods' calls. */
const MAX_RBAC_NAMESPACES = 2;

export interface Collected {
  snapshot: ClusterSnapshot;
  focus: Focus;
  requests: number;
  /** The custom-resource lists read and what each held: a second look elsewhere takes them instead of asking again. */
  customRead: ReadonlyMap<string, ClusterSnapshot['customObjects']>;
  /** The lists read to their end, by request: the same. */
  listed: ReadonlyMap<string, ObjectOf<ObjectKind>[]>;
  /** The logs read, by container: the same. */
  logsRead: ReadonlyMap<string, LogRead>;
  /** Requests the budget counted that batching saved: a second look counts them too. */
  saved: number;
}

const OWNER_KIND_LABELS: [ObjectKind, string[]][] = [
  ['DaemonSet', ['daemonset', 'k8s_daemonset_name']],
  ['Job', ['job_name', 'k8s_job_name']],
];

/** Other namespaces the pods call into: those considered, those read, and the pods' controllers they were found by. */
interface Peers {
  candidates: string[];
  read: string[];
  /** Candidates whose Endpoints alone were read first, to choose which of them to read in full (readProbedPeers). */
  probed: string[];
  /** How many of the probed the budget reads in full: as many as it would have read without probing. */
  probedToRead: number;
  /** Probed namespaces to read in full once the errors are read, because no probe told them apart (readProbedPeers). */
  deferred?: string[];
  controllers: PodController[];
}

/**
 * The last look, only when neither the first look nor the look elsewhere explains the symptom: it continues the first
 * look's evidence with the namespaces the pods' own settings, or the ConfigMaps they read, call into (`svc.ns:port`)
 * that no look read yet (at most MAX_PEER_NAMESPACES), their workloads and what they answer on — a policy there may
 * refuse callers it used to admit, a Service there may send its port where nothing listens.
 * Here, unlike at the end of the first look, a firm finding can no longer pre-empt the look elsewhere.
 */
export async function collectLastLook(
  request: CollectRequest & { snapshot: ClusterSnapshot },
  examined: string[],
  base: ToolBase,
  listener: CollectListener = {},
): Promise<Collected> {
  const reader = new SnapshotReader(request, base, listener);
  const { snapshot, namespace } = reader;
  const controllers = podControllers(snapshot);
  const unread = [
    ...new Set([...peerNamespaces(snapshot.pods, namespace, controllers), ...configuredPeers(snapshot, namespace)]),
  ]
    .filter((peer) => !examined.includes(peer) && !snapshot.pods.some(inNamespace(peer)))
    .slice(0, MAX_PEER_NAMESPACES);
  if (unread.length > 0) {
    const kinds = PEER_KINDS.filter((kind) => kind !== 'Endpoints');
    await reader.wave(
      6,
      `Nothing read explains the symptom, here or elsewhere: reading ${kinds.join(', ')} in ${unread.join(', ')}, which the pods are configured to call`,
      unread.flatMap((peer) =>
        kinds.map((kind) =>
          reader.list(kind, `pods in ${namespace} are configured to call services in ${peer}`, { namespace: peer }),
        ),
      ),
    );
    // What changed there is asked as everywhere: a credential rotated under a worker the pods hand their work to.
    for (const peer of unread) await readSecretsEditedBeforeOnset(reader, peer, Number.POSITIVE_INFINITY);
    await readReadersOfEditedSecrets(reader, Number.POSITIVE_INFINITY);
  }
  return {
    snapshot,
    focus: reader.focus(),
    requests: reader.requests,
    customRead: reader.customListed,
    listed: reader.listed,
    logsRead: reader.logsRead,
    saved: reader.saved,
  };
}

/**
 * Other namespaces the ConfigMaps the namespace's pods read name through cluster DNS (`API_BASE:
 * http://api.backend.svc:8080` in an `envFrom` map): a dependency as real as one in the pod's own env, which the pod
 * spec cannot show.
 */
function configuredPeers(snapshot: ClusterSnapshot, namespace: string): string[] {
  const pods = snapshot.pods.filter(inNamespace(namespace));
  const { configMaps } = podReferences(pods, []);
  return namespacesNamedIn(
    configMapTexts(snapshot, namespace, (name) => configMaps.has(name)),
    namespace,
  );
}

/**
 * Reads what the incident needs, in waves of parallel namespace-scoped requests, each wave asking only for what the
 * previous one showed to matter: (1) pods, controllers, services, endpoints, events, nodes; (2) the ConfigMaps,
 * Secrets, claims, controllers and policies they involve, and the namespaces the pods call into; (3) a few standard
 * metrics; (4) a few chosen logs, then what the errors in them point at; (5) the cluster DNS when lookups fail.
 */
export async function collectSnapshot(
  request: CollectRequest,
  base: ToolBase,
  listener: CollectListener = {},
): Promise<Collected> {
  const reader = new SnapshotReader(request, base, listener);
  await readWorkloads(reader);
  await readPathWhenCutShort(reader);
  const peers = await readWhatTheWorkloadsInvolve(reader);
  await readCustomOwners(reader, peers);
  await readAdmissionOfHeldPods(reader);
  await readProbedPeers(reader, peers);
  await readPeerFollowUps(reader, peers);
  // An Ingress in front: its controller, found through its IngressClass (never assumed), and later its log.
  if (reader.snapshot.ingresses.length > 0) await readIngressController(reader);
  if (base.prometheusUrl) {
    await queryMetrics(reader, peers);
    await queryMemoryHistory(reader);
  }
  await readLogs(reader, PEER_PLANNED_COST * (peers.deferred?.length ?? 0));
  await readSiblingsOfEmptyLogs(reader);
  await readReadersOfEditedSecrets(reader);
  await readEdgeOfQuietApp(reader);
  await readLoopbackSidecars(reader, PEER_HARD_LIMIT);
  await readClientsTheServersRefuse(reader);
  await readDeferredPeers(reader, peers);
  if (base.prometheusUrl) {
    await readClientsOfErringServers(reader);
    await readSlowlyAnsweringPeer(reader, peers);
    await queryThrottlingOfSlowCallees(reader, peers);
  }
  await readWorkWhereActing(reader, peers);
  await readNamespaceTheErrorsName(reader, peers);
  // A callee's log read names a namespace one hop further (its own dependency): asked again, within the same budget.
  // A callee that fails on its own (a login its database refuses) is suspected like any pod that logs errors: asking
  // again reads the Secrets it reads first.
  if (await readPeerLogs(reader, peers)) await readNamespaceTheErrorsName(reader, peers);
  await readPolicyGuardedPeer(reader, peers);
  if (base.prometheusUrl) await queryMemoryOfKilledPeers(reader);
  await readWhatErringPeersRead(reader);
  await readProxiesOfQuietServers(reader);
  await readRefusingServersSecrets(reader);
  // Secrets no read named that changed shortly before: what is left of the budget after the path's own reads.
  await readSecretsEditedBeforeOnset(reader, reader.namespace, PEER_HARD_LIMIT);
  await readReadersOfEditedSecrets(reader);
  await readIdentityChain(reader);
  await readPodsOfPreemptors(reader);
  await readPreemptorControllers(reader);
  await readPodsOfTaintedNode(reader);
  await readPodsHoldingRoom(reader);
  await readOutsideEvictors(reader);
  await readGoverningObjects(reader);
  // The network plugin's own policies (read with the governing objects) may guard a server no NetworkPolicy does.
  await readPolicyGuardedPeer(reader, peers);
  await readAwaitedReferences(reader);
  await readMountSources(reader);
  await readStorageBackends(reader);
  await readEdgeProxy(reader);
  await readBehindRouterBackends(reader);
  await readOwnersOfCalledServers(reader);
  await readCopySources(reader);
  await readOwnersOfLimitingServers(reader);
  await readWhereLoggedObjectsPoint(reader, peers);
  await readScheduledWorkWhenQuiet(reader);
  const lookups = resolutionErrors(reader.snapshot.logs);
  if (lookups.length > 0)
    await readClusterDns(
      reader,
      resolverIps(lookups),
      answeredByServer(lookups) ||
        onlyOutsideNames(lookups, namespacesRead(reader.snapshot), externalAliasOf(reader.snapshot.services)),
      failsForExistingService(lookups, reader.snapshot.services),
    );
  await readBeyondThePath(reader);
  await readWritersOfQuietStores(reader);
  // The focus as everything read shows it, so that what the last reads assumed (a list cut short) reaches the answer.
  return {
    snapshot: reader.snapshot,
    focus: reader.focus(),
    requests: reader.requests,
    customRead: reader.customListed,
    listed: reader.listed,
    logsRead: reader.logsRead,
    saved: reader.saved,
  };
}

/** Wave 1: the namespace's workloads, their pods and state, the nodes, and which routing APIs the cluster serves. */
async function readWorkloads(reader: SnapshotReader): Promise<void> {
  const { namespace } = reader;
  const why = `workloads, pods and their state in ${namespace}, to find what is abnormal around the alert`;
  await reader.wave(
    1,
    `Reading pods, deployments, stateful sets, replica sets, services, endpoints, events and nodes in ${namespace}`,
    [
      reader.list('Pod', why),
      reader.list('Deployment', why),
      // Read wherever Deployments are: a StatefulSet scaled to zero owns no pod that would point at it.
      reader.list('StatefulSet', why),
      reader.list('ReplicaSet', why),
      reader.list('Service', why),
      reader.list('Endpoints', 'which pods each Service routes to'),
      reader.list('Event', `recent events in ${namespace}`),
      reader.list('Node', 'the nodes the pods run on', {}),
      reader.discover(),
    ],
  );
}

/**
 * The namespace was too large to read whole within the budget: the pods on the symptom's path, and the Warning
 * events, are read narrowed, so that what the diagnosis stands on is read completely.
 */
async function readPathWhenCutShort(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const podsRead = readInFull(snapshot, 'Pod', namespace);
  const eventsRead = readInFull(snapshot, 'Event', namespace);
  if (podsRead && eventsRead) return;
  const selectors = podsRead ? [] : pathSelectors(snapshot, reader.focus(), namespace);
  const warnings = eventsRead ? [] : [WARNING_EVENTS];
  await reader.wave(
    1,
    `${namespace} is too large to read whole: reading the pods on the symptom's path and the Warning events`,
    [
      ...selectors.map((labelSelector) =>
        reader.list('Pod', `pods on the symptom's path (${labelSelector}): the namespace's pod list was cut short`, {
          namespace,
          labelSelector,
        }),
      ),
      ...warnings.map((fieldSelector) =>
        reader.list('Event', "Warning events: the namespace's event list was cut short", { namespace, fieldSelector }),
      ),
    ],
  );
}

/** Links of a custom owner chain (a Fleet → GameServerSet → GameServer → pod) read at most. */
const MAX_OWNER_LINKS = 3;

/**
 * Pods that do not run, or were just created, whose controller is a custom resource — here and in the namespaces the
 * pods call into: the chain of custom resources above them, one kind per request, up to the top one an operator
 * reconciles (whose spec sets what the pods ask for, and a change of which the operator renders into new pods). On top
 * of the budget, like the routing layer: read only when pods under an operator's resources are stuck or new.
 */
async function readCustomOwners(reader: SnapshotReader, peers: Peers): Promise<void> {
  const tried = new Set<string>();
  const namespaces = [reader.namespace, ...peers.read];
  // Pods an operator makes beside a Service that selects none of them: how many run is set in its resource.
  const besideEmptyServices = namespaces.flatMap((namespace) =>
    operatorAddressed(reader.snapshot, namespace).flatMap((addressed) => addressed.siblings),
  );
  for (let link = 0; link < MAX_OWNER_LINKS; link++) {
    const kinds = unreadCustomOwners(reader.snapshot, namespaces, tried, besideEmptyServices);
    if (kinds.length === 0) return;
    for (const kind of kinds) tried.add(ownerReadKey(kind));
    reader.routingSpent += kinds.length;
    await reader.wave(
      2,
      `Reading ${kinds.map((k) => `${k.kind} in ${k.namespace}`).join(', ')}: the custom resources that own pods that do not run or were just replaced`,
      kinds.map((kind) =>
        reader.listCustom(
          kind,
          kind.namespace,
          `the ${kind.kind}s whose operator creates pods that do not run or were just replaced`,
        ),
      ),
    );
  }
}

/** Kinds of objects the held pods name that are read; and the further kinds those objects' specs name. */
const MAX_ADMISSION_KINDS = 3;

/**
 * Pods of the namespace another scheduler holds back (Pending, no default-scheduler verdict): what admits them is named
 * on the pods (`…/queue-name`, `…/group-name`) and read — a cluster-scoped kind everywhere, a namespaced one in the
 * namespace — then, once, the kind a per-pod object's spec names in turn (a gang's queue).
 */
async function readAdmissionOfHeldPods(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const held = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace && heldBySchedulerAdmission(pod));
  if (held.length === 0) return;
  const read = new Set<string>();
  let kinds = namedAdmissionKinds(held, snapshot.apiGroups, MAX_ADMISSION_KINDS);
  for (let link = 0; link < 2 && kinds.length > 0; link++) {
    for (const kind of kinds) read.add(`${kind.group}/${kind.kind}`);
    await reader.wave(
      2,
      `Reading ${kinds.map((k) => k.kind).join(', ')}: what admits the pods another scheduler holds back in ${namespace}`,
      kinds.map((kind) =>
        reader.listCustom(
          kind,
          kind.namespaced ? namespace : undefined,
          `pods in ${namespace} wait for their scheduler's admission: the ${kind.kind}s they are admitted by`,
        ),
      ),
    );
    const justRead = new Set(kinds.map((kind) => kind.kind));
    const objects = snapshot.customObjects.filter((o) => justRead.has(o.kind));
    kinds = kindsNamedInSpecs(objects, snapshot.apiGroups, read).slice(0, 1);
  }
}

/**
 * Wave 2: what the workloads read involve (their configuration, Secrets, claims, owners, quotas, budgets, policies,
 * autoscalers), the routing layer in front of them, and the namespaces their pods call into.
 */
async function readWhatTheWorkloadsInvolve(reader: SnapshotReader): Promise<Peers> {
  const { snapshot, alert, namespace } = reader;
  const involved = involvedReads(snapshot, alert, reader.focus(), namespace);
  // The routing layer is read whenever the cluster serves it; it does not count against what peers may spend.
  const routing = routingReads(snapshot, alert, namespace, reader.ingressesRead);
  reader.routingSpent += routing.length;
  const peers = choosePeers(reader, involved.length);
  const reads = [
    ...involved,
    ...peers.read.flatMap((peer) =>
      PEER_KINDS.map(
        (kind): Read => [kind, `pods in ${namespace} are configured to call services in ${peer}`, { namespace: peer }],
      ),
    ),
    ...routing,
  ];
  const probe = (peer: string) =>
    `pods in ${namespace} are configured to call services in ${peer}: whether those have ready addresses`;
  // Routers' own route kinds, when the cluster serves them and the alert speaks of the edge: on top of the budget, like
  // the rest of the routing layer.
  const routes = speaksOfTheEdge(alert) ? routeKinds(snapshot.apiGroups, MAX_ROUTE_KIND_READS) : [];
  reader.routingSpent += routes.length;
  const external = mentionedHosts(alertText(alert)).some(({ host }) => !isClusterHost(host, snapshot));
  // Workloads generated from distinct objects of one custom kind: those objects' owners say which are successive
  // generations of one thing (the newest serves, the older are kept to roll back to).
  const generating = generatingKinds(snapshot, snapshot.apiGroups, namespace);
  await reader.wave(
    2,
    `Reading ${[...new Set([...reads.map(([kind]) => kind), ...(peers.probed.length > 0 ? ['Endpoints'] : []), ...[...routes, ...generating].map((custom) => custom.kind)])].join(', ')} in ${[namespace, ...peers.read, ...peers.probed].join(', ')}`,
    [
      ...reads.map(([kind, reason, options]) => reader.list(kind, reason, options)),
      reader.listIn('Endpoints', peers.probed, probe),
      ...routes.map((route) =>
        // The alert names a host users reach: its routes wherever they live, one request as well — a router merges
        // every claim of a host into one virtual host, and a claim made in another namespace acts on all of them.
        external
          ? reader.listCustom(
              route,
              undefined,
              `the routes a router keeps as ${route.kind}: those claiming the host the alert names, in any namespace`,
            )
          : reader.listCustom(route, namespace, `the routes a router keeps as ${route.kind} in front of the Services`),
      ),
      ...generating.map((kind) =>
        reader.listCustom(
          kind,
          namespace,
          `workloads are generated from ${kind.kind} objects: which generations of one thing they are`,
        ),
      ),
    ],
  );
  return peers;
}

/** The objects of the namespace that the workloads and events read so far show to matter. */
function involvedReads(snapshot: ClusterSnapshot, alert: Alert, focus: Focus, namespace: string): Read[] {
  const here = { namespace };
  const reads: Read[] = [
    ['ConfigMap', 'configuration the workloads read (values and when they changed)', here],
    // Cluster-wide, one request: a call across namespaces passes the caller's egress and the callee's ingress rules,
    // wherever the callee is — a peer read later, or a namespace two hops away — and policies are few.
    ['NetworkPolicy', 'policies that may isolate pods from their callers, here or where they call', {}],
    ['HorizontalPodAutoscaler', 'autoscalers that may be at their limits', here],
  ];
  const refs = podReferences(
    snapshot.pods,
    snapshot.deployments.map((deployment) => deployment.spec?.template?.spec),
  );
  reads.push(...secretReads(suspectSecrets(snapshot, alert, focus, namespace), namespace, 'which the pods reference'));
  if (refs.claims.size > 0)
    reads.push(['PersistentVolumeClaim', `claims the pods mount (${[...refs.claims].join(', ')})`, here]);
  for (const [kind, labels] of OWNER_KIND_LABELS) {
    if (refs.ownerKinds.has(kind) || labels.some((label) => alert.labels[label])) {
      reads.push([kind, `${kind}s that own pods in ${namespace}`, here]);
    }
  }
  // A Service that selects no pod read and no Deployment's or StatefulSet's template: before its selector is called
  // broken, the DaemonSets whose templates it may match (a router's or agent's Service on every node's pods).
  const unselecting = servicesSelectingNoTemplate(snapshot, namespace);
  if (unselecting.length > 0 && !reads.some(([kind]) => kind === 'DaemonSet')) {
    reads.push([
      'DaemonSet',
      `Service ${unselecting.join(', ')} selects no pod read: whether a DaemonSet's template carries its selector`,
      here,
    ]);
  }
  // A run that fails may be one of many since long ago: its CronJob's status says since when (its last success). A
  // run may also fail on what another scheduled job keeps (partitions, exports, a cache it fills): cluster-wide, the
  // same request shows the CronJobs elsewhere whose runs fail too.
  if (snapshot.pods.some((pod) => pod.metadata?.namespace === namespace && (failingRun(pod) || failedOnce(pod))))
    reads.push(['CronJob', `runs in ${namespace} fail: since when their CronJobs, and any others, have failed`, {}]);
  else if (runWarned(snapshot, namespace)) {
    // A Job that gave up deletes its pods (a deadline exceeded, its backoff spent): the Warning about it is what is
    // left of the run, and the Job's status and its CronJob's template say how and why it failed.
    if (!reads.some(([kind]) => kind === 'Job')) reads.push(['Job', `a run in ${namespace} was warned about`, here]);
    reads.push(['CronJob', `a run in ${namespace} was warned about: the CronJob it is made from, and since when`, {}]);
  }
  if (needsQuota(snapshot, namespace)) {
    reads.push(['ResourceQuota', 'pods are missing or pending: quotas may refuse them', here]);
    reads.push(['LimitRange', 'pods are missing or pending: limit ranges may refuse or shape them', here]);
  } else if (snapshot.pods.some((pod) => pod.metadata?.namespace === namespace && killedWithDefaults(pod))) {
    reads.push(['LimitRange', 'pods killed over a memory limit carry defaults a limit range set', here]);
  }
  // Something waits on evictions (a node drained, events of refused evictions): the budgets that may refuse them.
  if (
    snapshot.nodes.some((node) => node.spec?.unschedulable) ||
    snapshot.events.some((event) => EVICTIONS.test(`${event.reason} ${event.message}`))
  ) {
    reads.push([
      'PodDisruptionBudget',
      'a node is drained or evictions are refused: budgets that may refuse them',
      here,
    ]);
  }
  if (snapshot.nodes.some(nodeAbnormal)) {
    reads.push([
      'Event',
      'events of nodes that are not ready, under pressure or cordoned',
      { fieldSelector: 'involvedObject.kind=Node' },
    ]);
  }
  return reads;
}

/**
 * The hosts the namespace's ExternalName Services alias: a caller of such a Service calls that host (a CNAME), so an
 * alias of another namespace's Service (`api.stock.svc.cluster.local`) names a dependency like a caller's own setting.
 */
const aliasedHosts = (snapshot: ClusterSnapshot, namespace: string): string[] =>
  snapshot.services
    .filter((service) => service.metadata?.namespace === namespace && service.spec?.type === 'ExternalName')
    .map((service) => ` ${service.spec?.externalName ?? ''}`);

/** Requests kept for after the peers: the metric queries and the fewest logs. */
const reserved = (reader: SnapshotReader): number =>
  (reader.base.prometheusUrl ? metricQueries(reader.namespace).length : 0) + MIN_LOGS;

/**
 * Dependencies in other namespaces (a shared database, a platform service): their state is worth a few requests
 * beyond the usual budget, as long as the incident stays within its allowance. A namespace that pods stuck
 * initialising wait on holds the cause: it may use the hard limit.
 */
function choosePeers(reader: SnapshotReader, involvedReads: number): Peers {
  const { snapshot, namespace } = reader;
  const controllers = podControllers(snapshot);
  const waitedOn = initWaitNamespaces(snapshot.pods, namespace, controllers);
  const candidates = [
    ...new Set([
      ...waitedOn,
      ...peerNamespaces(snapshot.pods, namespace, controllers),
      ...namespacesNamedIn(aliasedHosts(snapshot, namespace), namespace),
    ]),
  ];
  const reserve = reserved(reader);
  const read: string[] = [];
  for (const peer of candidates.slice(0, MAX_PEER_NAMESPACES)) {
    const limit = waitedOn.includes(peer) ? PEER_HARD_LIMIT : REQUEST_BUDGET + PEER_ALLOWANCE;
    const planned = involvedReads + PEER_PLANNED_COST * (read.length + 1);
    if (!reader.affords(planned + reserve, limit)) break;
    read.push(peer);
  }
  // More namespaces named than the budget reads in full, and nothing yet says which holds the trouble: their Endpoints
  // (a request each) say which of the Services called there has no ready address, and that namespace is read in full
  // instead of the most named one. Pods waiting on one namespace already say where to look.
  if (waitedOn.length === 0 && read.length > 0 && candidates.length > read.length) {
    return {
      candidates,
      read: [],
      probed: candidates.slice(0, MAX_PEER_PROBES),
      probedToRead: read.length,
      controllers,
    };
  }
  return { candidates, read, probed: [], probedToRead: 0, controllers };
}

/**
 * The probed namespaces read in full, as many as the budget reads: those where a Service the pods call has no ready
 * address (a dependency down). When none has, nothing yet tells the namespaces apart: the choice waits for the errors
 * read next (readDeferredPeers), which may name the one they fail on.
 */
async function readProbedPeers(reader: SnapshotReader, peers: Peers): Promise<void> {
  if (peers.probed.length === 0) return;
  const down = downCallees(reader, peers);
  const chosen = [...peers.probed]
    .sort((a, b) => Number(down(b).length > 0) - Number(down(a).length > 0))
    .slice(0, peers.probedToRead);
  if (!chosen.some((peer) => down(peer).length > 0)) {
    peers.deferred = chosen;
    return;
  }
  await readPeersInFull(reader, peers, chosen, down);
}

/**
 * The probed namespaces whose reading waited for the errors: first those the errors of the alerted namespace name (a
 * caller's warning quotes the URL it failed on: `POST http://seat.fleet.svc…/v1/holds -> 500`), then the most named by
 * the pods' configuration, as many as were planned; then what their troubled pods refer to.
 */
async function readDeferredPeers(reader: SnapshotReader, peers: Peers): Promise<void> {
  const deferred = peers.deferred ?? [];
  if (deferred.length === 0) return;
  const { snapshot, namespace } = reader;
  const errors = snapshot.logs
    .filter((log) => log.namespace === namespace)
    .flatMap((log) => log.lines.filter((line) => looksLikeError(line)));
  // A connection that could not be made to a host the line names (`failure to connect to cache.db.svc:11211`) says
  // where the callee lives, probed or not: the caller resolved it, so the namespace exists, and no probe told the
  // namespaces apart. It leads, ahead of what the configuration names most.
  const unreached = namespacesNamedIn(
    errors.filter((line) => failsToReach(parseLogLine(line).text)),
    namespace,
  ).filter((peer) => !peers.read.includes(peer));
  const part = namedPart(alertText(reader.alert), namespace, peers.probed)?.namespace;
  const named = [
    ...unreached,
    ...[
      ...namespacesNamedIn(errors, namespace),
      ...namespacesOfNamedCallees(snapshot, namespace, peers.probed, peers.controllers),
      ...namespacesOfDialledPorts(snapshot, namespace, peers.probed, peers.controllers),
      // The alert's own words name the namespace of a dependency (`search index stale`, a `search` namespace), or the
      // part of the application's namespaces they describe (`ticket search failing` of `desk-search` beside `desk`).
      ...namespacesNamed(alertText(reader.alert), peers.probed),
      ...(part ? [part] : []),
    ].filter((peer) => peers.probed.includes(peer)),
  ];
  const chosen = [...new Set([...named, ...deferred])].slice(0, deferred.length);
  peers.deferred = [];
  await readPeersInFull(reader, peers, chosen, downCallees(reader, peers));
  await readPeerFollowUps(reader, peers);
}

/** The Services the pods call in a peer namespace whose probed Endpoints hold no ready address. */
function downCallees(reader: SnapshotReader, peers: Peers): (peer: string) => string[] {
  const { snapshot, namespace } = reader;
  const called = peerServices(snapshot.pods, namespace, peers.controllers);
  return (peer) =>
    [...(called.get(peer) ?? [])].filter((service) => {
      const endpoints = snapshot.endpoints.find((e) => e.metadata?.namespace === peer && e.metadata?.name === service);
      return endpoints !== undefined && readyAddresses(endpoints).length === 0;
    });
}

async function readPeersInFull(
  reader: SnapshotReader,
  peers: Peers,
  chosen: string[],
  down: (peer: string) => string[],
): Promise<void> {
  const { namespace } = reader;
  peers.read.push(...chosen);
  const kinds = PEER_KINDS.filter((kind) => kind !== 'Endpoints');
  await reader.wave(
    2,
    `Reading ${kinds.join(', ')} in ${chosen.join(', ')}${chosen.some((peer) => down(peer).length > 0) ? `: ${chosen.flatMap((peer) => down(peer).map((service) => `${service}.${peer}`)).join(', ')} has no ready address` : ''}`,
    chosen.flatMap((peer) =>
      kinds.map((kind) =>
        reader.list(
          kind,
          `pods in ${namespace} are configured to call services in ${peer}${down(peer).length > 0 ? `, where ${down(peer).join(', ')} has no ready address` : ''}`,
          { namespace: peer },
        ),
      ),
    ),
  );
}

/**
 * A troubled peer gets what its own pods refer to (a database's claim, its Secret), within the hard limit; policies
 * that select namespaces by label need the namespaces' labels, and a namespace the configuration names but that was
 * left unread, or read and found empty, may not exist at all.
 */
async function readPeerFollowUps(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { snapshot } = reader;
  const followUps = peers.read
    .flatMap((peer) => peerFollowUps(snapshot, peer))
    .slice(0, Math.max(0, reader.leftWithin(PEER_HARD_LIMIT) - reserved(reader)));
  const unsure = peers.candidates.filter((peer) => !peers.read.includes(peer) || !holdsAnything(snapshot, peer));
  if (snapshot.namespaces.length === 0 && snapshot.networkPolicies.some(selectsNamespacesByLabel)) {
    followUps.push(['Namespace', 'network policies select namespaces by label', {}]);
  } else if (snapshot.namespaces.length === 0 && unsure.length > 0) {
    followUps.push(['Namespace', `whether ${unsure.join(', ')}, which the pods are configured to call, exist`, {}]);
  }
  if (followUps.length === 0) return;
  await reader.wave(
    2,
    `Reading ${followUps.map(([kind, , options]) => (options.namespace ? `${kind} in ${options.namespace}` : kind)).join(', ')}`,
    followUps.map(([kind, reason, options]) => reader.list(kind, reason, options)),
  );
}

/**
 * The IngressClasses (cluster-scoped, few), then the controller pods of the classes the Ingresses use, by the labels
 * the class shares with them, and the objects holding those classes' parameters (class-parameters.ts): on top of the
 * budget, like the rest of the routing layer.
 */
async function readIngressController(reader: SnapshotReader): Promise<void> {
  reader.routingSpent++;
  await reader.list('IngressClass', 'an Ingress routes to the symptom: which controller serves it', {});
  const parameters = planLists(classParameterLists(reader.snapshot), reader.customListed, MAX_CLASS_PARAMETERS).map(
    ({ resource, namespace, why }) => reader.listCustom(resource, namespace, why),
  );
  const reads = classesOf(reader.snapshot).flatMap((cls) => {
    const labels = controllerLabels(cls);
    if (Object.keys(labels).length === 0) return [];
    const where = controllerNamespace(cls);
    return [
      reader.list('Pod', `the pods of ingress controller ${cls.spec?.controller ?? cls.metadata?.name}`, {
        ...(where ? { namespace: where } : {}),
        labelSelector: selectorString({ matchLabels: labels }),
      }),
    ];
  });
  reads.push(...parameters);
  reader.routingSpent += reads.length;
  if (reads.length > 0) await reader.wave(2, 'Reading the ingress controller in front of the symptom', reads);
}

/** Wave 3: a few standard series of the namespace's workloads. */
async function queryMetrics(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { namespace } = reader;
  // Failure counters of the namespaces the pods call too: a server there may count the errors its clients meet.
  const erringIn = [namespace, ...peers.candidates.filter((peer) => peer !== namespace)];
  const batches = metricBatches(namespace, erringIn);
  const query = (some: MetricBatch[]) => Promise.all(some.map((batch) => reader.queryMetricBatch(batch)));
  // A batch that probes another's range query goes first: that query is sent only when the probe found its series.
  const inTurn = async () => {
    await query(batches.filter((batch) => batch.probes));
    await query(batches.filter((batch) => !batch.probes));
  };
  await reader.wave(3, `Querying memory, CPU throttling and error rates in ${namespace}`, [inTurn()]);
}

/** Clients of a server elsewhere that counts errors now, whose logs were not read (evidence/erring-clients.ts). */
const MAX_ERRING_CLIENT_LOGS = 1;

/**
 * A server in a namespace the pods call counts errors of its own now, and the alerted namespace's logs read say
 * nothing of it: the log of a client of it there, which says which errors it meets.
 */
async function readClientsOfErringServers(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const max = Math.min(MAX_ERRING_CLIENT_LOGS, reader.leftWithin(PEER_HARD_LIMIT));
  if (max <= 0) return;
  const targets = erringServerClients(snapshot, graphOf(snapshot), namespace, max);
  if (targets.length === 0) return;
  await reader.wave(
    4,
    `Reading error lines of clients of a server whose own counters show errors: ${targets.map((t) => t.pod).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/**
 * Callees in other namespaces read that the errors say did not answer in time while their pods are up: how throttled
 * their containers are (one request each, at most MAX_SLOW_CALLEE_NAMESPACES), which the alerted namespace's queries
 * left out (evidence/slow-callee.ts).
 */
async function queryThrottlingOfSlowCallees(reader: SnapshotReader, peers: Peers): Promise<void> {
  const slowlyAnswering = slowlyAnsweringPeers(reader.snapshot, reader.namespace, peers.controllers);
  const slow = [
    ...new Set([
      ...slowCalleeNamespaces(reader.snapshot, reader.namespace, peers.read),
      ...slowlyAnswering.filter((peer) => peers.read.includes(peer)),
    ]),
  ].slice(0, MAX_SLOW_CALLEE_NAMESPACES);
  if (slow.length === 0) return;
  await reader.wave(
    4,
    `Querying CPU throttling in ${slow.join(', ')}: a callee there did not answer in time`,
    slow.map((peer) => {
      const { signal, query } = throttlingQueryFor(peer);
      return reader.queryMetric(signal, query);
    }),
  );
}

/**
 * A namespace the pods call into whose answers the warnings read say came slowly (slowlyAnsweringPeers), left unread
 * by the budget: its lists not read yet, so that its pods, and then their throttling, are seen.
 */
async function readSlowlyAnsweringPeer(reader: SnapshotReader, peers: Peers): Promise<void> {
  const [peer] = slowlyAnsweringPeers(reader.snapshot, reader.namespace, peers.controllers).filter(
    (candidate) => !peers.read.includes(candidate),
  );
  if (!peer || !reader.affords(peerCost(reader, peer) + MAX_SLOW_CALLEE_NAMESPACES, PEER_HARD_LIMIT)) return;
  peers.read.push(peer);
  const kinds = PEER_KINDS.filter((kind) => !reader.holds(kind, { namespace: peer }));
  await reader.wave(
    4,
    `Reading ${kinds.join(', ')} in ${peer}: the warnings read say its answers come slowly`,
    kinds.map((kind) =>
      reader.list(kind, `warnings in ${reader.namespace} say answers from ${peer} come slowly`, { namespace: peer }),
    ),
  );
}

/** Namespaces of slow callees whose throttling is queried. */
const MAX_SLOW_CALLEE_NAMESPACES = 1;

/** Wave 3: since when containers near their memory limit have been climbing (evidence/memory-history.ts). */
async function queryMemoryHistory(reader: SnapshotReader): Promise<void> {
  const queries = memoryHistoryQueries(reader.snapshot, reader.namespace);
  if (queries.length === 0) return;
  await reader.wave(
    3,
    `Querying the memory of ${queries.map((q) => `${q.pod}/${q.container} ${q.about}`).join('; ')}`,
    queries.map(({ query }) => reader.queryMetric('memory-working-set', query)),
  );
}

/** Wave 4: the memory of a callee elsewhere, OOM-killed after a long life, over that life and since (memory-history.ts). */
async function queryMemoryOfKilledPeers(reader: SnapshotReader): Promise<void> {
  const queries = killedPeerMemoryQueries(reader.snapshot, reader.namespace);
  if (queries.length === 0) return;
  await reader.wave(
    4,
    `Querying the memory of ${queries.map((q) => `${q.pod}/${q.container} ${q.about}`).join('; ')}`,
    queries.map(({ query }) => reader.queryMetric('memory-working-set', query)),
  );
}

/**
 * Wave 4: error lines of the containers that matter most, as many as the budget leaves (within bounds); on top of
 * it, the ingress controller's log and, behind a service mesh, the proxy of a workload rolled out just before, which
 * says what the application may not: which of its calls the mesh refuses.
 */
async function readLogs(reader: SnapshotReader, held = 0): Promise<void> {
  const { snapshot, namespace, alert } = reader;
  // `held`: requests planned for reads that wait for the logs (deferred peers), which the logs must leave.
  const left = reader.leftWithin(REQUEST_BUDGET) - held;
  const budget = Math.max(MIN_LOGS, Math.min(MAX_LOGS, left));
  const targets = chooseLogTargets(
    snapshot,
    reader.focus(),
    errorRatios(snapshot.metrics),
    budget,
    alert.labels.container,
    Math.min(MAX_LOGS, left),
    erringNames(snapshot.metrics, namespace, NAMING_LABELS),
  );
  const controllerLog = controllerLogTarget(snapshot);
  if (controllerLog) {
    reader.routingSpent++;
    targets.push(controllerLog);
  }
  const proxies = meshProxyTargets(snapshot, namespace, MAX_PROXY_LOGS);
  if (proxies.length === 0 && refusalsIn([alertText(alert)]).length > 0) {
    const focus = reader.focus();
    const symptom = focus.symptom;
    const hinted = hintsAt(alertText(alert), namespace);
    const symptomPods = new Set(podsOnPath(snapshot, focus).map((pod) => pod.metadata?.name));
    const pointedAt = (pod: string) => (symptom ? symptomPods.has(pod) : hinted(pod));
    proxies.push(...refusingProxyTargets(snapshot, namespace, pointedAt, MAX_PROXY_LOGS, targets));
  }
  reader.routingSpent += proxies.length;
  targets.push(...proxies);
  await reader.wave(
    4,
    `Reading error lines from ${targets.length} container logs: ${targets.map((target) => `${target.pod}${target.previous ? ' (previous)' : ''}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/**
 * Servers the trouble points at (the symptom's own workload, or one that erring workloads on its path call) run ready
 * and their applications log nothing wrong: the proxy beside them, which admits or refuses requests on their behalf
 * (mesh-proxy-logs.ts), says what it refused. On top of the budget, like the rest of the mesh's proxies.
 */
async function readProxiesOfQuietServers(reader: SnapshotReader): Promise<void> {
  const { snapshot } = reader;
  const graph = graphOf(snapshot);
  const starts = symptomNodes(reader.focus().symptom, graph);
  const own = new Set(
    starts.flatMap((ref) => {
      const service = ref.kind === 'Service' ? graph.service(ref.namespace ?? '', ref.name) : undefined;
      return (service ? graph.workloadsBehind(service) : [ref]).map(refKey);
    }),
  );
  const reached = [...reachFrom(starts, graph).values()];
  const targets = quietServerProxyTargets(snapshot, graph, reached, own, MAX_QUIET_SERVER_PROXY_LOGS);
  if (targets.length === 0) return;
  reader.routingSpent += targets.length;
  await reader.wave(
    4,
    `Reading the proxies beside servers that run ready and log no error: ${targets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/**
 * Logs of the workload the alert speaks of that came back without an error line (a replica that wrote nothing, a
 * standby): a sibling replica of the same workload, so that it is heard rather than cleared by one with nothing to say.
 */
/** Requests finding a refused client costs: the pod by its address, its namespace's ReplicaSets, Deployments, Services. */
const REFUSED_CLIENT_COST = 4;

/**
 * Servers of the namespace that log a client refused at the door (a failed TLS handshake or authentication) with the
 * client's address, of no pod read: the server is the receiving side. The pod holding that address (one request across
 * the cluster, by status.podIP) and its namespace's ReplicaSets and Deployments say which workload it is and what
 * changed in it; its Services, what the names in its settings resolve to there.
 */
async function readClientsTheServersRefuse(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const [address] = refusedClientAddresses(snapshot, namespace);
  if (!address || !reader.affords(REFUSED_CLIENT_COST, PEER_HARD_LIMIT)) return;
  await reader.wave(4, `Servers in ${namespace} refuse a client at ${address}: reading the pod that has that address`, [
    reader.list('Pod', `servers in ${namespace} refuse a client at ${address}: the pod at that address`, {
      fieldSelector: `status.podIP=${address}`,
    }),
  ]);
  const client = snapshot.pods.find((pod) => pod.status?.podIP === address);
  const home = client?.metadata?.namespace;
  if (!client) await readConfiguredClientOfRefusingServer(reader);
  if (!home || home === namespace || !client.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet')) return;
  await reader.wave(
    4,
    `Reading ReplicaSet, Deployment, Service in ${home}: what changed in the client the servers refuse`,
    (['ReplicaSet', 'Deployment', 'Service'] as const).map((kind) =>
      reader.list(kind, `servers in ${namespace} refuse ${client.metadata?.name}: its controller's revisions`, {
        namespace: home,
      }),
    ),
  );
}

/** Requests finding a refused client by its configuration: its namespace's pods and ReplicaSets, and its log. */
const CONFIGURED_CLIENT_COST = 3;

/**
 * No pod read holds the address a server names for the client it refuses: the client is one configured to call the
 * server (refused-clients.ts: the cluster's Deployments, as locating read them, else one request), the one whose name
 * or login the refusal names. Its namespace's pods and ReplicaSets and its log are read, then what changed there among
 * the Secrets shortly before the onset and their readers' words, as in the alerted namespace.
 */
async function readConfiguredClientOfRefusingServer(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  if (!reader.affords(CONFIGURED_CLIENT_COST + 1, PEER_HARD_LIMIT)) return;
  const everywhere = emptySnapshot(snapshot.now);
  await reader.list(
    'Deployment',
    `servers in ${namespace} refuse a client no pod read is: which workloads are configured to call them`,
    {},
    everywhere,
  );
  const read = new Set(snapshot.pods.map((pod) => pod.metadata?.namespace ?? ''));
  const client = refusedConfiguredClient(snapshot, namespace, everywhere.deployments, read);
  const home = client?.metadata?.namespace;
  if (!client || !home) return;
  const name = client.metadata?.name ?? '';
  const why = `servers in ${namespace} refuse ${name}, configured to call them`;
  await reader.wave(4, `Reading Pod, ReplicaSet in ${home}: ${why}`, [
    reader.list('Pod', why, { namespace: home }),
    reader.list('ReplicaSet', why, { namespace: home }),
  ]);
  absorb(snapshot.deployments, [client]);
  const [target] = deploymentLogTargets(snapshot, client, why, 1);
  if (target)
    await reader.wave(4, `Reading the log of ${name}, the client the servers refuse: ${target.pod}`, [
      reader.readLog(target),
    ]);
  await readSecretsEditedBeforeOnset(reader, home, PEER_HARD_LIMIT);
  await readReadersOfEditedSecrets(reader);
}

/**
 * The application behind the alert runs ready and logs no error (quiet-app.ts): the routing layer in front of it — the
 * namespace's Ingresses and routers' own routes, when not read already — so that the policies they name are read with
 * the rest of what governs the requests. On top of the budget, like the rest of the routing layer.
 */
async function readEdgeOfQuietApp(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace, alert } = reader;
  if (!appQuiet(snapshot, namespace)) return;
  const why = `every pod in ${namespace} runs ready and logs no error: the routing layer in front of them`;
  const ingresses =
    reader.ingressesRead || reader.holds('Ingress', { namespace }) ? [] : [reader.list('Ingress', why, { namespace })];
  const routes = speaksOfTheEdge(alert) ? [] : routeKinds(snapshot.apiGroups, MAX_ROUTE_KIND_READS);
  reader.routingSpent += ingresses.length + routes.length;
  if (ingresses.length + routes.length === 0) return;
  await reader.wave(4, `Reading the routing layer in front of ${namespace}, whose pods run ready and log no error`, [
    ...ingresses,
    ...routes.map((route) => reader.listCustom(route, namespace, `${why} (${route.kind})`)),
  ]);
}

/**
 * The routes in front of the symptom name policy objects that were read (route-policies.ts): the edge proxy that
 * applies them says in its own log what it answers (429, 401/403, 502 of a failed upstream handshake) when the
 * application behind says nothing — its pods found by what the routes call it (edge-proxy.ts), then one log. On top
 * of the budget, like the rest of the routing layer.
 */
async function readEdgeProxy(reader: SnapshotReader): Promise<void> {
  const { snapshot } = reader;
  if (namedPolicies(snapshot).length === 0 || edgeProxyHeard(snapshot)) return;
  const selector = edgeProxySelector(snapshot);
  if (edgeProxyPods(snapshot).length === 0 && selector) {
    reader.routingSpent++;
    await reader.wave(4, 'Reading the pods of the proxy in front of the routes', [
      reader.list('Pod', 'the routes name policies the proxy in front of them applies: its pods', {
        labelSelector: selector,
      }),
    ]);
  }
  const targets = edgeProxyLogTargets(reader.snapshot);
  if (targets.length === 0) return;
  reader.routingSpent += targets.length;
  await reader.wave(
    4,
    `Reading the logs of the proxy in front of the routes: ${targets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

async function readSiblingsOfEmptyLogs(reader: SnapshotReader): Promise<void> {
  const targets = siblingLogTargets(reader.snapshot, Math.min(MAX_SIBLING_LOGS, reader.leftWithin(PEER_HARD_LIMIT)));
  if (targets.length > 0)
    await reader.wave(
      4,
      `Reading sibling replicas of pods of the alerted workload whose log says nothing: ${targets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
      targets.map((target) => reader.readLog(target)),
    );
  const shared = sharedWordLogTargets(
    reader.snapshot,
    reader.focus(),
    Math.min(MAX_SIBLING_LOGS, reader.leftWithin(PEER_HARD_LIMIT)),
  );
  if (shared.length === 0) return;
  await reader.wave(
    4,
    `Reading the workloads the alert's word names beside the one whose logs say nothing: ${shared.map((target) => target.pod).join(', ')}`,
    shared.map((target) => reader.readLog(target)),
  );
}

/**
 * Which Secrets of a namespace were written shortly before the onset, asked of their metadata (one request, no value):
 * those a running pod reads and no read named yet are read by name (edited-secrets.ts), so that a credential rotated
 * off the alert's path is a change like a rollout. Within `limit`, like the readers' logs that follow.
 */
async function readSecretsEditedBeforeOnset(reader: SnapshotReader, namespace: string, limit: number): Promise<void> {
  if (!reader.affords(1 + MAX_EDITED_SECRETS + MAX_EDITED_SECRET_LOGS, limit)) return;
  const changes = await reader.secretChanges(
    namespace,
    `which Secrets of ${namespace} changed shortly before the symptom (metadata only, no value)`,
  );
  const onset = symptomOnset(reader.snapshot, reader.alert.startsAt);
  const edited = editedSecretsToRead(changes, reader.snapshot, namespace, onset, MAX_EDITED_SECRETS);
  if (edited.length === 0) return;
  // A Secret an operator generates (an external secret store's sync, a sealed secret unsealed) changes when its
  // resource does: that resource is read with it, so the ranking can tell whose edit the new value is
  // (ranking/operator-owner.ts).
  const generators = changes
    .filter((change) => edited.includes(change.metadata.name ?? ''))
    .flatMap((change) => change.metadata.ownerReferences?.filter((o) => o.controller && isCustomOwner(o)) ?? [])
    .filter(
      (owner) =>
        !reader.snapshot.customObjects.some((o) => o.kind === owner.kind && o.metadata?.namespace === namespace),
    )
    .map((owner) => customKind(reader.snapshot, owner));
  await reader.wave(4, `Reading Secrets of ${namespace} edited shortly before the symptom: ${edited.join(', ')}`, [
    ...secretReads(new Set(edited), namespace, 'edited shortly before the symptom').map(([kind, reason, options]) =>
      reader.list(kind, reason, options),
    ),
    ...generators.map((kind) =>
      reader.listCustom(kind, namespace, `the ${kind.kind} that generates a Secret edited shortly before the symptom`),
    ),
  ]);
}

/**
 * A Secret edited shortly before the onset: what its readers now present is refused or not, and only their words say
 * which (edited-secret-log-targets.ts). Within the hard limit, like the siblings of silent logs.
 */
async function readReadersOfEditedSecrets(reader: SnapshotReader, limit = PEER_HARD_LIMIT): Promise<void> {
  const onset = symptomOnset(reader.snapshot, reader.alert.startsAt);
  const targets = editedSecretLogTargets(
    reader.snapshot,
    onset,
    Math.min(MAX_EDITED_SECRET_LOGS, reader.leftWithin(limit)),
  );
  if (targets.length === 0) return;
  await reader.wave(
    4,
    `Reading readers of Secrets edited shortly before the symptom: ${targets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/**
 * The alert says output is missing and nothing in the namespace fails (every pod ready or done, no Warning event since
 * shortly before the onset): what it misses may be work that never ran at all — a CronJob stopped, whose runs leave no pod to fail and no event. One list says.
 */
async function readScheduledWorkWhenQuiet(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const options = { namespace };
  if (reader.holds('CronJob', options) || snapshot.cronJobs.some((c) => c.metadata?.namespace === namespace)) return;
  if (!quietWhileOutputMissing(reader)) return;
  await reader.wave(4, `Nothing in ${namespace} fails: reading its CronJobs, whose runs may have stopped`, [
    reader.list('CronJob', `nothing in ${namespace} fails: whether scheduled work stopped running`, options),
  ]);
}

/**
 * Nothing in the namespace examined fails (every pod ready or done, no Warning event since shortly before the onset),
 * while the alert says its output is missing: the work it misses is done elsewhere, or never ran.
 */
function quietWhileOutputMissing(reader: SnapshotReader): boolean {
  const { snapshot, namespace } = reader;
  const here = <T extends { metadata?: { namespace?: string } }>(items: T[]) =>
    items.filter((item) => item.metadata?.namespace === namespace);
  const failing = here(snapshot.pods).some((pod) => pod.status?.phase !== 'Succeeded' && !isPodReady(pod));
  // Warnings from before the incident's window (a run that failed yesterday) are not what fails now.
  const since = troubleWindowStart(reader.alert.startsAt, snapshot.now);
  const warned = snapshot.events.some(
    (event) => event.type === 'Warning' && eventNamespace(event) === namespace && (eventTime(event) ?? since) >= since,
  );
  // Only an alert about output not produced asks for work that never ran: for any other, a quiet namespace is no sign.
  return !failing && !warned && saysOutputMissing(reader.alert);
}

/** A writer's pods whose logs are read. */
const MAX_WRITER_LOGS = 2;

/**
 * Last, and only when nothing read explains the symptom (on top of the budget: at most seven requests): nothing in
 * the namespace examined fails while its output is missing, and no CronJob of it explains that: the data it
 * reads from a store is written by the store's other clients (store-writers.ts). One list of Deployments in every
 * namespace (kept apart from the snapshot) finds those configured with a store the namespace's pods read from, changed
 * shortly before the onset, in a namespace not read yet; the newest one's namespace is read (its pods, ReplicaSets,
 * Deployments, Events) and its pods' logs, so that its change and its errors are judged like any workload's.
 */
async function readWritersOfQuietStores(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  if (!quietWhileOutputMissing(reader)) return;
  const symptom = reader.focus().symptom;
  const stores = storesReadFrom(snapshot, namespace);
  // The alerted Service itself is what is read, not a store it reads from.
  if (symptom?.kind === 'Service') stores.delete(`${symptom.namespace}/${symptom.name}`);
  // An alerted Service whose pods read from no store is the store: the data it lacks is what its clients write to it.
  if (stores.size === 0 && symptom?.kind === 'Service') stores.add(`${symptom.namespace}/${symptom.name}`);
  if (stores.size === 0 || !reader.unexplained()) return;
  await reader.beyondBudget(() => readWriterOf(reader, stores));
}

async function readWriterOf(reader: SnapshotReader, stores: Set<string>): Promise<void> {
  const { snapshot, namespace } = reader;
  const everywhere = emptySnapshot(snapshot.now);
  const named = [...stores].join(', ');
  await reader.wave(
    4,
    `Nothing in ${namespace} fails while its output is missing: reading Deployments in every namespace, for the other clients of ${named}`,
    [
      reader.list(
        'Deployment',
        `nothing in ${namespace} fails: which other workloads are configured with ${named}, the store it reads`,
        {},
        everywhere,
      ),
    ],
  );
  const onset = symptomOnset(snapshot, reader.alert.startsAt);
  const podsRead = new Set(snapshot.pods.map((pod) => pod.metadata?.namespace ?? ''));
  let [writer] = recentStoreWriters(everywhere.deployments, stores, onset, podsRead);
  // None changed its spec: the ConfigMaps of the clients' namespace (one request) say whether one's settings changed.
  const clientHome = storeClients(everywhere.deployments, stores, podsRead)[0]?.deployment.metadata?.namespace;
  if (!writer && clientHome) {
    await reader.wave(4, `Reading ConfigMaps in ${clientHome}: no client of ${named} changed its spec`, [
      reader.list('ConfigMap', `whether the settings of a client of ${named} changed`, { namespace: clientHome }),
    ]);
    [writer] = recentStoreWriters(everywhere.deployments, stores, onset, podsRead, snapshot.configMaps);
  }
  const where = writer?.deployment.metadata?.namespace;
  if (!writer || !where) return;
  const name = writer.deployment.metadata?.name ?? '';
  const why = `Deployment ${where}/${name}, configured with ${writer.store} that ${namespace} reads, changed at ${writer.changed}`;
  await reader.wave(4, `Reading ${where}: ${why}`, [
    reader.list('Pod', why, { namespace: where }),
    reader.list('ReplicaSet', why, { namespace: where }),
    reader.list('Deployment', why, { namespace: where }),
    reader.list('Event', why, { namespace: where }),
  ]);
  const targets = deploymentLogTargets(snapshot, writer.deployment, why, MAX_WRITER_LOGS);
  if (targets.length === 0) return;
  await reader.wave(
    4,
    `Reading error lines of ${name}, a client of the store changed shortly before: ${targets.map((t) => t.pod).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
}

/**
 * The logs of a Deployment found outside the path (a client or writer elsewhere): its first container in up to `max` of
 * its pods that were read, running ones first.
 */
function deploymentLogTargets(
  snapshot: ClusterSnapshot,
  deployment: ClusterSnapshot['deployments'][number],
  why: string,
  max: number,
): LogTarget[] {
  const namespace = deployment.metadata?.namespace ?? '';
  const selector = deployment.spec?.selector?.matchLabels;
  const container = deployment.spec?.template?.spec?.containers[0]?.name ?? '';
  if (container === '') return [];
  return snapshot.pods
    .filter((pod) => pod.metadata?.namespace === namespace && matchesMap(pod.metadata?.labels, selector))
    .sort((a, b) => Number(b.status?.phase === 'Running') - Number(a.status?.phase === 'Running'))
    .slice(0, max)
    .map((pod) => ({ namespace, pod: pod.metadata?.name ?? '', container, previous: false, why }));
}

/** Whether a namespace may exist: it is in the cluster's list, or that list was not read. */
function namespaceMayExist(snapshot: ClusterSnapshot, name: string): boolean {
  return snapshot.namespaces.length === 0 || snapshot.namespaces.some((n) => n.metadata?.name === name);
}

/**
 * Pods that log errors act in another namespace through the API (a variable names it: their Jobs run there): the walk
 * follows their work, cheaply — that namespace's pods, the log of the newest that failed, then the Services and pods of
 * the namespace its errors name (one hop further: where the work calls), within the hard limit.
 */
async function readWorkWhereActing(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { snapshot, namespace } = reader;
  // A variable's value is only a guess at a namespace (a workflow engine's or a tenant's namespace is spelled the same):
  // once the cluster's namespaces were listed, one that does not exist there is not read.
  const where = actedOnNamespaces(erringPods(snapshot, namespace), namespace, peers.controllers).find((name) =>
    namespaceMayExist(snapshot, name),
  );
  if (!where || !reader.affords(ACTED_ON_COST, PEER_HARD_LIMIT)) return;
  if (!peers.read.includes(where)) {
    await reader.wave(
      4,
      `Reading the pods in ${where}, where pods that log errors act (their configuration names it)`,
      [
        reader.list('Pod', `pods in ${namespace} that log errors act in ${where}: the work they run there`, {
          namespace: where,
        }),
      ],
    );
  }
  const targets = actedOnLogTargets(snapshot, [where], MAX_ACTED_ON_LOGS);
  if (targets.length === 0) return;
  await reader.wave(
    4,
    `Reading the log of failed work in ${where}: ${targets.map((t) => t.pod).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
  const next = namespacesNamedIn(
    snapshot.logs.filter((log) => log.namespace === where).flatMap((log) => log.lines),
    where,
  ).find((peer) => peer !== namespace && !peers.read.includes(peer));
  if (!next) return;
  peers.read.push(next);
  const why = `the failed work in ${where} calls services in ${next}`;
  await reader.wave(4, `Reading Service, Pod in ${next}: ${why}`, [
    reader.list('Service', why, { namespace: next }),
    reader.list('Pod', why, { namespace: next }),
  ]);
}

/** The errors read name a namespace the configuration did not (an address read from a file): its state is read now. */
async function readNamespaceTheErrorsName(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { namespace } = reader;
  await readSecretsOfErringPods(reader);
  const affordable = (cost: number) => reader.affords(cost + MAX_PEER_LOGS, PEER_HARD_LIMIT);
  // A namespace the errors name costs only the lists not read yet (locating may have read its Services,
  // Deployments and Endpoints across the cluster); one found by asking where a bare name lives is planned in full.
  const errorsName = namespaceTheErrorsName(reader.snapshot, namespace, peers);
  if (!affordable(errorsName ? peerCost(reader, errorsName) : PEER_PLANNED_COST)) return;
  const named = errorsName ?? (await namespaceOfBareCallee(reader, peers));
  if (!named || !affordable(peerCost(reader, named))) return;
  peers.read.push(named);
  await reader.wave(
    4,
    `Reading ${PEER_KINDS.join(', ')} in ${named}: the errors read name services there`,
    PEER_KINDS.map((kind) =>
      reader.list(kind, `errors in ${namespace} name services in ${named}`, { namespace: named }),
    ),
  );
}

/** What a server's ingress rules are judged on: its pods (their labels), or its controllers' templates, and its Services. */
const GUARDED_PEER_KINDS: ObjectKind[] = ['Pod', 'Deployment', 'StatefulSet', 'Service'];

/**
 * The namespace of a server that pods failing to connect (or running unready) are configured to call, whose ingress
 * policies may refuse them (policy-guarded-peers.ts): its pods, controllers and Services, so that the rules of the
 * policies that select the server are judged against the caller — and the namespaces' labels, when a rule selects
 * namespaces by them. The lists locating read across the cluster answer without a request, past the budget too: the
 * templates of the server's controllers carry the labels its pods get.
 */
async function readPolicyGuardedPeer(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { snapshot } = reader;
  // The callers are the alerted namespace's pods first, then those of the namespaces read on its dependency path: a
  // dependency that fails to reach its own server (a policy two hops down) is refused the same way.
  const callers = [reader.namespace, ...peers.read];
  const [caller, guarded] =
    callers
      .map((from) => [
        from,
        policyGuardedPeers(snapshot, from, peers.controllers).find((peer) => !callers.includes(peer)),
      ])
      .find(([, peer]) => peer) ?? [];
  if (!caller || !guarded) return;
  const held = GUARDED_PEER_KINDS.filter((kind) => reader.holds(kind, { namespace: guarded }));
  const asked = GUARDED_PEER_KINDS.filter((kind) => !held.includes(kind));
  const namespaces =
    snapshot.namespaces.length === 0 && snapshot.networkPolicies.some(selectsNamespacesByLabel)
      ? [['Namespace', 'network policies select namespaces by label', {}] as Read]
      : [];
  const kinds = reader.affords(asked.length + namespaces.length, PEER_HARD_LIMIT) ? GUARDED_PEER_KINDS : held;
  if (kinds.length === 0) return;
  peers.read.push(guarded);
  const why = `pods in ${caller} fail to reach services they call in ${guarded}, whose network policies may refuse them`;
  await reader.wave(
    4,
    `Reading ${kinds.join(', ')} in ${guarded}: ${caller}'s pods fail to reach it, and network policies there isolate its pods`,
    [
      ...kinds.map((kind) => reader.list(kind, why, { namespace: guarded })),
      ...(kinds === held ? [] : namespaces).map(([kind, reason, options]) => reader.list(kind, reason, options)),
    ],
  );
}

/** Requests reading a peer namespace would send: its lists not read already, and one more as planned (PEER_PLANNED_COST). */
const peerCost = (reader: SnapshotReader, peer: string): number =>
  PEER_KINDS.filter((kind) => !reader.holds(kind, { namespace: peer })).length + 1;

/**
 * The namespace of a callee the errors name by its bare Service name, which no Service of the namespace has
 * (callee-elsewhere.ts): the cluster's Services (one request, unless locating read them) say where it is.
 */
async function namespaceOfBareCallee(reader: SnapshotReader, peers: Peers): Promise<string | undefined> {
  const { snapshot, namespace } = reader;
  const names = unresolvedCallees(snapshot, namespace);
  if (names.length === 0) return undefined;
  const everywhere = emptySnapshot(snapshot.now);
  await reader.list(
    'Service',
    `errors in ${namespace} name ${names.slice(0, 3).join(', ')}, no Service of ${namespace}: find where it is`,
    {},
    everywhere,
  );
  const home = calleeHome(names, everywhere.services, namespace);
  return home && !peers.read.includes(home.namespace) ? home.namespace : undefined;
}

/**
 * Pods that run ready were not suspected when Secrets were read; once their logs show errors they are: the Secrets
 * they read (a connection URL, a credential) are read now, a few, by name.
 */
async function readSecretsOfErringPods(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const erring = erringPods(snapshot, namespace);
  // Pods refused authentication log in with the Secrets their template names, or those the operator's resource that
  // makes them names for them (evidence/resource-secrets.ts).
  const refused = erring.filter((pod) =>
    snapshot.logs.some(
      (log) =>
        log.namespace === namespace &&
        log.pod === pod.metadata?.name &&
        log.lines.some((line) => AUTH_FAILURE.test(line)),
    ),
  );
  const unasked = (name: string) => !reader.secretsAsked.has(`${namespace}/${name}`);
  const named = [...new Set(refused.flatMap((pod) => secretsTheResourceNames(snapshot, [pod]).map((s) => s.name)))]
    .filter(unasked)
    .slice(0, MAX_RESOURCE_SECRETS);
  const unread = [
    ...new Set([...named, ...[...podReferences(erring, []).secrets].filter(unasked).slice(0, MAX_ERRING_SECRETS)]),
  ];
  if (unread.length === 0 || !reader.affords(unread.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading the Secrets of pods that log errors: ${unread.join(', ')}`,
    secretReads(new Set(unread), namespace, 'read by pods that log errors').map(([kind, reason, options]) =>
      reader.list(kind, reason, options),
    ),
  );
}

/** Pods of the namespace whose log read holds error lines. */
function erringPods(snapshot: ClusterSnapshot, namespace: string): ClusterSnapshot['pods'] {
  return snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      snapshot.logs.some(
        (log) => log.namespace === namespace && log.pod === pod.metadata?.name && log.lines.length > 0,
      ),
  );
}

/**
 * Pods of the namespace that run, unrestarted, but are not ready, and whose logs were read and hold nothing: their
 * readiness check fails without a word of why.
 */
function unreadyAndQuiet(snapshot: ClusterSnapshot, namespace: string): ClusterSnapshot['pods'] {
  return snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      pod.status?.phase === 'Running' &&
      !isPodReady(pod) &&
      !hasRestarted(pod) &&
      logsRead(snapshot, namespace, [pod.metadata?.name ?? '']) &&
      logLinesOf(snapshot, namespace, [pod.metadata?.name ?? '']).length === 0,
  );
}

function namespaceTheErrorsName(snapshot: ClusterSnapshot, namespace: string, peers: Peers): string | undefined {
  const known = new Set(snapshot.namespaces.map((object) => object.metadata?.name));
  // So do the hosts named by the Secrets of pods that log errors (a connection URL kept in a Secret, which the pod spec
  // cannot show): where a failing reader connects.
  const erring = erringPods(snapshot, namespace);
  const { secrets: erringSecrets, configMaps: erringConfigMaps } = podReferences(erring, []);
  // Plain env hosts (`PGHOST=db.data.svc`) of pods that log connection failures lead there just the same, when the
  // budget left them unread before the logs.
  const failingToConnect = erring.filter((pod) =>
    logLinesOf(snapshot, namespace, [pod.metadata?.name ?? '']).some((line) => failsToReach(line.text)),
  );
  const erringErrors = logLinesOf(
    snapshot,
    namespace,
    erring.map((pod) => pod.metadata?.name ?? ''),
  )
    .map((line) => line.text)
    .filter((text) => looksLikeError(text));
  return [
    ...namespacesNamedIn(
      snapshot.secrets
        .filter((secret) => secret.metadata?.namespace === namespace && erringSecrets.has(secret.metadata?.name ?? ''))
        .flatMap((secret) => Object.values(secret.hosts ?? {}).flat()),
      namespace,
    ),
    // And the hosts the ConfigMaps they read name (a config file's `api_url: http://authz.sec.svc:8080`): a dependency
    // the pod spec cannot show.
    ...configHostNamespaces(
      configMapTexts(snapshot, namespace, (name) => erringConfigMaps.has(name)),
      namespace,
      erringErrors,
    ),
    // Then the hosts of the namespace's other ConfigMaps, when the errors name their Service (an application that
    // loads its settings itself: no pod template references them).
    ...calledHostNamespaces(
      configMapTexts(snapshot, namespace, (name) => !erringConfigMaps.has(name)),
      namespace,
      erringErrors,
    ),
    ...namespacesNamedIn(
      snapshot.logs.filter((log) => log.namespace === namespace).flatMap((log) => log.lines),
      namespace,
    ),
    // Last: a namespace the errors themselves name is the more specific lead.
    ...peerNamespaces(failingToConnect, namespace, peers.controllers),
    // Running pods their readiness check holds out of service, whose logs read said nothing: the check (an
    // application's health of its dependencies) fails on something they call, and only their settings name it.
    ...peerNamespaces(unreadyAndQuiet(snapshot, namespace), namespace, peers.controllers),
  ].find((peer) => !peers.read.includes(peer) && (known.size === 0 || known.has(peer)));
}

/**
 * Error lines of the dependencies the errors read name (the callee's own log: why it fails, one hop further), in the
 * namespace and across its boundary, and of the servers of pods that log nothing. Whether a callee's log was read:
 * its errors may name a namespace the first errors did not.
 */
async function readPeerLogs(reader: SnapshotReader, read: Peers): Promise<boolean> {
  const { snapshot, namespace } = reader;
  const peers = peerLogTargets(
    snapshot,
    namespace,
    Math.min(MAX_PEER_LOGS, reader.leftWithin(PEER_HARD_LIMIT)),
    read.read,
  );
  const callees = calleeLogTargets(
    snapshot,
    namespace,
    Math.min(MAX_CALLEE_LOGS, reader.leftWithin(PEER_HARD_LIMIT) - peers.length),
  );
  const targets = [...callees, ...peers];
  if (targets.length === 0) return false;
  await reader.wave(
    4,
    `Reading error lines of dependencies the errors name (or called by pods that log nothing): ${targets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
    targets.map((target) => reader.readLog(target)),
  );
  return callees.length > 0;
}

/**
 * Dependencies in other namespaces whose logs read show errors of their own: the ConfigMaps and Secrets their pods
 * read there, as the alerted namespace's are — a change to them (a flag switched, a key rotated) is a suspect like any
 * other.
 */
async function readWhatErringPeersRead(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const erring = snapshot.pods.filter((pod) => {
    const where = pod.metadata?.namespace;
    if (!where || where === namespace) return false;
    const lines = logLinesOf(snapshot, where, [pod.metadata?.name ?? '']);
    return lines.some((line) => looksLikeError(line.text) && !answersClientError(line.text));
  });
  const reads = [...new Set(erring.map((pod) => pod.metadata?.namespace ?? ''))]
    .slice(0, MAX_ERRING_PEERS)
    .flatMap((peer): Read[] => {
      const refs = podReferences(erring.filter(inNamespace(peer)));
      const why = `pods in ${peer}, which the alerted workload calls, log errors of their own`;
      const configMaps: Read[] =
        refs.configMaps.size > 0 && !snapshot.configMaps.some(inNamespace(peer))
          ? [['ConfigMap', `${why}: the configuration they read`, { namespace: peer }]]
          : [];
      const unread = [...refs.secrets].filter(
        (name) => !snapshot.secrets.some((s) => s.metadata?.namespace === peer && s.metadata?.name === name),
      );
      return [...configMaps, ...secretReads(new Set(unread.slice(0, MAX_ERRING_PEER_SECRETS)), peer, `read by ${why}`)];
    });
  if (reads.length === 0) return;
  await reader.wave(
    4,
    'Reading the configuration of dependencies in other namespaces that fail on their own',
    reads.map(([kind, reason, options]) => reader.list(kind, reason, options)),
  );
}

/**
 * Logins refused while nothing the clients read changed: the server's own credential may have been rotated and the
 * clients still hold the old one. The server's side is read (evidence/server-credentials.ts): the custom resource its
 * pods are made from, when not read, then the Secret its pods or that resource name for a login, by name.
 */
async function readRefusingServersSecrets(reader: SnapshotReader): Promise<void> {
  const first = serverCredentialReads(reader.snapshot, graphOf(reader.snapshot), reader.secretsAsked);
  if (first.owners.length > 0) {
    reader.routingSpent += first.owners.length;
    await reader.wave(
      4,
      `Reading ${first.owners.map((o) => `${o.kind} in ${o.namespace}`).join(', ')}: the resource the server that refuses the logins is made from`,
      first.owners.map((o) =>
        reader.listCustom(o, o.namespace, `the ${o.kind} whose pods refuse logins: the credential it keeps`),
      ),
    );
  }
  const { secrets } = serverCredentialReads(reader.snapshot, graphOf(reader.snapshot), reader.secretsAsked);
  if (secrets.length === 0 || !reader.affords(secrets.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading the credential of the server that refuses the logins: ${secrets.map((x) => `${x.namespace}/${x.name}`).join(', ')}`,
    secrets.flatMap(({ namespace, name }) =>
      secretReads(new Set([name]), namespace, 'the server refuses logins whose credentials did not change').map(
        ([kind, reason, options]) => reader.list(kind, reason, options),
      ),
    ),
  );
}

/**
 * The errors name a custom object their software is configured through (logged-objects.ts), and its spec points at a
 * Service in a namespace not read: that namespace's state, as when the errors name it themselves.
 */
async function readWhereLoggedObjectsPoint(reader: SnapshotReader, peers: Peers): Promise<void> {
  const { namespace } = reader;
  const named = namespacesObjectsPointAt(reader.snapshot).find(
    (peer) => peer !== namespace && !peers.read.includes(peer) && namespaceMayExist(reader.snapshot, peer),
  );
  if (!named || !reader.affords(PEER_PLANNED_COST, PEER_HARD_LIMIT)) return;
  peers.read.push(named);
  await reader.wave(
    4,
    `Reading ${PEER_KINDS.join(', ')} in ${named}: an object the errors name is configured with services there`,
    PEER_KINDS.map((kind) =>
      reader.list(kind, `errors in ${namespace} name an object configured with services in ${named}`, {
        namespace: named,
      }),
    ),
  );
}

/**
 * Workloads log errors, and a server they call runs in pods an operator's custom resource controls, not read: that
 * resource (evidence/called-server-owners.ts) — the operator enforces its spec on the server (a pause, a limit, an
 * access rule) while the server's own objects stay as they were. Within the hard limit.
 */
async function readOwnersOfCalledServers(reader: SnapshotReader): Promise<void> {
  const kinds = calledServerOwners(reader.snapshot, graphOf(reader.snapshot), new Set());
  if (kinds.length === 0 || !reader.affords(kinds.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading ${kinds.map((k) => `${k.kind} in ${k.namespace}`).join(', ')}: the resources the servers that the erring workloads call are generated from`,
    kinds.map((kind) =>
      reader.listCustom(
        kind,
        kind.namespace,
        `the ${kind.kind} that the servers the erring workloads call are made from`,
      ),
    ),
  );
}

/**
 * A workload nobody owns changed shortly before, and the cluster serves a kind its name or labels carry, of the software
 * its image comes from (evidence/copied-settings.ts): an operator that writes workloads without ownerReferences copies
 * its resource's fields into them. That kind is read where the workload runs. Within the hard limit.
 */
async function readCopySources(reader: SnapshotReader): Promise<void> {
  const kinds = copySourceKinds(reader.snapshot, symptomOnset(reader.snapshot, reader.alert.startsAt));
  if (kinds.length === 0 || !reader.affords(kinds.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading ${kinds.map((k) => `${k.kind} in ${k.namespace}`).join(', ')}: a workload changed shortly before carries that kind's name and runs its software's image`,
    kinds.map((kind) =>
      reader.listCustom(kind, kind.namespace, `the ${kind.kind} a workload changed shortly before may be written from`),
    ),
  );
}

/**
 * Errors read speak of a limit reached, and the server the erring workloads call is made by a custom resource not
 * read: that resource, where the server runs (evidence/limit-settings.ts) — an operator renders the limit from it.
 */
async function readOwnersOfLimitingServers(reader: SnapshotReader): Promise<void> {
  const kinds = limitingServerOwners(reader.snapshot, graphOf(reader.snapshot), new Set());
  if (kinds.length === 0) return;
  reader.routingSpent += kinds.length;
  await reader.wave(
    4,
    `Reading ${kinds.map((k) => `${k.kind} in ${k.namespace}`).join(', ')}: the resources the servers that enforce the limit the errors reach are made from`,
    kinds.map((kind) =>
      reader.listCustom(kind, kind.namespace, `the ${kind.kind} whose server enforces the limit the errors speak of`),
    ),
  );
}

/** Kinds of awaited objects read, at most. */
const MAX_AWAITED_LISTS = 1;
/** Lists read for what failing volumes are made from: one driver's kind, as a rule. */
const MAX_MOUNT_SOURCE_LISTS = 1;
/** Lists read for the parameters of the Ingresses' classes: a cluster's Ingresses use one or two classes. */
const MAX_CLASS_PARAMETERS = 2;

/**
 * Objects read are not ready for an object they reference (a node pool for its node class), and that object was not
 * read (awaited-references.ts): its kind, through discovery — whether it is ready, and why not. On top of the budget,
 * like the routing layer: only when a condition states the wait.
 */
async function readAwaitedReferences(reader: SnapshotReader): Promise<void> {
  const planned = planLists(awaitedReferenceLists(reader.snapshot), reader.customListed, MAX_AWAITED_LISTS);
  if (planned.length === 0) return;
  reader.routingSpent += planned.length;
  await reader.wave(
    4,
    `Reading ${planned.map(({ resource, namespace }) => `${resource.kind}${namespace ? ` in ${namespace}` : ''}`).join(', ')}: what objects that are not ready wait for`,
    planned.map(({ resource, namespace, why }) => reader.listCustom(resource, namespace, why)),
  );
}

/**
 * Volumes fail to mount, and their CSI attributes name an object of a served kind (mount-sources.ts): that kind where
 * the pods run — what the driver was asked to mount. Only when the kubelet reports the failure.
 */
async function readMountSources(reader: SnapshotReader): Promise<void> {
  const planned = planLists(mountSourceLists(reader.snapshot), reader.customListed, MAX_MOUNT_SOURCE_LISTS);
  if (planned.length === 0) return;
  await reader.wave(
    4,
    `Reading ${planned.map(({ resource, namespace }) => `${resource.kind} in ${namespace}`).join(', ')}: what the volumes that fail to mount are made from`,
    planned.map(({ resource, namespace, why }) => reader.listCustom(resource, namespace, why)),
  );
}

/**
 * Pods run but stop answering and mount Bound claims (storage-backends.ts): the StorageClass of the claims, then the
 * operator's kind its parameters name the volumes' backend by (a pool), then the Warning events where that backend
 * lives — what its operator reports of it (a pool full at its quota). Each only when the one before names the next;
 * on top of the budget, like the routing layer.
 */
async function readStorageBackends(reader: SnapshotReader): Promise<void> {
  const { namespace } = reader;
  for (const lists of [stalledClaimClassLists, backendKindLists]) {
    const planned = planLists(lists(reader.snapshot, namespace), reader.customListed, 1);
    if (planned.length === 0) continue;
    reader.routingSpent += planned.length;
    await reader.wave(
      4,
      `Reading ${planned.map(({ resource }) => resource.kind).join(', ')}: what stores the volumes of pods that stop answering`,
      planned.map(({ resource, namespace: where, why }) => reader.listCustom(resource, where, why)),
    );
  }
  const backends = backingObjects(reader.snapshot, namespace);
  const where = [...new Set(backends.flatMap(({ backend }) => backend.metadata?.namespace ?? []))]
    .filter((ns) => ns !== namespace && !reader.holds('Event', { namespace: ns }))
    .slice(0, 1);
  if (where.length === 0) return;
  reader.routingSpent += where.length;
  await reader.wave(
    4,
    `Reading Warning events in ${where.join(', ')}: what the operator reports of ${backends[0]?.backend.kind} ${backends[0]?.backend.metadata?.name}`,
    where.map((ns) =>
      reader.list('Event', `the storage behind stalled pods' volumes lives in ${ns}: what its operator reports`, {
        namespace: ns,
        fieldSelector: WARNING_EVENTS,
      }),
    ),
  );
}

/**
 * Pods of the namespace preempted by a pod that was not read (another namespace's): the pods on the node it took,
 * cluster-wide, by field selector — the preemptor among them, with its priority and the workload it belongs to.
 */
async function readPodsOfPreemptors(reader: SnapshotReader): Promise<void> {
  const [node] = nodesOfUnreadPreemptors(reader.snapshot, reader.namespace, reader.focus().symptom);
  if (!node || !reader.affords(1, PEER_HARD_LIMIT)) return;
  const found = emptySnapshot(reader.snapshot.now);
  await reader.wave(4, `Reading the pods on ${node}: one of them preempted pods of ${reader.namespace}`, [
    reader.list(
      'Pod',
      `pods of ${reader.namespace} were preempted on ${node} by a pod not read yet`,
      { fieldSelector: `spec.nodeName=${node}` },
      found,
    ),
  ]);
  absorb(reader.snapshot.pods, found.pods);
}

/**
 * The controllers of preemptors read on another namespace's node whose rank comes from a PriorityClass: whether their
 * template asks for that class or admission assigned it (the cluster's default class), so whether the workload or the
 * class changed what the pods preempt with (preemption.ts). One list of the controller's kind in its namespace.
 */
async function readPreemptorControllers(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  const preemptors = snapshot.events
    .filter((event) => event.reason === 'Preempted' && event.involvedObject?.namespace === namespace)
    .flatMap((event) => {
      const match = PREEMPTED_BY.exec(event.message ?? '');
      const pod = match ? preemptorNamed(snapshot, match[1] as string) : undefined;
      return pod?.spec?.priorityClassName && pod.metadata?.namespace !== namespace ? [pod] : [];
    });
  const reads = [
    ...new Set(
      preemptors.flatMap((pod) => {
        const kind = controllerOf(pod.metadata)?.kind;
        return kind && POD_CONTROLLER_KINDS.has(kind) ? [`${kind}/${pod.metadata?.namespace}`] : [];
      }),
    ),
  ]
    .map((key) => key.split('/') as [ObjectKind, string])
    .filter(([kind, where]) => !reader.holds(kind, { namespace: where }))
    .slice(0, 1);
  if (reads.length === 0 || !reader.affords(reads.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading ${reads.map(([kind, where]) => `${kind} in ${where}`).join(', ')}: whether the preemptor's template asks for its priority class`,
    reads.map(([kind, where]) =>
      reader.list(kind, `a pod of ${where} preempted pods of ${namespace}: what its controller's template asks for`, {
        namespace: where,
      }),
    ),
  );
}

/** Controllers that stamp pods from a template of their own, as a pod's ownerReference names them. */
const POD_CONTROLLER_KINDS = new Set(['Job', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

/**
 * Pods refused partly for a new taint and partly for resources: the pods bound on the largest newly tainted node,
 * cluster-wide, by field selector — whether that node would have had room for them, so whether the taint or capacity
 * keeps them waiting (node-room.ts). One request.
 */
async function readPodsOfTaintedNode(reader: SnapshotReader): Promise<void> {
  const [node] = taintedNodesToWeigh(reader.snapshot);
  if (!node || !reader.affords(1, PEER_HARD_LIMIT)) return;
  const found = emptySnapshot(reader.snapshot.now);
  await reader.wave(4, `Reading the pods on ${node}: whether the node its new taint closed had room`, [
    reader.list(
      'Pod',
      `pods of ${reader.namespace} are refused by ${node}'s new taint and elsewhere for resources: what ${node} holds`,
      { fieldSelector: `spec.nodeName=${node}` },
      found,
    ),
  ]);
  absorb(reader.snapshot.pods, found.pods);
  const cutShort = reader.snapshot.incomplete.some((read) => read.fieldSelector === `spec.nodeName=${node}`);
  if (!cutShort) reader.snapshot.podsReadOnNodes = [...(reader.snapshot.podsReadOnNodes ?? []), node];
}

/**
 * Pods of the namespace the scheduler refuses for capacity alone: every node's pods that hold room, cluster-wide (one
 * request), so whether newcomers took the room it had; then the controllers above the newcomers that are custom
 * resources, one kind per request, up the chain (a run → the schedule that starts runs) — where what brought them is
 * set (room-takers.ts). The pods are kept apart from the namespace's own.
 */
async function readPodsHoldingRoom(reader: SnapshotReader): Promise<void> {
  const { snapshot, namespace } = reader;
  if (!roomToWeigh(snapshot, namespace) || !reader.affords(1, PEER_HARD_LIMIT)) return;
  const found = emptySnapshot(snapshot.now);
  await reader.wave(4, `Reading the pods of every node: pods of ${namespace} find no node with room`, [
    reader.list(
      'Pod',
      `pods of ${namespace} are refused for capacity on every node: what holds the room`,
      { fieldSelector: HOLDING_ROOM },
      found,
    ),
  ]);
  const cutShort = snapshot.incomplete.some((read) => read.kind === 'Pod' && read.fieldSelector === HOLDING_ROOM);
  if (cutShort) return;
  snapshot.podsHoldingRoom = found.pods;
  const arrived = newcomers(snapshot);
  const namespaces = [...new Set(arrived.map((pod) => pod.metadata?.namespace ?? ''))].filter(Boolean);
  // Their built-in controllers first (a ReplicaSet's Deployment, a Job's CronJob, a StatefulSet an operator made).
  for (let link = 0; link < MAX_OWNER_LINKS; link++) {
    const lists = unreadBuiltInControllers(snapshot, arrived)
      .filter(({ kind, namespace: where }) => !reader.holds(kind, { namespace: where }))
      .slice(0, 2);
    if (lists.length === 0 || !reader.affords(lists.length, PEER_HARD_LIMIT)) break;
    await reader.wave(
      4,
      `Reading ${lists.map((l) => `${l.kind} in ${l.namespace}`).join(', ')}: what made the pods that arrived on the full nodes`,
      lists.map(({ kind, namespace: where }) =>
        reader.list(kind, `the controllers of pods that arrived on the full nodes`, { namespace: where }),
      ),
    );
  }
  const tried = new Set<string>();
  for (let link = 0; link < MAX_OWNER_LINKS; link++) {
    const kinds = unreadCustomOwners(snapshot, namespaces, tried, arrived).slice(0, 2);
    if (kinds.length === 0 || !reader.affords(kinds.length, PEER_HARD_LIMIT)) return;
    for (const kind of kinds) tried.add(ownerReadKey(kind));
    await reader.wave(
      4,
      `Reading ${kinds.map((k) => `${k.kind} in ${k.namespace}`).join(', ')}: what made the pods that arrived on the full nodes`,
      kinds.map((kind) =>
        reader.listCustom(kind, kind.namespace, `the ${kind.kind}s that made pods which arrived on the full nodes`),
      ),
    );
  }
}

/**
 * Pods read were evicted by a component from outside Kubernetes' own (a descheduler, a reaper): the workload that runs
 * it, cluster-wide — CronJobs, then Deployments, each only while none is found — and the ConfigMaps its template mounts,
 * by name (at most two): where what it evicts is set (outside-evictions.ts).
 */
async function readOutsideEvictors(reader: SnapshotReader): Promise<void> {
  const { snapshot } = reader;
  const evictions = outsideEvictions(snapshot);
  if (evictions.length === 0) return;
  const who = evictions.map((e) => e.component).join(', ');
  for (const kind of ['CronJob', 'Deployment'] as const) {
    if (evictions.every((e) => evictorWorkloads(snapshot, e).length > 0)) break;
    if (reader.holds(kind, {}) || !reader.affords(1, PEER_HARD_LIMIT)) continue;
    await reader.wave(4, `Reading ${kind}s in every namespace: pods were evicted by ${who}, which runs from one`, [
      reader.list(kind, `pods were evicted by ${who}: the workload that runs it`, {}),
    ]);
  }
  const held = new Set(snapshot.configMaps.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`));
  const reads = [
    ...new Set(
      evictions
        .flatMap((e) => evictorWorkloads(snapshot, e))
        .flatMap((w) => templateConfigMaps(w.template).map((name) => `${w.metadata.namespace}/${name}`)),
    ),
  ]
    .filter((key) => !held.has(key))
    .slice(0, 2);
  if (reads.length === 0 || !reader.affords(reads.length, PEER_HARD_LIMIT)) return;
  await reader.wave(
    4,
    `Reading ConfigMap ${reads.join(', ')}: the configuration of ${who}, which evicted pods read`,
    reads.map((key) => {
      const [where, name] = key.split('/') as [string, string];
      return reader.getConfigMap(where, name, `the configuration of ${who}, which evicted pods read`);
    }),
  );
}

/** Reads started for one kind of refusal, and what they read (for the step message). */
interface GoverningReads {
  reads: Promise<void>[];
  what: string;
}

/**
 * Errors that only a governing object explains: calls the API server refuses (RBAC of the pod's ServiceAccount),
 * pods an admission webhook refuses to create (the webhook configurations), calls out a mesh proxy refuses (the
 * mesh's registry of outside hosts), certificates the clients do not accept (what cert-manager says of them) — and the
 * custom kinds discovery names that may hold the rule (planned together, within one cap: discoveredLists).
 */
async function readGoverningObjects(reader: SnapshotReader): Promise<void> {
  const lines = reader.snapshot.logs.flatMap((log) => log.lines);
  const certificates = certificatesServed(reader.snapshot.apiGroups);
  // The alert itself may be the failing client (a synthetic probe that rejects the certificate it is served).
  const tlsFails = [...lines, alertText(reader.alert)].some((line) => TLS_ERROR.test(line));
  const certificateReads = certificates && tlsFails ? readCertificates(reader, certificates) : undefined;
  const governing = [
    readRbac(reader),
    readServiceAccounts(reader),
    readWebhookConfigurations(reader),
    readServiceEntries(reader, lines),
    certificateReads,
    readDiscoveredLists(
      reader,
      MAX_DISCOVERED_LISTS - (certificateReads?.reads.length ?? 0),
      new Set<ObjectKind>(certificateReads ? ['Certificate', 'Issuer'] : []),
    ),
  ].filter((read) => read !== undefined);
  if (governing.length === 0) return;
  await reader.wave(
    4,
    `Reading what governs the refusals: ${governing.map(({ what }) => what).join('; ')}`,
    governing.flatMap(({ reads }) => reads),
  );
  absorb(
    reader.snapshot.networkPolicies,
    asNetworkPolicies(reader.snapshot.customObjects, cniPolicyKinds(reader.snapshot.apiGroups)),
  );
  // A Certificate signed by a ClusterIssuer: that issuer's state too.
  if (!reader.snapshot.certificates.some((c) => c.spec?.issuerRef?.kind === 'ClusterIssuer')) return;
  await reader.wave(4, 'Reading the ClusterIssuers that sign the certificates', [
    reader.list('ClusterIssuer', 'a Certificate is signed by a ClusterIssuer: whether it can sign', {
      version: certificates,
    }),
  ]);
}

/**
 * The custom kinds discovery names that may hold the rule behind what the errors show — a policy an admission webhook
 * quotes, the rules of a dependency that refuses the pods, the policies attached to the routes in front of the
 * symptom, the network plugin's policies when calls time out — each list once, the most related first, within `cap`.
 * On top of the budget, like the routing layer: few, and only when the errors point at such a rule.
 */
function readDiscoveredLists(
  reader: SnapshotReader,
  cap: number,
  readBeside: ReadonlySet<ObjectKind>,
): GoverningReads | undefined {
  const { snapshot, namespace } = reader;
  const wanted = [
    ...quotedPolicyLists(snapshot, namespace),
    ...spelledKindLists(snapshot, namespace),
    ...sandboxPoolLists(snapshot),
    ...mutationLists(snapshot),
    ...governingLists(snapshot, new Set(podsOnPath(snapshot, reader.focus()).map((pod) => pod.metadata?.uid))),
    ...attachedPolicyLists(snapshot, namespace, reader.focus().symptom, {
      text: alertText(reader.alert),
      speaksOfTheEdge: speaksOfTheEdge(reader.alert),
    }),
    ...cniPolicyLists(snapshot, namespace, erringPods(snapshot, namespace)),
    ...routerKindLists(snapshot, namespace, reader.focus().symptom),
    ...configuredObjectLists(snapshot, namespace, alertText(reader.alert)),
    ...referencedKindLists(snapshot, namespace),
    ...routePolicyLists(snapshot, namespace),
    ...nodeLabelSourceLists(snapshot, namespace),
    ...nodeGroupLists(snapshot),
    ...syncSourceLists(snapshot, symptomOnset(snapshot, reader.alert.startsAt)),
    ...stepTemplateLists(snapshot, namespace),
    ...scopedObjectLists(snapshot, namespace),
    ...loggedObjectLists(snapshot),
    ...deliveryLists(snapshot, namespace, reader.focus().symptom, { speaksOfTheEdge: speaksOfTheEdge(reader.alert) }),
    ...resourceSetterLists(snapshot, graphOf(snapshot)),
    ...storageClassLists(snapshot, namespace),
    ...priorityClassLists(snapshot, namespace),
    ...podClassLists(snapshot, namespace),
  ];
  // A kind also read with its own schema (cert-manager's, the routing APIs), in all namespaces beside these lists or
  // before them, is not asked for again.
  const unread = wanted.filter(({ resource, namespace: where }) => {
    const typed = typedCustomKind(resource);
    if (!typed) return true;
    return (
      !readBeside.has(typed) &&
      !reader.holds(typed, { ...(where ? { namespace: where } : {}), version: resource.version })
    );
  });
  const planned = planLists(unread, reader.customListed, cap);
  if (planned.length === 0) return undefined;
  reader.routingSpent += planned.length;
  return {
    reads: planned.map(({ resource, namespace: where, why }) => reader.listCustom(resource, where, why)),
    what: planned.map(({ resource, namespace: where }) => `${resource.kind}${where ? ` in ${where}` : ''}`).join(', '),
  };
}

/** Calls the API server refuses: the Roles and RoleBindings where they were refused. */
function readRbac(reader: SnapshotReader): GoverningReads | undefined {
  const refused = [
    ...new Set(forbiddenCalls(reader.snapshot.logs).map((call) => call.namespace ?? call.serviceAccount.namespace)),
  ].slice(0, MAX_RBAC_NAMESPACES);
  if (refused.length === 0) return undefined;
  const forbidden = 'the API server refuses calls of pods whose logs were read (forbidden)';
  return {
    reads: [
      ...refused.flatMap((where) => [
        reader.list('Role', `${forbidden}: what the Roles in ${where} allow`, { namespace: where }),
        reader.list('RoleBinding', `${forbidden}: whom the RoleBindings in ${where} grant it`, { namespace: where }),
      ]),
      // Cluster-wide grants apply in every namespace, and alone grant a cluster-scoped call.
      reader.list('ClusterRole', `${forbidden}: what the ClusterRoles allow`, {}),
      reader.list('ClusterRoleBinding', `${forbidden}: whom the ClusterRoleBindings grant it`, {}),
    ],
    what: `Roles and RoleBindings in ${refused.join(', ')}, ClusterRoles and ClusterRoleBindings`,
  };
}

/** Pods whose log says their ServiceAccount token is missing: the ServiceAccounts of their namespaces (is one mounted). */
function readServiceAccounts(reader: SnapshotReader): GoverningReads | undefined {
  const where = [...new Set(tokenlessPods(reader.snapshot.logs).map(({ pod }) => pod.namespace))].slice(
    0,
    MAX_RBAC_NAMESPACES,
  );
  if (where.length === 0) return undefined;
  const why = 'pods whose logs were read have no ServiceAccount token: whether their ServiceAccounts mount one';
  return {
    reads: where.map((namespace) => reader.list('ServiceAccount', `${why} (${namespace})`, { namespace })),
    what: `ServiceAccounts in ${where.join(', ')}`,
  };
}

/** Pods an admission webhook refuses to create: the webhook configurations (the policy it quotes is planned). */
function readWebhookConfigurations(reader: SnapshotReader): GoverningReads | undefined {
  const webhooks = [...new Set(webhookRefusals(reader.snapshot.events).map((refusal) => refusal.webhook))];
  if (webhooks.length === 0) return readMutatingWebhooksOfLostInjections(reader);
  const why = `pods are not created: admission webhook ${webhooks.join(', ')} refuses them`;
  return {
    reads: [
      reader.list('ValidatingWebhookConfiguration', why, {}),
      reader.list('MutatingWebhookConfiguration', why, {}),
    ],
    what: 'admission webhook configurations',
  };
}

/**
 * Failing pods lack containers their older siblings carry beyond the template (lost-injection.ts): the mutating webhook
 * configurations, which decide what admission adds to which pods. Cluster-scoped, one list.
 */
function readMutatingWebhooksOfLostInjections(reader: SnapshotReader): GoverningReads | undefined {
  const lost = lostInjections(reader.snapshot);
  if (lost.length === 0 || reader.holds('MutatingWebhookConfiguration', {})) return undefined;
  const names = [...new Set(lost.flatMap(({ containers }) => containers))].join(', ');
  return {
    reads: [
      reader.list(
        'MutatingWebhookConfiguration',
        `failing pods lack containers (${names}) that admission added to their older siblings`,
        {},
      ),
    ],
    what: 'mutating webhook configurations',
  };
}

/** A mesh proxy refuses calls out (BlackHoleCluster): which outside hosts the mesh registers. */
function readServiceEntries(reader: SnapshotReader, lines: string[]): GoverningReads | undefined {
  const registry = servedVersion(reader.snapshot.apiGroups, 'ServiceEntry');
  if (!registry || !lines.some((line) => EGRESS_REFUSED.test(line))) return undefined;
  const why = 'a mesh proxy refuses calls out (BlackHoleCluster): which outside hosts the mesh registers';
  return { reads: [reader.list('ServiceEntry', why, { version: registry })], what: "the mesh's ServiceEntries" };
}

/**
 * TLS verification fails in the logs read: what cert-manager says of the certificates and issuers. Cluster-wide, one
 * list each: the certificate a client rejects is the server's, and the server often runs in another namespace (a
 * shared database, a gateway) that was never read.
 */
function readCertificates(reader: SnapshotReader, version: string): GoverningReads {
  const why = 'TLS verification fails in the logs read: what cert-manager says of the certificates and issuers';
  return {
    reads: [reader.list('Certificate', why, { version }), reader.list('Issuer', why, { version })],
    what: 'cert-manager Certificates and Issuers',
  };
}

/**
 * Wave 5. Name lookups fail in the logs read: the cluster DNS may be down. Its Service, Endpoints and the Deployments
 * behind it (a Deployment scaled to zero has no pods to find), then its pods and why one of them is not serving.
 */
async function readClusterDns(
  reader: SnapshotReader,
  resolvers: Set<string>,
  configAnswered: boolean,
  existingServiceFails: boolean,
): Promise<void> {
  const { snapshot } = reader;
  const where = { namespace: CLUSTER_DNS_NAMESPACE };
  const why = 'name lookups fail in the logs read';
  await reader.step(`Name lookups fail: reading the cluster DNS in ${CLUSTER_DNS_NAMESPACE}`);
  const read = emptySnapshot(snapshot.now);
  await Promise.all([
    reader.list('Service', `${why}: the cluster DNS Service`, where, read),
    reader.list('Endpoints', `${why}: which DNS pods the cluster DNS Service routes to`, where, read),
    reader.list('Deployment', `${why}: the Deployments that serve the cluster DNS`, where, read),
  ]);
  const dns = clusterDnsObjects(read, resolvers);
  // The usual namespace holds no cluster DNS: the distribution runs its own elsewhere.
  if (dns.services.length === 0) {
    await readDnsElsewhere(reader, configAnswered, why);
    await reader.waveDone(5);
    return;
  }
  absorb(snapshot.services, dns.services);
  absorb(snapshot.endpoints, dns.endpoints);
  absorb(snapshot.deployments, dns.deployments);
  // Pods only say more when a DNS Deployment is short of ready replicas, or none was found behind the Service.
  const short = (d: (typeof dns.deployments)[number]) =>
    (d.spec?.replicas ?? 1) > 0 && (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1);
  const podsTell = dns.deployments.length === 0 || dns.deployments.some(short);
  // A DNS server in front of it is looked for only when the failures did not come from the cluster DNS itself:
  // lookups that time out (they never reached it, yet it serves), or a resolver address that is none of its Services'.
  const serviceIps = new Set(dns.services.flatMap((s) => [s.spec?.clusterIP, ...(s.spec?.clusterIPs ?? [])]));
  const elsewhere = !configAnswered || existingServiceFails || [...resolvers].some((ip) => !serviceIps.has(ip));
  if (dns.deployments.length > 0 && !podsTell && elsewhere) await readNodeDnsCaches(reader, read, why);
  for (const service of podsTell ? dns.services : []) {
    const labelSelector = selectorString({ matchLabels: service.spec?.selector ?? {} });
    if (!labelSelector) continue;
    await reader.list('Pod', `${why}: the pods of the cluster DNS`, { ...where, labelSelector });
  }
  // Lookups it answered (unknown name, or its own failure): its configuration (the Corefile) says which zones and
  // namespaces it answers for, where it forwards the rest, and when someone last changed it. (Lookups that time out
  // never reached it.)
  const configs = new Set(
    configAnswered ? dns.deployments.flatMap((d) => mountedConfigMaps(d.spec?.template?.spec)) : [],
  );
  await Promise.all(
    [...configs].map((name) =>
      reader.getConfigMap(CLUSTER_DNS_NAMESPACE, name, `${why}: the cluster DNS configuration`),
    ),
  );
  // A DNS Deployment whose template mounts no ConfigMap (its Corefile comes through a projected volume, or the template
  // read does not show it) still keeps its configuration beside it: the ConfigMaps of its namespace, one list, of which
  // the detector judges only those holding server blocks.
  if (configAnswered && configs.size === 0 && dns.deployments.length > 0)
    await reader.list('ConfigMap', `${why}: the cluster DNS configuration, which its template does not mount`, where);
  const dnsPods = snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === CLUSTER_DNS_NAMESPACE &&
      dns.services.some((service) => matchesMap(pod.metadata?.labels, service.spec?.selector)),
  );
  const target = clusterDnsLogTarget(dnsPods) ?? (await forwardingDnsPods(reader, dns.services, podsTell, why));
  if (target) await reader.readLog(target);
  await reader.waveDone(5);
}

/**
 * The cluster DNS is not where Kubernetes puts it: a distribution runs it in a namespace named for it (as OpenShift does),
 * often as a DaemonSet whose Corefile its operator generates into a ConfigMap of that namespace. The namespaces named
 * for the DNS (from the Namespace list), their Services that serve DNS, the DaemonSets and Deployments behind those,
 * and — for lookups it answered or forwarded — the ConfigMaps there that hold a Corefile and one DNS pod's log, which
 * says which forwards fail and when it last reloaded its configuration.
 */
async function readDnsElsewhere(reader: SnapshotReader, configAnswered: boolean, why: string): Promise<void> {
  const { snapshot } = reader;
  if (snapshot.namespaces.length === 0)
    await reader.list('Namespace', `${why}: where the cluster DNS runs, ${CLUSTER_DNS_NAMESPACE} holding none`, {});
  const homes = snapshot.namespaces
    .map((ns) => ns.metadata?.name ?? '')
    .filter(namedForDns)
    .slice(0, 2);
  for (const namespace of homes) {
    const where = { namespace };
    const read = emptySnapshot(snapshot.now);
    await Promise.all([
      reader.list('Service', `${why}: the cluster DNS Service in ${namespace}`, where, read),
      reader.list('DaemonSet', `${why}: the DNS servers in ${namespace}`, where, read),
      reader.list('Deployment', `${why}: the DNS servers in ${namespace}`, where, read),
    ]);
    const services = read.services.filter(servesDns);
    if (services.length === 0) continue;
    const behind = (labels: Record<string, string> | undefined) =>
      services.some((service) => matchesMap(labels, service.spec?.selector));
    absorb(snapshot.services, services);
    absorb(
      snapshot.daemonSets,
      read.daemonSets.filter((d) => behind(d.spec?.template?.metadata?.labels)),
    );
    absorb(
      snapshot.deployments,
      read.deployments.filter((d) => behind(d.spec?.template?.metadata?.labels)),
    );
    if (!configAnswered) return;
    const configs = emptySnapshot(snapshot.now);
    await reader.list('ConfigMap', `${why}: the cluster DNS configuration (its Corefile)`, where, configs);
    absorb(
      snapshot.configMaps,
      configs.configMaps.filter((cm) => holdsServerBlocks(cm.data)),
    );
    const service = services[0] as (typeof services)[number];
    const labelSelector = selectorString({ matchLabels: service.spec?.selector ?? {} });
    if (!labelSelector) return;
    await reader.list('Pod', `${why}: the pods of the cluster DNS, whose log says which lookups fail`, {
      namespace,
      labelSelector,
    });
    const pods = snapshot.pods.filter(
      (pod) => pod.metadata?.namespace === namespace && matchesMap(pod.metadata?.labels, service.spec?.selector),
    );
    const target = clusterDnsLogTarget(pods) ?? forwardingDnsLogTarget(pods);
    if (target) await reader.readLog(target);
    return;
  }
}

/**
 * The cluster DNS Deployment serves, yet lookups fail: a DNS server on the nodes may stand in front of it (a DaemonSet
 * on the host network serving port 53, such as NodeLocal DNSCache), answering the pods' lookups from its own
 * configuration. Its DaemonSet and the ConfigMaps it mounts (its Corefile: where it forwards the cluster domain) are
 * read, and every Service beside the cluster DNS that routes to the same pods (the addresses it may forward to).
 */
async function readNodeDnsCaches(reader: SnapshotReader, read: ClusterSnapshot, why: string): Promise<void> {
  const { snapshot } = reader;
  const inDnsNamespace = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace === CLUSTER_DNS_NAMESPACE;
  // Held already when the investigation itself looked in the DNS namespace; a second list would repeat a request.
  const held = reader.namespace === CLUSTER_DNS_NAMESPACE || snapshot.daemonSets.some(inDnsNamespace);
  const found = emptySnapshot(snapshot.now);
  if (!held)
    await reader.list(
      'DaemonSet',
      `${why} while the cluster DNS serves: a DNS server on the nodes in front of it`,
      { namespace: CLUSTER_DNS_NAMESPACE },
      found,
    );
  const caches = [...snapshot.daemonSets, ...found.daemonSets].filter((d) => inDnsNamespace(d) && servesDnsOnNodes(d));
  if (caches.length === 0) return;
  absorb(snapshot.daemonSets, caches);
  const upstreams = read.services.filter((service) =>
    snapshot.deployments.some(
      (d) => inDnsNamespace(d) && matchesMap(d.spec?.template?.metadata?.labels, service.spec?.selector),
    ),
  );
  absorb(snapshot.services, upstreams);
  const names = new Set(upstreams.map((service) => service.metadata?.name));
  absorb(
    snapshot.endpoints,
    read.endpoints.filter((e) => names.has(e.metadata?.name)),
  );
  const configs = new Set(caches.flatMap((d) => mountedConfigMaps(d.spec?.template?.spec)));
  const unread = [...configs].filter(
    (name) => !snapshot.configMaps.some((cm) => inDnsNamespace(cm) && cm.metadata?.name === name),
  );
  await Promise.all(
    unread.map((name) =>
      reader.getConfigMap(CLUSTER_DNS_NAMESPACE, name, `${why}: the configuration of the DNS server on the nodes`),
    ),
  );
}

/**
 * Every DNS replica serves, yet lookups come back failed, and the Corefile read forwards some zone to upstreams of its
 * own, with no change its metadata dates: the cluster DNS is the next hop of the failing lookups, and one of its pods'
 * log says whether it fails to forward them (and when it reloaded its configuration, which a Corefile edited without
 * managedFields does not say). Its pods are listed unless they were already.
 */
async function forwardingDnsPods(
  reader: SnapshotReader,
  services: ClusterSnapshot['services'],
  podsListed: boolean,
  why: string,
): Promise<LogTarget | undefined> {
  const { snapshot } = reader;
  // A Corefile whose metadata already dates a change shortly before is judged by it: the log would only repeat it.
  const dated = (cm: ClusterSnapshot['configMaps'][number]) =>
    snapshotNow(snapshot) - (toMs(lastChange(cm.metadata)) ?? 0) <= SUSPECT_CHANGE_WINDOW;
  const forwards = snapshot.configMaps.some(
    (cm) => cm.metadata?.namespace === CLUSTER_DNS_NAMESPACE && forwardingBlocksOf(cm.data).length > 0 && !dated(cm),
  );
  const service = services[0];
  if (!forwards || !service) return undefined;
  const labelSelector = selectorString({ matchLabels: service.spec?.selector ?? {} });
  if (!labelSelector) return undefined;
  if (!podsListed)
    await reader.list('Pod', `${why}: the pods of the cluster DNS, whose log says which forwards fail`, {
      namespace: CLUSTER_DNS_NAMESPACE,
      labelSelector,
    });
  return forwardingDnsLogTarget(
    snapshot.pods.filter(
      (pod) =>
        pod.metadata?.namespace === CLUSTER_DNS_NAMESPACE && matchesMap(pod.metadata?.labels, service.spec?.selector),
    ),
  );
}

const inNamespace = (namespace: string) => (object: { metadata?: { namespace?: string } }) =>
  object.metadata?.namespace === namespace;

/** Every namespace something read lives in, or that the namespace list names. */
const namespacesRead = (snapshot: ClusterSnapshot): Set<string> =>
  new Set(
    [
      ...snapshot.namespaces.map((n) => n.metadata?.name),
      ...[snapshot.pods, snapshot.services].flatMap((objects) => objects.map((o) => o.metadata?.namespace)),
    ].filter((name): name is string => Boolean(name)),
  );

/** Whether anything was read in a namespace (an empty list says nothing about whether it exists). */
const holdsAnything = (snapshot: ClusterSnapshot, namespace: string): boolean =>
  [snapshot.pods, snapshot.services, snapshot.endpoints, snapshot.events].some((objects) =>
    objects.some(inNamespace(namespace)),
  );

/** A pod of a Job that failed or cannot start its container. */
function failingRun(pod: ClusterSnapshot['pods'][number]): boolean {
  if (!pod.metadata?.ownerReferences?.some((owner) => owner.kind === 'Job')) return false;
  return (
    pod.status?.phase === 'Failed' ||
    (pod.status?.containerStatuses ?? []).some((status) => status.state?.waiting?.reason?.endsWith('Error'))
  );
}

/** A Warning event about a Job of the namespace, or a CronJob's: a run failed, whether or not its pods are left. */
const runWarned = (snapshot: ClusterSnapshot, namespace: string): boolean =>
  snapshot.events.some(
    (event) =>
      event.type === 'Warning' &&
      (event.involvedObject?.kind === 'Job' || event.involvedObject?.kind === 'CronJob') &&
      eventNamespace(event) === namespace,
  );

/** A pod that runs once (restartPolicy Never or OnFailure, whatever controller made it) and failed. */
const failedOnce = (pod: ClusterSnapshot['pods'][number]): boolean =>
  pod.spec?.restartPolicy !== undefined && pod.spec.restartPolicy !== 'Always' && pod.status?.phase === 'Failed';

/** A pod whose resources the LimitRanger set, with a container OOM-killed: the default may be the limit it hit. */
const killedWithDefaults = (pod: ClusterSnapshot['pods'][number]): boolean =>
  hasLimitRangeDefaults(pod) &&
  (pod.status?.containerStatuses ?? []).some((status) =>
    [status.lastState?.terminated, status.state?.terminated].some((t) => t?.reason === 'OOMKilled'),
  );

/**
 * The admission kinds a controller's refusal to create pods in the namespace names by its words: a quota's `exceeded
 * quota`, a LimitRange's `usage per Container|Pod` bound. The refusal states the cause, so these go first.
 */
function refusedBy(snapshot: ClusterSnapshot, namespace: string): ('ResourceQuota' | 'LimitRange')[] {
  const refusals = snapshot.events
    .filter(inNamespace(namespace))
    .filter((event) => event.reason === 'FailedCreate' && /forbidden/.test(event.message ?? ''))
    .map((event) => event.message ?? '');
  return [
    ...(refusals.some((message) => /exceeded quota/.test(message)) ? (['ResourceQuota'] as const) : []),
    ...(refusals.some((message) => /usage per (Container|Pod|PersistentVolumeClaim)/.test(message))
      ? (['LimitRange'] as const)
      : []),
  ];
}

/** Pods that are pending, or controllers short of pods, or refused creations: quotas and limit ranges may explain them. */
function needsQuota(snapshot: ClusterSnapshot, namespace: string): boolean {
  const here = inNamespace(namespace);
  return (
    snapshot.pods.filter(here).some((pod) => pod.status?.phase === 'Pending') ||
    snapshot.events
      .filter(here)
      .some((event) => event.reason === 'FailedCreate' || /quota|exceeded/i.test(event.message ?? '')) ||
    [...snapshot.deployments, ...snapshot.statefulSets]
      .filter(here)
      .some((workload) => (workload.status?.replicas ?? 0) < (workload.spec?.replicas ?? 1))
  );
}

/**
 * The Secrets worth a read each: those of pods that are not running ready or have restarted, of controllers short of
 * pods or restarted shortly before without a change of their own (to read again what they read: their templates), of
 * the pods on the symptom's dependency path and of those the alert's words point at. A
 * running, ready container elsewhere resolved its Secret references when it started and is not suspected: its Secrets
 * would say nothing about the symptom.
 */
function suspectSecrets(snapshot: ClusterSnapshot, alert: Alert, focus: Focus, namespace: string): Set<string> {
  const hinted = hintsAt(alertText(alert), namespace);
  const onPath = new Set(podsOnPath(snapshot, focus).map((pod) => pod.metadata?.uid));
  const now = snapshotNow(snapshot);
  const pods = snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      (!isPodReady(pod) || hasRestarted(pod) || onPath.has(pod.metadata?.uid) || hinted(pod.metadata?.name ?? '')),
  );
  const short = snapshot.deployments.filter(
    (d) =>
      d.metadata?.namespace === namespace &&
      ((d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1) ||
        hinted(d.metadata?.name ?? '') ||
        restartedWithin(d.spec?.template, now, SUSPECT_CHANGE_WINDOW) ||
        restartedUnchangedWithin(
          snapshot,
          { kind: 'Deployment', namespace, name: d.metadata?.name ?? '' },
          now,
          SUSPECT_CHANGE_WINDOW,
        )),
  );
  return podReferences(
    pods,
    short.map((deployment) => deployment.spec?.template?.spec),
  ).secrets;
}

/**
 * The Secrets the pods name, each read by its name: never a whole namespace's Secrets, whose values would come along
 * (the tools keep key names only). Without permission to read them (the default role reads no Secret values) the
 * investigation notes it and goes on.
 */
const secretReads = (names: Set<string>, namespace: string, why: string): Read[] =>
  [...names].map((name) => [
    'Secret',
    `key names of Secret ${name}, ${why}`,
    { namespace, fieldSelector: `metadata.name=${name}` },
  ]);

/** `svc.namespace`, `svc.namespace.svc.cluster.local`: a name inside the cluster, not a host an Ingress serves. */
function isClusterHost(host: string, snapshot: ClusterSnapshot): boolean {
  const labels = host.split('.');
  if (labels.includes('svc') || host.endsWith('.local')) return true;
  return labels.length === 2 && snapshot.namespaces.some((n) => n.metadata?.name === labels[1]);
}

// ServiceEntries are not read here: only when a mesh proxy refuses calls out (readGoverningObjects).
const ROUTING_REASONS: Partial<Record<RoutingKind, string>> = {
  VirtualService: 'mesh routes in front of the Services (fault injection, subsets, destinations)',
  DestinationRule: 'mesh subsets and traffic policies of the Services',
  HTTPRoute: 'Gateway API routes in front of the Services and whether their backends resolve',
};

/**
 * The routing layer in front of the namespace's Services: the Ingresses when the alert mentions a host or an
 * ingress, and the mesh and Gateway API routes at the version discovery found, only when the cluster serves them.
 */
function routingReads(snapshot: ClusterSnapshot, alert: Alert, namespace: string, ingressesRead: boolean): Read[] {
  const reads: Read[] = [];
  const external = mentionedHosts(alertText(alert)).some(({ host }) => !isClusterHost(host, snapshot));
  if (!ingressesRead && (external || alert.labels.ingress || alert.labels.host)) {
    reads.push([
      'Ingress',
      'the alert names a host: the Ingress rules that route it and their backends',
      { namespace },
    ]);
  }
  for (const [kind, why] of Object.entries(ROUTING_REASONS) as [RoutingKind, string][]) {
    const version = servedVersion(snapshot.apiGroups, kind);
    if (version) reads.push([kind, why, { namespace, version }]);
  }
  return reads;
}

type Peer = { namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } };

/** A policy peer chosen by namespace labels beyond the name every namespace carries. */
function selectsNamespacesByLabel(policy: ClusterSnapshot['networkPolicies'][number]): boolean {
  const peers: Peer[] = [
    ...(policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []),
    ...(policy.spec?.egress ?? []).flatMap((rule) => rule.to ?? []),
  ];
  return peers.some(
    ({ namespaceSelector }) =>
      Object.keys(namespaceSelector?.matchLabels ?? {}).some((key) => key !== 'kubernetes.io/metadata.name') ||
      (namespaceSelector?.matchExpressions ?? []).length > 0,
  );
}

/** For a peer namespace whose pods are not all ready: the claims, ConfigMaps, Secrets and quotas they may be stuck on. */
function peerFollowUps(snapshot: ClusterSnapshot, peer: string): Read[] {
  const here = inNamespace(peer);
  const pods = snapshot.pods.filter(here);
  if (pods.every(isPodReady) && !needsQuota(snapshot, peer)) return changedUnderCrashingCallers(snapshot, peer);
  const templates = [...snapshot.deployments, ...snapshot.statefulSets].filter(here).map((w) => w.spec?.template?.spec);
  const refs = podReferences(pods, templates);
  const why = `pods in ${peer}, which the alerted workload calls, are not ready`;
  // What a refusal names is read first: within the peer's budget it is the stated cause, the rest only suspects.
  const refusers = refusedBy(snapshot, peer);
  const reads: Read[] = refusers.map((kind) => [
    kind,
    `${why}: its controller's refusal names a ${kind}`,
    { namespace: peer },
  ]);
  if (refs.claims.size > 0) reads.push(['PersistentVolumeClaim', `${why}: the claims they mount`, { namespace: peer }]);
  reads.push(...secretReads(refs.secrets, peer, `used by pods in ${peer}, which the alerted workload calls`));
  if (refs.configMaps.size > 0) reads.push(['ConfigMap', `${why}: the configuration they read`, { namespace: peer }]);
  if (needsQuota(snapshot, peer) && !refusers.includes('ResourceQuota'))
    reads.push(['ResourceQuota', `${why}: a quota may refuse them`, { namespace: peer }]);
  if (podReferences(pods.filter((pod) => !isPodReady(pod))).ownerKinds.has('ReplicaSet'))
    reads.push([
      'ReplicaSet',
      `${why}: whether a rollout brought them (their Deployments' revisions)`,
      { namespace: peer },
    ]);
  return reads;
}

/**
 * A peer whose pods all run ready while the pods that call it crash-loop, and one of whose Deployments changed within
 * the suspect window: its revisions say what changed in what it answers (a setting its callers now crash on).
 */
function changedUnderCrashingCallers(snapshot: ClusterSnapshot, peer: string): Read[] {
  const crashing = snapshot.pods.some(
    (pod) =>
      pod.metadata?.namespace !== peer &&
      (pod.status?.containerStatuses ?? []).some((status) => status.state?.waiting?.reason === 'CrashLoopBackOff'),
  );
  const now = snapshotNow(snapshot);
  const changed = snapshot.deployments.some(
    (d) => d.metadata?.namespace === peer && now - (toMs(lastChange(d.metadata)) ?? 0) <= SUSPECT_CHANGE_WINDOW,
  );
  if (!crashing || !changed) return [];
  return [
    [
      'ReplicaSet',
      `the callers of ${peer} crash while its pods run: what its recent rollout changed`,
      { namespace: peer },
    ],
  ];
}

function nodeAbnormal(node: ClusterSnapshot['nodes'][number]): boolean {
  if (node.spec?.unschedulable) return true;
  return (node.status?.conditions ?? []).some((condition) =>
    condition.type === 'Ready' ? condition.status !== 'True' : condition.status === 'True',
  );
}

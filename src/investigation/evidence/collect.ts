import type { Alert } from '../../alert/alert.ts';
import { type Focus, alertText, resolveSymptom } from '../focus.ts';
import type { ObjectKind, ObjectList } from '../tools/kinds.ts';
import { clusterUnavailable, isNamespaced, KIND_KEYS, LIST_BUDGET, statusOf } from '../tools/kinds.ts';
import { getObject } from '../tools/get-object.ts';
import { discoverApis } from '../tools/discover-apis.ts';
import { listObjects } from '../tools/list-objects.ts';
import { podLogs } from '../tools/pod-logs.ts';
import { prometheusQuery } from '../tools/prometheus-query.ts';
import { selectorString } from '../tools/selector.ts';
import type { ToolContext } from '../tools/tool.ts';
import {
  answeredUnknown,
  CLUSTER_DNS_NAMESPACE,
  clusterDnsLogTarget,
  clusterDnsObjects,
  mountedConfigMaps,
  resolutionErrors,
  resolverIps,
} from './cluster-dns.ts';
import { describeIncomplete, readInFull, whyStopped } from './completeness.ts';
import { forbiddenCalls } from './forbidden.ts';
import { matchesMap } from './labels.ts';
import { chooseLogTargets, type LogTarget } from './log-targets.ts';
import { errorRatios, metricQueries } from './metric-queries.ts';
import { pathSelectors } from './path-reads.ts';
import { peerLogTargets } from './peer-log-targets.ts';
import { EGRESS_REFUSED, meshProxyTargets } from './mesh-proxy-logs.ts';
import { CONNECTION_FAILURE } from './log-line.ts';
import { logLinesOf } from './logs.ts';
import { certificatesServed, TLS_ERROR } from './certificates.ts';
import { initWaitNamespaces, namespacesNamedIn, peerNamespaces, podControllers } from './peer-namespaces.ts';
import { mentionedHosts } from './ingress-routes.ts';
import type { ReadAlready } from './locate-namespace.ts';
import { isPodReady } from './pod-state.ts';
import { podReferences } from './references.ts';
import { classesOf, controllerLabels, controllerLogTarget, controllerNamespace } from './ingress-controller.ts';
import { type RoutingKind, servedVersion } from './routing-objects.ts';
import { type ClusterSnapshot, emptySnapshot, type IncompleteRead } from './snapshot.ts';
import { webhookRefusals } from './webhook-refusals.ts';
import { errorMessage } from '../../observability/error-message.ts';

/** At most: discovery, and the Ingresses, VirtualServices, DestinationRules and HTTPRoutes of the namespace. */
export const ROUTING_READS_MAX = 5;

const WARNING_EVENTS = 'type=Warning';
const EVICTIONS = /evict|disruption/i;

/** Median API requests per incident the collection aims at; logs fill what is left of it. */
export const REQUEST_BUDGET = 20;
const MAX_LOGS = 5;
const MIN_LOGS = 2;
/** Extra requests an incident whose pods call into other namespaces may spend reading them. */
const PEER_ALLOWANCE = 5;
/** No incident spends more than this, whatever its peers need. */
export const PEER_HARD_LIMIT = 30;
const MAX_PEER_NAMESPACES = 2;
// Shared dependencies in other namespaces are often databases: StatefulSets as well as Deployments.
// Their NetworkPolicies too: a call across namespaces passes the caller's egress and the callee's ingress rules.
const PEER_KINDS: ObjectKind[] = ['Pod', 'Deployment', 'StatefulSet', 'Service', 'Endpoints', 'Event', 'NetworkPolicy'];
/** Logs of the mesh proxy injected into a workload rolled out shortly before the incident. */
const MAX_PROXY_LOGS = 1;
/** Logs of dependencies in other namespaces that the errors read name. */
const MAX_PEER_LOGS = 1;
/** Namespaces whose RBAC objects are read when the API server refuses pods' calls. */
const MAX_RBAC_NAMESPACES = 2;

export interface CollectRequest {
  alert: Alert;
  namespace: string;
  /** What was assumed before collection (e.g. the namespace). */
  assumptions: string[];
  /** Requests already spent (locating the namespace). */
  requestsUsed: number;
  /** Namespaces already read while locating the namespace. */
  namespaces?: ClusterSnapshot['namespaces'];
  /** The Service an Ingress routes the alert's host to: the symptom when the alert names nothing else. */
  entryService?: string;
  /** Ingresses of the namespace already read while locating it (all of them: it is not read again). */
  ingresses?: ClusterSnapshot['ingresses'];
  /** Objects of the namespace already read in full while locating it (cluster-wide lists): not read again. */
  read?: ReadAlready;
}

export interface CollectListener {
  step?(message: string): void | Promise<void>;
  /** After each wave, with everything read so far: lets the caller diagnose partial evidence. */
  wave?(snapshot: ClusterSnapshot, focus: Focus, wave: number): void | Promise<void>;
}

export interface Collected {
  snapshot: ClusterSnapshot;
  focus: Focus;
  requests: number;
}

type ToolBase = Omit<ToolContext, 'reason'>;

const OWNER_KIND_LABELS: [ObjectKind, string[]][] = [
  ['DaemonSet', ['daemonset', 'k8s_daemonset_name']],
  ['Job', ['job_name', 'k8s_job_name']],
];

/**
 * Reads what the incident needs, in waves of parallel namespace-scoped requests, each wave asking only for what the
 * previous one showed to matter: (1) pods, controllers, services, endpoints, events, nodes; (2) the ConfigMaps,
 * Secrets, claims, controllers and policies they involve; (3) a few standard metrics; (4) a few chosen logs.
 */
export async function collectSnapshot(
  request: CollectRequest,
  base: ToolBase,
  listener: CollectListener = {},
): Promise<Collected> {
  const { alert, namespace } = request;
  const snapshot = emptySnapshot((base.now ?? new Date()).toISOString());
  snapshot.namespaces.push(...(request.namespaces ?? []));
  snapshot.ingresses.push(...(request.ingresses ?? []));
  const assumptions = [...request.assumptions];
  let requests = request.requestsUsed;
  // Discovery and the routing layer's reads come on top of the budget: they must not cost an incident a peer or a log.
  let routingSpent = 0;
  const spent = () => requests - routingSpent;

  async function list<K extends ObjectKind>(
    kind: K,
    reason: string,
    options: { namespace?: string; fieldSelector?: string; labelSelector?: string; version?: string } = { namespace },
    into: ClusterSnapshot = snapshot,
  ): Promise<void> {
    const already = request.read?.[kind];
    const whole = !options.labelSelector && !options.fieldSelector && !options.version;
    if (already && whole && options.namespace === namespace) {
      absorb(into[KIND_KEYS[kind]], already);
      return;
    }
    requests++;
    try {
      const result = (await listObjects.run({ kind, ...options }, { ...base, reason })) as ObjectList<K>;
      requests += result.requests - 1;
      absorb(into[KIND_KEYS[kind]], result.items);
      if (!result.complete) {
        const stopped = whyStopped(result.stoppedBy, base.listBudget ?? LIST_BUDGET);
        const read = incompleteRead(kind, options, result.items.length, stopped, result.unread);
        snapshot.incomplete.push(read);
        assumptions.push(describeIncomplete(read));
      }
    } catch (error) {
      // An unreachable API server fails the attempt (retried with backoff) instead of an answer from no evidence.
      if (clusterUnavailable(error)) throw error;
      // A list answered 404 is of a resource the cluster does not serve (a custom resource of a served group whose
      // definition is not installed): none of it exists, which is an answer, not a gap.
      if (statusOf(error) === 404) return;
      snapshot.incomplete.push(incompleteRead(kind, options, 0, describe(error)));
      assumptions.push(`${kind} could not be read (${describe(error)}); nothing was concluded from them`);
    }
  }
  const focusNow = (): Focus => {
    const { symptom, assumptions: symptomAssumptions } = resolveSymptom(
      alert,
      namespace,
      snapshot,
      request.entryService,
    );
    const focus: Focus = {
      namespace,
      symptom,
      alertText: alertText(alert),
      assumptions: [...assumptions, ...symptomAssumptions],
    };
    if (alert.startsAt) focus.startedAt = alert.startsAt;
    return focus;
  };
  const wave = async (number: number, message: string, reads: Promise<void>[]): Promise<Focus> => {
    await listener.step?.(message);
    await Promise.all(reads);
    const focus = focusNow();
    await listener.wave?.(snapshot, focus, number);
    return focus;
  };

  const why = `workloads, pods and their state in ${namespace}, to find what is abnormal around the alert`;
  await wave(
    1,
    `Reading pods, deployments, stateful sets, replica sets, services, endpoints, events and nodes in ${namespace}`,
    [
      list('Pod', why),
      list('Deployment', why),
      // Read wherever Deployments are: a StatefulSet scaled to zero owns no pod that would point at it.
      list('StatefulSet', why),
      list('ReplicaSet', why),
      list('Service', why),
      list('Endpoints', 'which pods each Service routes to'),
      list('Event', `recent events in ${namespace}`),
      list('Node', 'the nodes the pods run on', {}),
      discover(),
    ],
  );

  // The namespace was too large to read whole within the budget: the pods on the symptom's path, and the Warning
  // events, are read narrowed, so that what the diagnosis stands on is read completely.
  if (!readInFull(snapshot, 'Pod', namespace) || !readInFull(snapshot, 'Event', namespace)) {
    const selectors = readInFull(snapshot, 'Pod', namespace) ? [] : pathSelectors(snapshot, focusNow(), namespace);
    const warnings = readInFull(snapshot, 'Event', namespace) ? [] : [WARNING_EVENTS];
    await wave(
      1,
      `${namespace} is too large to read whole: reading the pods on the symptom's path and the Warning events`,
      [
        ...selectors.map((labelSelector) =>
          list('Pod', `pods on the symptom's path (${labelSelector}): the namespace's pod list was cut short`, {
            namespace,
            labelSelector,
          }),
        ),
        ...warnings.map((fieldSelector) =>
          list('Event', "Warning events: the namespace's event list was cut short", { namespace, fieldSelector }),
        ),
      ],
    );
  }

  const second: [ObjectKind, string, { namespace?: string; fieldSelector?: string; version?: string }?][] = [
    ['ConfigMap', 'configuration the workloads read (values and when they changed)'],
    ['NetworkPolicy', 'policies that may isolate pods from their callers'],
    ['HorizontalPodAutoscaler', 'autoscalers that may be at their limits'],
  ];
  // The routing layer is read whenever the cluster serves it; it does not count against what peers may spend (below).
  const routing = routingReads(snapshot, alert, namespace, request.ingresses !== undefined);
  routingSpent += routing.length;
  const refs = podReferences(
    snapshot.pods,
    snapshot.deployments.map((deployment) => deployment.spec?.template?.spec),
  );
  second.push(...secretReads(refs.secrets, namespace, 'which the pods reference'));
  if (refs.claims.size > 0)
    second.push(['PersistentVolumeClaim', `claims the pods mount (${[...refs.claims].join(', ')})`]);
  for (const [kind, labels] of OWNER_KIND_LABELS) {
    if (refs.ownerKinds.has(kind) || labels.some((label) => alert.labels[label])) {
      second.push([kind, `${kind}s that own pods in ${namespace}`]);
    }
  }
  if (needsQuota(snapshot, namespace)) {
    second.push(['ResourceQuota', 'pods are missing or pending: quotas may refuse them']);
    second.push(['LimitRange', 'pods are missing or pending: limit ranges may refuse or shape them']);
  }
  // Something waits on evictions (a node drained, events of refused evictions): the budgets that may refuse them.
  if (
    snapshot.nodes.some((node) => node.spec?.unschedulable) ||
    snapshot.events.some((event) => EVICTIONS.test(`${event.reason} ${event.message}`))
  ) {
    second.push(['PodDisruptionBudget', 'a node is drained or evictions are refused: budgets that may refuse them']);
  }
  if (snapshot.nodes.some(nodeAbnormal)) {
    second.push([
      'Event',
      'events of nodes that are not ready, under pressure or cordoned',
      { fieldSelector: 'involvedObject.kind=Node' },
    ]);
  }
  // Dependencies in other namespaces (a shared database, a platform service): their state is worth a few requests
  // beyond the usual budget, as long as the incident stays within its allowance.
  const reserve = (base.prometheusUrl ? metricQueries(namespace).length : 0) + MIN_LOGS;
  // A namespace that pods stuck initialising wait on holds the cause: it may use the hard limit.
  const controllers = podControllers(snapshot);
  const waitedOn = initWaitNamespaces(snapshot.pods, namespace, controllers);
  const candidates = [...new Set([...waitedOn, ...peerNamespaces(snapshot.pods, namespace, controllers)])];
  const peers: string[] = [];
  for (const peer of candidates.slice(0, MAX_PEER_NAMESPACES)) {
    const limit = waitedOn.includes(peer) ? PEER_HARD_LIMIT : REQUEST_BUDGET + PEER_ALLOWANCE;
    if (spent() + second.length + PEER_KINDS.length + reserve > limit) break;
    peers.push(peer);
    for (const kind of PEER_KINDS) {
      second.push([kind, `pods in ${namespace} are configured to call services in ${peer}`, { namespace: peer }]);
    }
  }
  await wave(
    2,
    `Reading ${[...new Set([...second, ...routing].map(([kind]) => kind))].join(', ')} in ${[namespace, ...peers].join(', ')}`,
    [...second, ...routing].map(([kind, reason, options]) => list(kind, reason, options ?? { namespace })),
  );

  // A troubled peer gets what its own pods refer to (a database's claim, its Secret), within the hard limit; policies
  // that select namespaces by label need the namespaces' labels.
  const followUps: [ObjectKind, string, { namespace?: string }][] = peers
    .flatMap((peer) => peerFollowUps(snapshot, peer))
    .slice(0, Math.max(0, PEER_HARD_LIMIT - reserve - spent()));
  // A namespace the configuration names but that was left unread, or read and found empty, may not exist at all.
  const unsure = candidates.filter((peer) => !peers.includes(peer) || !holdsAnything(snapshot, peer));
  if (snapshot.namespaces.length === 0 && snapshot.networkPolicies.some(selectsNamespacesByLabel)) {
    followUps.push(['Namespace', 'network policies select namespaces by label', {}]);
  } else if (snapshot.namespaces.length === 0 && unsure.length > 0) {
    followUps.push(['Namespace', `whether ${unsure.join(', ')}, which the pods are configured to call, exist`, {}]);
  }
  if (followUps.length > 0) {
    await wave(
      2,
      `Reading ${followUps.map(([kind, , options]) => (options.namespace ? `${kind} in ${options.namespace}` : kind)).join(', ')}`,
      followUps.map(([kind, reason, options]) => list(kind, reason, options)),
    );
  }

  // An Ingress in front: its controller, found through its IngressClass (never assumed), and later its log.
  if (snapshot.ingresses.length > 0) await readIngressController();

  if (base.prometheusUrl) {
    const queries = metricQueries(namespace);
    await wave(
      3,
      `Querying memory, CPU throttling and error rates in ${namespace}`,
      queries.map(async ({ signal, query }) => {
        requests++;
        try {
          const result = await prometheusQuery.run(
            { query },
            { ...base, reason: `${signal} of the workloads in ${namespace}` },
          );
          snapshot.metrics.push(...result.series.map((series) => ({ ...series, signal })));
        } catch (error) {
          assumptions.push(`metric ${signal} could not be read (${describe(error)})`);
        }
      }),
    );
  }

  const focus = focusNow();
  const budget = Math.max(MIN_LOGS, Math.min(MAX_LOGS, REQUEST_BUDGET - spent()));
  const targets = chooseLogTargets(snapshot, focus, errorRatios(snapshot.metrics), budget, alert.labels.container);
  const controllerLog = controllerLogTarget(snapshot);
  if (controllerLog) {
    routingSpent++;
    targets.push(controllerLog);
  }
  // Behind a service mesh, the proxy of a workload rolled out just before says what the application may not: which of
  // its calls the mesh refuses. One log, on top of the budget, only when such a proxy exists.
  const proxies = meshProxyTargets(snapshot, namespace, MAX_PROXY_LOGS);
  routingSpent += proxies.length;
  targets.push(...proxies);
  const final = await wave(
    4,
    `Reading error lines from ${targets.length} container logs: ${targets.map((target) => `${target.pod}${target.previous ? ' (previous)' : ''}`).join(', ')}`,
    targets.map(readLog),
  );
  // The errors name a namespace the configuration did not (an address read from a file): its state is read now.
  const known = new Set(snapshot.namespaces.map((object) => object.metadata?.name));
  // So do the hosts named by the Secrets of pods that log errors (a connection URL kept in a Secret, which the pod spec
  // cannot show): where a failing reader connects.
  const erring = snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      snapshot.logs.some(
        (log) => log.namespace === namespace && log.pod === pod.metadata?.name && log.lines.length > 0,
      ),
  );
  const erringSecrets = podReferences(erring, []).secrets;
  // Plain env hosts (`PGHOST=db.data.svc`) of pods that log connection failures lead there just the same, when the
  // budget left them unread before the logs.
  const failingToConnect = erring.filter((pod) =>
    logLinesOf(snapshot, namespace, [pod.metadata?.name ?? '']).some((line) => CONNECTION_FAILURE.test(line.text)),
  );
  const named = [
    ...namespacesNamedIn(
      snapshot.secrets
        .filter((secret) => secret.metadata?.namespace === namespace && erringSecrets.has(secret.metadata?.name ?? ''))
        .flatMap((secret) => Object.values(secret.hosts ?? {}).flat()),
      namespace,
    ),
    ...namespacesNamedIn(
      snapshot.logs.filter((log) => log.namespace === namespace).flatMap((log) => log.lines),
      namespace,
    ),
    // Last: a namespace the errors themselves name is the more specific lead.
    ...peerNamespaces(failingToConnect, namespace, controllers),
  ].find((peer) => !peers.includes(peer) && (known.size === 0 || known.has(peer)));
  if (named && spent() + PEER_KINDS.length + MAX_PEER_LOGS <= PEER_HARD_LIMIT) {
    peers.push(named);
    await wave(
      4,
      `Reading ${PEER_KINDS.join(', ')} in ${named}: the errors read name services there`,
      PEER_KINDS.map((kind) => list(kind, `errors in ${namespace} name services in ${named}`, { namespace: named })),
    );
  }
  const peerTargets = peerLogTargets(snapshot, namespace, Math.min(MAX_PEER_LOGS, PEER_HARD_LIMIT - spent()));
  const withPeers =
    peerTargets.length === 0
      ? final
      : await wave(
          4,
          `Reading error lines of dependencies in other namespaces (named by the errors, or called by pods that log nothing): ${peerTargets.map((target) => `${target.namespace}/${target.pod}`).join(', ')}`,
          peerTargets.map(readLog),
        );
  const governed = await readGoverningObjects(withPeers);
  const lookups = resolutionErrors(snapshot.logs);
  if (lookups.length === 0) return { snapshot, focus: governed, requests };
  return { snapshot, focus: await readClusterDns(resolverIps(lookups), answeredUnknown(lookups)), requests };

  async function getConfig(name: string, reason: string): Promise<void> {
    requests++;
    try {
      const read = await getObject.run(
        { kind: 'ConfigMap', namespace: CLUSTER_DNS_NAMESPACE, name },
        { ...base, reason },
      );
      if (read.found) absorb(snapshot.configMaps, [read.object as ClusterSnapshot['configMaps'][number]]);
    } catch (error) {
      if (clusterUnavailable(error)) throw error;
      assumptions.push(`ConfigMap ${CLUSTER_DNS_NAMESPACE}/${name} could not be read (${describe(error)})`);
    }
  }

  // Errors that only a governing object explains: calls the API server refuses (RBAC of the pod's ServiceAccount),
  // pods an admission webhook refuses to create (the webhook configurations), calls out a mesh proxy refuses (the
  // mesh's registry of outside hosts), certificates the clients do not accept (what cert-manager says of them).
  async function readGoverningObjects(focus: Focus): Promise<Focus> {
    const refused = [
      ...new Set(forbiddenCalls(snapshot.logs).map((call) => call.namespace ?? call.serviceAccount.namespace)),
    ].slice(0, MAX_RBAC_NAMESPACES);
    const forbidden = 'the API server refuses calls of pods whose logs were read (forbidden)';
    const reads = refused.flatMap((where) => [
      list('Role', `${forbidden}: what the Roles in ${where} allow`, { namespace: where }),
      list('RoleBinding', `${forbidden}: whom the RoleBindings in ${where} grant it`, { namespace: where }),
    ]);
    const what = refused.length > 0 ? [`Roles and RoleBindings in ${refused.join(', ')}`] : [];
    const webhooks = [...new Set(webhookRefusals(snapshot.events).map((refusal) => refusal.webhook))];
    if (webhooks.length > 0) {
      const why = `pods are not created: admission webhook ${webhooks.join(', ')} refuses them`;
      reads.push(list('ValidatingWebhookConfiguration', why, {}), list('MutatingWebhookConfiguration', why, {}));
      what.push('admission webhook configurations');
    }
    const lines = snapshot.logs.flatMap((log) => log.lines);
    const registry = servedVersion(snapshot.apiGroups, 'ServiceEntry');
    if (registry && lines.some((line) => EGRESS_REFUSED.test(line))) {
      const why = 'a mesh proxy refuses calls out (BlackHoleCluster): which outside hosts the mesh registers';
      reads.push(list('ServiceEntry', why, { version: registry }));
      what.push("the mesh's ServiceEntries");
    }
    const certificates = certificatesServed(snapshot.apiGroups);
    if (certificates && lines.some((line) => TLS_ERROR.test(line))) {
      const why = 'TLS verification fails in the logs read: what cert-manager says of the certificates and issuers';
      reads.push(
        list('Certificate', why, { namespace, version: certificates }),
        list('Issuer', why, { namespace, version: certificates }),
      );
      what.push(`cert-manager Certificates and Issuers in ${namespace}`);
    }
    if (reads.length === 0) return focus;
    const governed = await wave(4, `Reading what governs the refusals: ${what.join('; ')}`, reads);
    // A Certificate signed by a ClusterIssuer: that issuer's state too.
    if (!snapshot.certificates.some((c) => c.spec?.issuerRef?.kind === 'ClusterIssuer')) return governed;
    return wave(4, 'Reading the ClusterIssuers that sign the certificates', [
      list('ClusterIssuer', 'a Certificate is signed by a ClusterIssuer: whether it can sign', {
        version: certificates,
      }),
    ]);
  }

  // The IngressClasses (cluster-scoped, few), then the controller pods of the classes the Ingresses use, by the labels
  // the class shares with them: on top of the budget, like the rest of the routing layer.
  async function readIngressController(): Promise<void> {
    routingSpent++;
    await list('IngressClass', 'an Ingress routes to the symptom: which controller serves it', {});
    const reads = classesOf(snapshot).flatMap((cls) => {
      const labels = controllerLabels(cls);
      if (Object.keys(labels).length === 0) return [];
      const where = controllerNamespace(cls);
      return [
        list('Pod', `the pods of ingress controller ${cls.spec?.controller ?? cls.metadata?.name}`, {
          ...(where ? { namespace: where } : {}),
          labelSelector: selectorString({ matchLabels: labels }),
        }),
      ];
    });
    routingSpent += reads.length;
    if (reads.length > 0) await wave(2, 'Reading the ingress controller in front of the symptom', reads);
  }

  // Once per investigation: which routing APIs (service mesh, Gateway API) the cluster serves, never assumed.
  async function discover(): Promise<void> {
    requests++;
    routingSpent++;
    try {
      snapshot.apiGroups = await discoverApis.run(
        {},
        { ...base, reason: 'which routing layers (service mesh, Gateway API) the cluster serves in front of Services' },
      );
    } catch (error) {
      assumptions.push(
        `the served APIs could not be discovered (${describe(error)}); mesh and Gateway API routes were not read`,
      );
    }
  }

  async function readLog(target: LogTarget): Promise<void> {
    requests++;
    try {
      const result = await podLogs.run(target, { ...base, reason: `log of ${target.pod}: ${target.why}` });
      snapshot.logs.push({ ...target, lines: result.lines });
    } catch (error) {
      assumptions.push(`log of ${target.pod}/${target.container} could not be read (${describe(error)})`);
    }
  }

  // Name lookups fail in the logs read: the cluster DNS may be down. Its Service, Endpoints and the Deployments behind
  // it (a Deployment scaled to zero has no pods to find), then its pods and why one of them is not serving.
  async function readClusterDns(resolvers: Set<string>, configAnswered: boolean): Promise<Focus> {
    const where = { namespace: CLUSTER_DNS_NAMESPACE };
    const why = 'name lookups fail in the logs read';
    await listener.step?.(`Name lookups fail: reading the cluster DNS in ${CLUSTER_DNS_NAMESPACE}`);
    const read = emptySnapshot(snapshot.now);
    await Promise.all([
      list('Service', `${why}: the cluster DNS Service`, where, read),
      list('Endpoints', `${why}: which DNS pods the cluster DNS Service routes to`, where, read),
      list('Deployment', `${why}: the Deployments that serve the cluster DNS`, where, read),
    ]);
    const dns = clusterDnsObjects(read, resolvers);
    absorb(snapshot.services, dns.services);
    absorb(snapshot.endpoints, dns.endpoints);
    absorb(snapshot.deployments, dns.deployments);
    // Pods only say more when a DNS Deployment is short of ready replicas, or none was found behind the Service.
    const short = (d: (typeof dns.deployments)[number]) =>
      (d.spec?.replicas ?? 1) > 0 && (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1);
    const podsTell = dns.deployments.length === 0 || dns.deployments.some(short);
    for (const service of podsTell ? dns.services : []) {
      const labelSelector = selectorString({ matchLabels: service.spec?.selector ?? {} });
      if (!labelSelector) continue;
      await list('Pod', `${why}: the pods of the cluster DNS`, { ...where, labelSelector });
    }
    // Names answered as unknown: its configuration (the Corefile) says which zones and namespaces it answers for, and
    // when someone last changed it. (Lookups that time out never reached it.)
    const configs = new Set(
      configAnswered ? dns.deployments.flatMap((d) => mountedConfigMaps(d.spec?.template?.spec)) : [],
    );
    await Promise.all([...configs].map((name) => getConfig(name, `${why}: the cluster DNS configuration`)));
    const dnsPods = snapshot.pods.filter(
      (pod) =>
        pod.metadata?.namespace === CLUSTER_DNS_NAMESPACE &&
        dns.services.some((service) => matchesMap(pod.metadata?.labels, service.spec?.selector)),
    );
    const target = clusterDnsLogTarget(dnsPods);
    if (target) await readLog(target);
    const focus = focusNow();
    await listener.wave?.(snapshot, focus, 5);
    return focus;
  }
}

function incompleteRead(
  kind: ObjectKind,
  options: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  read: number,
  why: string,
  unread?: number,
): IncompleteRead {
  return {
    kind,
    ...(options.namespace && isNamespaced(kind) ? { namespace: options.namespace } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    read,
    ...(unread !== undefined ? { unread } : {}),
    why,
  };
}

/** Adds what was read to what is held, once: the same object can come from two reads (node events, the DNS namespace). */
function absorb(held: { metadata?: { uid?: string } }[], items: { metadata?: { uid?: string } }[]): void {
  const uids = new Set(held.map((object) => object.metadata?.uid).filter(Boolean));
  held.push(...items.filter((item) => !item.metadata?.uid || !uids.has(item.metadata.uid)));
}

const inNamespace = (namespace: string) => (object: { metadata?: { namespace?: string } }) =>
  object.metadata?.namespace === namespace;

/** Whether anything was read in a namespace (an empty list says nothing about whether it exists). */
const holdsAnything = (snapshot: ClusterSnapshot, namespace: string): boolean =>
  [snapshot.pods, snapshot.services, snapshot.endpoints, snapshot.events].some((objects) =>
    objects.some(inNamespace(namespace)),
  );

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

type Read = [ObjectKind, string, { namespace: string; fieldSelector?: string }];

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
function routingReads(
  snapshot: ClusterSnapshot,
  alert: Alert,
  namespace: string,
  ingressesRead: boolean,
): [ObjectKind, string, { namespace: string; version?: string }][] {
  const reads: [ObjectKind, string, { namespace: string; version?: string }][] = [];
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
  if (pods.every(isPodReady) && !needsQuota(snapshot, peer)) return [];
  const templates = [...snapshot.deployments, ...snapshot.statefulSets].filter(here).map((w) => w.spec?.template?.spec);
  const refs = podReferences(pods, templates);
  const reads: Read[] = [];
  const why = `pods in ${peer}, which the alerted workload calls, are not ready`;
  if (refs.claims.size > 0) reads.push(['PersistentVolumeClaim', `${why}: the claims they mount`, { namespace: peer }]);
  reads.push(...secretReads(refs.secrets, peer, `used by pods in ${peer}, which the alerted workload calls`));
  if (refs.configMaps.size > 0) reads.push(['ConfigMap', `${why}: the configuration they read`, { namespace: peer }]);
  if (needsQuota(snapshot, peer)) reads.push(['ResourceQuota', `${why}: a quota may refuse them`, { namespace: peer }]);
  return reads;
}

function nodeAbnormal(node: ClusterSnapshot['nodes'][number]): boolean {
  if (node.spec?.unschedulable) return true;
  return (node.status?.conditions ?? []).some((condition) =>
    condition.type === 'Ready' ? condition.status !== 'True' : condition.status === 'True',
  );
}

const describe = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return `HTTP ${code}`;
  return errorMessage(error);
};

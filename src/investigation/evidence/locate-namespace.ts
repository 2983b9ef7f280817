import type { Alert } from '../../alert/alert.ts';
import {
  alertText,
  chooseNamespace,
  GENERIC_LABELS,
  identifierLabelValues,
  labelledNames,
  NAMING_LABELS,
  namespacesNamed,
  type NamespaceCandidates,
  type NamespaceChoice,
  namespaceLabel,
  namesWorkload,
  nodeLabel,
  podLabel,
  serviceLabelValues,
} from '../focus.ts';
import type { EntityRef } from '../model.ts';
import type { ObjectKind, ObjectOf } from '../tools/kinds.ts';
import { listObjects } from '../tools/list-objects.ts';
import type { podLogs } from '../tools/pod-logs.ts';
import { clusterUnavailable, statusOf } from '../tools/kinds.ts';
import { gatewayRoutes, routerRoutes } from './route-hostnames.ts';
import { readGatewayBoundRoutes, readGatewayHop } from './gateway-bound-routes.ts';
import { routeKinds } from './route-kinds.ts';
import { pastTheRouter } from './router-namespace-named.ts';
import { routeRuleService } from './route-rule-backend.ts';
import { type PathWordRoute, readRoutesByPathWord, writtenPaths } from './route-path-words.ts';
import { type IngressRoute, ingressesServingPath, ingressRoutes, mentionedHosts } from './ingress-routes.ts';
import { type HTTPRoute, servedVersion } from './routing-objects.ts';
import { discoverApis } from '../tools/discover-apis.ts';
import { troubleByNamespace, UNHEALTHY_PODS, WARNINGS } from './namespace-trouble.ts';
import { changedConfigBeforeOnset, describeChangedConfig } from './changed-config-namespace.ts';
import { toMs } from './time.ts';
import { troubleElsewhere } from './recent-trouble.ts';
import { whereNodeTroubleIs } from './node-trouble.ts';
import { eventsReadWhole, type NarrowedList, narrowedFromWhole } from './whole-list.ts';
import { listKey } from './custom-read-plan.ts';
import { policyDenials } from './policy-denials.ts';
import { consumersOf, isBacklogAlert, queueNames } from './queue-consumers.ts';
import { serviceInId } from './backend-words.ts';
import { appNamesOf, namespaceWordYields } from './namespace-word.ts';
import { cloudMadeValues, serviceInCloudName } from './cloud-names.ts';
import { kindsNamedByLabels, mayNameKinds } from './kind-label.ts';
import { listCustomObjects } from '../tools/list-custom-objects.ts';
import {
  backendService,
  decodeBackend,
  looseBackendIds,
  probeTargets,
  routerBackendIds,
  unlabelledRouterIds,
} from './router-backend.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import type { ToolContext } from '../tools/tool.ts';

export interface Located {
  namespace: string;
  assumptions: string[];
  requests: number;
  /** The cluster's namespaces, when they had to be listed (the collection keeps them). */
  namespaces?: ClusterSnapshot['namespaces'];
  /** The Service an Ingress routes the host the alert mentions to, when that located the namespace. */
  entryService?: string;
  /** What the alert points at from elsewhere, when that located the namespace: a queue's consumer, a router's backend. */
  symptom?: EntityRef;
  /** Ingresses of the chosen namespace, when they were read to resolve a host (none found is an answer too). */
  ingresses?: ClusterSnapshot['ingresses'];
  /** The chosen namespace's part of cluster-wide lists read to their end: the collection does not read them again. */
  read?: ReadAlready;
  /**
   * Cluster-wide lists read to their end, every namespace's objects: a later read of one namespace's whole list of
   * that kind (a peer's Services, a second look's Deployments) takes its part of them instead of asking again.
   */
  everywhere?: ReadAlready;
  /**
   * Policy refusals among the cluster-wide Warning events, wherever they were recorded (a cluster-scoped policy's
   * events land in `default`): what a policy refuses in another namespace may be why the symptom's namespace waits.
   */
  refusals?: ClusterSnapshot['events'];
  /** The cluster-wide pods not running and Warning events, when locating read them (widening reads them otherwise). */
  clusterTrouble?: Partial<Pick<ClusterSnapshot, 'pods' | 'events'>>;
  /**
   * Requests spent locating that the collection's budget does not count: a look at where trouble began must not cost
   * the incident a log or a peer.
   */
  unbudgeted?: number;
  /** Requests an earlier look's budget counted that a batch saved (SnapshotReader.saved): this look counts them too. */
  saved?: number;
  /**
   * Cluster-wide lists read whole where a narrowed one was asked (whole-list.ts): a namespace's list of the kind, or one
   * narrowed by a field selector, is answered from them, each such request counted as saved — the budget plans what it
   * planned when the request was sent.
   */
  wholeInstead?: ReadAlready;
  /** One namespace's lists read to their end while locating, of a namespace left for another: the same, in it. */
  readInstead?: { kind: ObjectKind; namespace: string; items: ObjectOf<ObjectKind>[] }[];
  /**
   * The namespace the alert names, left for trouble elsewhere that shares the alert's words: a guess, so when the look
   * there finds nothing, the named namespace is where to look next.
   */
  leftNamed?: string;
  /** Cluster-scoped lists already read (a second look elsewhere keeps the nodes it read). */
  clusterRead?: ReadAlready;
  /** The API groups discovery found, when an earlier look asked (asked once per investigation). */
  apiGroups?: ClusterSnapshot['apiGroups'];
  /** Custom-resource lists an earlier look read (custom-read-plan.ts keys) and the objects each held: not asked again. */
  customRead?: ReadonlyMap<string, ClusterSnapshot['customObjects']>;
  /** Lists an earlier look read to their end, by request: a second look takes them instead of asking again. */
  listed?: ReadonlyMap<string, ObjectOf<ObjectKind>[]>;
  /** Logs an earlier look read (SnapshotReader.readLog keys): a second look that reads one again has it already. */
  logsRead?: ReadonlyMap<string, LogRead>;
}

/** A log read (or being read): what a second look's read of the same container answers with. */
export type LogRead = ReturnType<typeof podLogs.run>;

/** Objects of a namespace already read in full, by kind. */
export type ReadAlready = { [K in ObjectKind]?: ObjectOf<K>[] };

/** The recommended label naming the application a workload is part of (kubernetes.io/docs, recommended labels). */
const PART_OF = 'app.kubernetes.io/part-of';

/**
 * The namespace to investigate: the alert's label; else where the pod it names runs (1 request); else one the text
 * names (1 request); else, from cluster-wide lists (6 more requests, 7 when the text mentions a host, none per pod
 * or per namespace), the namespace of a workload or Service the text or labels name, of the Ingress routing a host it
 * mentions, of names its words pick out, or the one with most signs of trouble — saying so when it is a guess.
 */
export async function locateNamespace(alert: Alert, base: Omit<ToolContext, 'reason'>): Promise<Located> {
  const labelled = namespaceLabel(alert);
  if (labelled) return beyondTheLabel(alert, labelled, base);
  const pod = podLabel(alert);
  const podsNamespace = pod ? await wherePodRuns(pod, base) : undefined;
  if (podsNamespace) return podsNamespace;
  const node = nodeLabel(alert);
  const onNode = node ? await whereNodeTroubleIs(node, base) : undefined;
  if (onNode?.located) return { ...onNode.located, requests: onNode.located.requests + (pod ? 1 : 0) };
  const spent = (pod ? 1 : 0) + (node ? 2 : 0);
  // The Warning events the node's trouble was looked for in are the cluster's: not asked for again.
  const warnings = onNode?.warnings;
  // Label values (a deployment or service name) are matched like the text.
  const text = [alertText(alert), ...labelledNames(alert)].join('\n');
  const namespaceList = await listObjects.run(
    { kind: 'Namespace' },
    { ...base, reason: 'the alert names no namespace: find the one it means' },
  );
  const namespaces = namespaceList.items as ClusterSnapshot['namespaces'];
  const names = namespaces.map((namespace) => namespace.metadata?.name ?? '');
  const named = namespacesNamed(text, names);
  if (named.length > 0) {
    const past = await pastTheRouter(text, named, base);
    if (past.located)
      return { ...past.located, namespaces, requests: spent + namespaceList.requests + past.located.requests };
    const asked = past.apiGroups ? 1 : 0;
    const byText = await namedByText(alert, text, namespaces, base, spent + namespaceList.requests + asked, warnings);
    return past.apiGroups ? { ...byText, apiGroups: past.apiGroups } : byText;
  }
  // A router's own id for the route or backend (`<namespace>.<ingress>.<host>.<path>`) names the namespace it serves.
  const routed = await backendOf(unlabelledRouterIds(alert), namespaces, base, 'the router');
  if (routed) return { ...routed, requests: spent + namespaceList.requests + routed.requests };
  const cloudMade = cloudMadeValues(alert.labels, GENERIC_LABELS);
  const dated = toMs(alert.startsAt);
  const onset = dated ?? (base.now ?? new Date()).getTime();
  return fromClusterLists(
    text,
    namespaces,
    base,
    spent + namespaceList.requests,
    cloudMade,
    { onset, dated },
    warnings,
  );
}

/** The namespace of the pod the alert names, when one namespace holds a pod of that name (1 request). */
async function wherePodRuns(pod: string, base: Omit<ToolContext, 'reason'>): Promise<Located | undefined> {
  const found = await listObjects.run(
    { kind: 'Pod', fieldSelector: `metadata.name=${pod}`, limit: 10 },
    { ...base, reason: `the alert names pod ${pod} but no namespace: find where it runs` },
  );
  const namespaces = [...new Set(found.items.map((item) => item.metadata?.namespace ?? ''))];
  if (namespaces.length !== 1 || !namespaces[0]) return undefined;
  return { namespace: namespaces[0], assumptions: [`namespace ${namespaces[0]}: where pod ${pod} runs`], requests: 1 };
}

/**
 * A namespace the text names, unless what the alert names exactly (a label's workload or Service, a dashed name written
 * in full) lives elsewhere and not there, or it is quiet while trouble about what the alert says began elsewhere. The
 * cluster's workloads and Services are read once for that (the collection then reads none of them again).
 */
async function namedByText(
  alert: Alert,
  text: string,
  namespaces: ClusterSnapshot['namespaces'],
  base: Omit<ToolContext, 'reason'>,
  spent: number,
  warningsRead?: NarrowedList<'Event'>,
): Promise<Located> {
  const names = namespaces.map((namespace) => namespace.metadata?.name ?? '');
  const hosted = await namedNamespaceServingHost(text, names, base);
  const described = hosted.choice ?? chooseNamespace(text, { namespaces: names });
  // The namespace a person names may be their guess ("is the database down again?"): one read of the cluster's
  // Warning events says whether it is quiet while trouble about what the alert says began elsewhere around the onset.
  const reason = `the alert names namespace ${described.partOf ?? described.namespace}: whether what it names, and trouble, are there or elsewhere`;
  const prose = alertProse(alert);
  const labelValues = [...new Set([...labelledNames(alert), ...identifierLabelValues(alert)])];
  // The cluster's workloads and Services are read only when a label or a dashed word could name one of them: in a
  // cluster of many namespaces they are the biggest lists there are, and every incident of a burst would read them.
  const mayNameObjects =
    labelValues.length > 0 ||
    dashedWords(prose).some((word) => word !== described.namespace && word !== described.partOf);
  const readAll = (kind: 'Deployment' | 'StatefulSet' | 'Service') =>
    mayNameObjects ? listObjects.run({ kind, limit: 5000 }, { ...base, reason }) : undefined;
  const [warnings, deployments, statefulSets, services] = await Promise.all([
    warningsRead ? { ...warningsRead, requests: 0 } : narrowedFromWhole('Event', WARNINGS, 500, base, reason),
    readAll('Deployment'),
    readAll('StatefulSet'),
    readAll('Service'),
  ]);
  const events = warnings.items as ClusterSnapshot['events'];
  const signs = troubleByNamespace({ pods: [], events, services: [], endpoints: [] });
  // The part of the named namespace the words describe, unless the named one shows trouble and the part none.
  const parent = described.partOf;
  const chosen =
    parent && (signs.get(parent) ?? 0) > 0 && (signs.get(described.namespace) ?? 0) === 0
      ? { namespace: parent, assumption: `namespace ${parent}: the alert names it but carries no namespace label` }
      : described;
  const objects = [deployments, statefulSets, services]
    .flatMap((list) => list?.items ?? [])
    .map((object) => ({
      namespace: object.metadata?.namespace ?? '',
      name: object.metadata?.name ?? '',
      appNames: appNamesOf(object.metadata?.labels),
    }));
  const exact = namespaceWordYields(
    prose,
    labelValues,
    chosen.namespace,
    objects,
    (namespace) => signs.get(namespace) ?? 0,
  );
  const elsewhere =
    !exact && warnings.complete
      ? await quietWhileTroubleElsewhere(alert, events, chosen.namespace, base, mayNameObjects ? objects : undefined)
      : undefined;
  const { namespace, assumption } = exact ?? elsewhere?.verdict ?? chosen;
  const lists: [ObjectKind, Listed | undefined][] = [
    ['Deployment', deployments],
    ['StatefulSet', statefulSets],
    ['Service', services],
  ];
  const spentHere =
    spent +
    hosted.requests +
    [warnings, ...lists.map(([, list]) => list)].reduce((sum, list) => sum + (list?.requests ?? 0), 0) +
    (elsewhere?.requests ?? 0);
  // The named namespace's Deployments read to judge trouble elsewhere are its part of that list (not the cluster's).
  const readHere: [ObjectKind, Listed | undefined][] =
    elsewhere?.listed && namespace === chosen.namespace ? [...lists, ['Deployment', elsewhere.listed]] : lists;
  // Work waits at a broker the text names, on a queue its labels name (a queue nobody polls): the alert is about that
  // queue's consumers, wherever they run. Without a queue named, everything calling the namespace would be one.
  if (isBacklogAlert(alert) && !namesWorkload(alert) && queueNames(alert).length > 0) {
    const atBroker = await locateConsumer(alert, namespace, base, { deployments, statefulSets });
    if (atBroker.symptom)
      return {
        ...atBroker,
        assumptions: [assumption, ...atBroker.assumptions],
        requests: spentHere + atBroker.requests,
        unbudgeted: warnings.requests,
        namespaces,
        everywhere: { ...whole(lists), ...atBroker.everywhere },
        ...eventsReadWhole(warnings),
      };
  }
  const entryService = namespace === hosted.choice?.namespace ? hosted.choice.entryService : undefined;
  return {
    namespace,
    assumptions: [assumption],
    requests: spentHere,
    ...(entryService ? { entryService } : {}),
    // The named namespace's Deployments, read and then left for elsewhere, are no part of what the look reads; read to
    // their end, they answer a later read of them (the namespace left may be one the pods call).
    unbudgeted: warnings.requests + (elsewhere?.verdict ? elsewhere.requests : 0),
    ...(namespace !== chosen.namespace && elsewhere?.verdict?.namespace === namespace
      ? { leftNamed: chosen.namespace }
      : {}),
    ...(elsewhere?.verdict && elsewhere.listed?.complete
      ? { readInstead: [{ kind: 'Deployment' as const, namespace: chosen.namespace, items: elsewhere.listed.items }] }
      : {}),
    namespaces,
    read: readIn(namespace, readHere),
    everywhere: whole(lists),
    ...(warnings.complete ? { clusterTrouble: { events } } : {}),
    ...eventsReadWhole(warnings),
  };
}

/**
 * The text names several namespaces and a host (`ingress-nginx 5xx ratio on shop.example.com`, the router's namespace
 * beside the application's): the one whose Ingress routes that host is where the requests enter the application — an
 * Ingress routes only to Services of its own namespace —, the others are what it passes through. One request (the
 * cluster's Ingresses), only then; no choice when none or several of the named ones route it.
 * Kin of pastTheRouter (router-namespace-named.ts, asked first), not one rule: its route leads out of the named ones.
 */
async function namedNamespaceServingHost(
  text: string,
  names: string[],
  base: Omit<ToolContext, 'reason'>,
): Promise<{ choice?: NamespaceChoice; requests: number }> {
  const named = namespacesNamed(text, names);
  if (named.length < 2 || mentionedHosts(text).length === 0) return { requests: 0 };
  const ingresses = await listObjects.run(
    { kind: 'Ingress', limit: 5000 },
    { ...base, reason: `the alert names namespaces ${named.join(', ')} and a host: which of them routes the host` },
  );
  const routes = ingressRoutes(text, ingresses.items as ClusterSnapshot['ingresses']).filter((route) =>
    named.includes(route.namespace),
  );
  const serving = [...new Set(routes.map((route) => route.namespace))];
  const route = routes[0];
  if (serving.length !== 1 || !route) return { requests: ingresses.requests };
  return {
    requests: ingresses.requests,
    choice: {
      namespace: route.namespace,
      assumption: `namespace ${route.namespace}: of the namespaces the alert names, its Ingress ${route.ingress} routes ${route.host}${route.service ? ` to Service ${route.service}` : ''}`,
      ...(route.service ? { entryService: route.service } : {}),
    },
  };
}

/**
 * Trouble elsewhere that carries the alert's words while the named namespace shows none (recent-trouble.ts), unless
 * the named namespace's own workloads and Services carry those words too. Their names come from the cluster-wide
 * lists when those were read; else, only once trouble elsewhere would move the look, the named namespace's
 * Deployments are read (1 request).
 */
async function quietWhileTroubleElsewhere(
  alert: Alert,
  events: ClusterSnapshot['events'],
  named: string,
  base: Omit<ToolContext, 'reason'>,
  objects: { namespace: string; name: string }[] | undefined,
): Promise<{ verdict: { namespace: string; assumption: string } | undefined; requests: number; listed?: Listed }> {
  const window = { startsAt: alert.startsAt, now: (base.now ?? new Date()).toISOString() };
  const text = alertText(alert);
  const heldBy = (list: { namespace: string; name: string }[]) =>
    list.filter((object) => object.namespace === named).map((object) => object.name);
  if (objects) return { verdict: troubleElsewhere(text, events, named, window, heldBy(objects)), requests: 0 };
  if (!troubleElsewhere(text, events, named, window)) return { verdict: undefined, requests: 0 };
  const deployments = await listObjects.run(
    { kind: 'Deployment', namespace: named },
    {
      ...base,
      reason: `trouble elsewhere shares a word with the alert: whether ${named}'s own workloads carry it too`,
    },
  );
  const held = deployments.items.map((item) => item.metadata?.name ?? '');
  return {
    verdict: troubleElsewhere(text, events, named, window, held),
    requests: deployments.requests,
    listed: deployments,
  };
}

/**
 * Where what the text or labels name lives, from cluster-wide lists of workloads, Services, unhealthy pods, Warning
 * events and Endpoints (and the routes of a host it mentions), or the namespace with most signs of trouble.
 */
async function fromClusterLists(
  text: string,
  namespaces: ClusterSnapshot['namespaces'],
  base: Omit<ToolContext, 'reason'>,
  spent: number,
  cloudMade: string[],
  { onset, dated }: { onset: number; dated: number | undefined },
  warningsRead?: NarrowedList<'Event'>,
): Promise<Located> {
  const names = namespaces.map((namespace) => namespace.metadata?.name ?? '');
  const reason = 'the alert names no namespace: find where what it names lives, or where pods are failing';
  // Ingresses only when the text mentions a host: one request resolves it to a namespace and a Service.
  const hosts = mentionedHosts(text).length > 0;
  const [deployments, statefulSets, services, unhealthy, warnings, endpoints, ingresses, gateway] = await Promise.all([
    listObjects.run({ kind: 'Deployment', limit: 5000 }, { ...base, reason }),
    listObjects.run({ kind: 'StatefulSet', limit: 5000 }, { ...base, reason }),
    listObjects.run({ kind: 'Service', limit: 5000 }, { ...base, reason }),
    listObjects.run({ kind: 'Pod', fieldSelector: UNHEALTHY_PODS, limit: 500 }, { ...base, reason }),
    warningsRead ? { ...warningsRead, requests: 0 } : narrowedFromWhole('Event', WARNINGS, 500, base, reason),
    listObjects.run(
      { kind: 'Endpoints', limit: 5000 },
      { ...base, reason: 'the alert names no namespace: Services no ready pod serves are signs of trouble' },
    ),
    hosts
      ? listObjects.run(
          { kind: 'Ingress', limit: 5000 },
          { ...base, reason: 'the alert mentions a host: find the Ingress that routes it, and where' },
        )
      : undefined,
    hosts ? readGatewayRoutes(base) : undefined,
  ]);
  const candidates = candidatesFrom(
    names,
    { deployments, statefulSets, services, unhealthy, warnings, endpoints },
    [
      ...ingressRoutes(text, (ingresses?.items ?? []) as ClusterSnapshot['ingresses']),
      ...gatewayRoutes(text, gateway?.routes ?? []),
    ],
    onset,
    dated !== undefined,
  );
  // No Ingress nor Gateway API route serves the host: a mesh's ingress gateway may, through the mesh routes bound to it
  // (gateway-bound-routes.ts; 1 request when discovery says the mesh's route kind is served, counted as the look's, not
  // the incident's budget — the chosen namespace's routes then are not asked again).
  const mesh =
    hosts && candidates.routes?.length === 0
      ? await readGatewayBoundRoutes(
          text,
          gateway?.apiGroups,
          base,
          'the alert mentions a host no Ingress serves: find the mesh route bound to a gateway that serves it, and where',
        )
      : undefined;
  if (mesh && mesh.routes.length > 0) candidates.routes = mesh.routes;
  // Nor a mesh route: a router's own route kinds may (1 request per kind served).
  const routers =
    hosts && candidates.routes?.length === 0
      ? await readRouterRoutes(text, gateway?.apiGroups, services, base)
      : undefined;
  if (routers) candidates.routes = routers.routes;
  // A cloud load balancer's name for a Service names it exactly; words only approximately.
  const cloud = services.complete
    ? cloudNamedService(cloudMade, services.items as ClusterSnapshot['services'])
    : undefined;
  const chosen = cloud ?? chooseNamespace(text, candidates);
  const guessed = !cloud && 'guess' in chosen && chosen.guess;
  const byPath = guessed ? await placedByPathWord(text, base, gateway?.apiGroups) : undefined;
  const byIngressPath = guessed && !byPath?.choice ? await placedByIngressPath(text, ingresses, base) : undefined;
  const routedBy = byIngressPath?.listed ?? ingresses;
  const workloads = [...deployments.items, ...statefulSets.items] as Parameters<typeof placedByConfigChange>[0];
  const byChange =
    guessed && !byPath?.choice && !byIngressPath?.choice
      ? await placedByConfigChange(workloads, onset, base)
      : undefined;
  const { namespace, assumption, entryService } = byPath?.choice ?? byIngressPath?.choice ?? byChange?.choice ?? chosen;
  // A list takes a request per page; so does each read made to place a guess.
  const reads = [
    deployments,
    statefulSets,
    services,
    unhealthy,
    warnings,
    endpoints,
    ingresses,
    gateway,
    mesh,
    routers,
  ];
  const requests =
    spent + [...reads, byPath, byIngressPath, byChange].reduce((sum, read) => sum + (read?.requests ?? 0), 0);
  // The Ingresses read in the chosen namespace stay evidence: a routing change is a suspect like any other.
  const routing = ((routedBy?.items ?? []) as ClusterSnapshot['ingresses']).filter(
    (ingress) => ingress.metadata?.namespace === namespace,
  );
  const read = readIn(namespace, [
    ['Deployment', deployments],
    ['StatefulSet', statefulSets],
    ['Service', services],
    ['Endpoints', endpoints],
    ['HTTPRoute', gateway?.listed],
    ['VirtualService', mesh?.listed],
  ]);
  const refusals = policyDenials(warnings.items as ClusterSnapshot['events'], (base.now ?? new Date()).toISOString());
  return {
    namespace,
    assumptions: [assumption],
    requests,
    // Events read once for the node the alert names count as the request they were planned at.
    ...(warningsRead ? { saved: warningsRead.requests } : {}),
    ...(mesh?.requests ? { unbudgeted: mesh.requests } : {}),
    namespaces,
    read,
    ...eventsReadWhole(warnings),
    everywhere: whole([
      ['Deployment', deployments],
      ['StatefulSet', statefulSets],
      ['Service', services],
      ['Endpoints', endpoints],
      ['Ingress', routedBy],
      ['VirtualService', mesh?.listed],
    ]),
    ...(refusals.length > 0 ? { refusals: refusals.map((denial) => denial.event) } : {}),
    ...(unhealthy.complete && warnings.complete
      ? {
          clusterTrouble: {
            pods: unhealthy.items as ClusterSnapshot['pods'],
            events: warnings.items as ClusterSnapshot['events'],
          },
        }
      : {}),
    ...(entryService ? { entryService } : {}),
    ...(routers && routers.customRead.size > 0 ? { customRead: routers.customRead } : {}),
    ...(cloud ? { symptom: cloud.symptom } : {}),
    ...(routedBy?.complete || routing.length > 0 ? { ingresses: routing } : {}),
    ...(gateway?.apiGroups || byPath?.apiGroups ? { apiGroups: gateway?.apiGroups ?? byPath?.apiGroups } : {}),
  };
}

type ListRead = Pick<Awaited<ReturnType<typeof listObjects.run>>, 'items'>;

/**
 * What the cluster-wide lists say of where the alert's subject lives: the workloads and Services it may name (with the
 * application they are part of), the routes of a host it mentions (`routes`), and the signs of trouble per namespace —
 * those that began around the onset apart from those standing since days before it.
 */
function candidatesFrom(
  names: string[],
  listed: Record<'deployments' | 'statefulSets' | 'services' | 'unhealthy' | 'warnings' | 'endpoints', ListRead>,
  routes: IngressRoute[],
  onset: number,
  dated: boolean,
): NamespaceCandidates {
  const { deployments, statefulSets, services, unhealthy, warnings, endpoints } = listed;
  return {
    namespaces: names,
    named: [
      ...[...deployments.items, ...statefulSets.items, ...services.items].map((object) => {
        const application = object.metadata?.labels?.[PART_OF];
        return {
          namespace: object.metadata?.namespace ?? '',
          name: object.metadata?.name ?? '',
          ...(application ? { application } : {}),
        };
      }),
      ...failingRuns(unhealthy.items as ClusterSnapshot['pods']),
    ],
    routes,
    ...troubleSigns(
      {
        pods: unhealthy.items as ClusterSnapshot['pods'],
        events: warnings.items as ClusterSnapshot['events'],
        services: services.items as ClusterSnapshot['services'],
        endpoints: endpoints.items as ClusterSnapshot['endpoints'],
      },
      onset,
      dated,
    ),
  };
}

/**
 * Signs of trouble per namespace, those that began around the alert apart from those standing since days before it:
 * a standing condition is no sign of where the alert's symptom is, only a guess better than none. `dated`: the alert
 * says when its symptom began, so trouble that ended well before then is over (`currentSigns`); without it the onset is
 * only the snapshot's time, and a symptom (output that never came) may have begun with trouble long over.
 */
function troubleSigns(
  listed: Parameters<typeof troubleByNamespace>[0],
  onset: number,
  dated: boolean,
): Pick<NamespaceCandidates, 'troubleSigns' | 'standingSigns' | 'currentSigns'> {
  const fresh = troubleByNamespace(listed, onset);
  const standing = new Map(
    [...troubleByNamespace(listed)].map(([namespace, count]) => [namespace, count - (fresh.get(namespace) ?? 0)]),
  );
  return {
    troubleSigns: fresh,
    standingSigns: standing,
    ...(dated ? { currentSigns: troubleByNamespace(listed, onset, true) } : {}),
  };
}

/**
 * The Gateway API routes of the cluster, when it serves them: API discovery (which the collection then does not ask
 * again) and, when gateway.networking.k8s.io is served, its HTTPRoutes cluster-wide — 1 or 2 requests, only when the
 * alert mentions a host.
 */
/** Routers' own route kinds read cluster-wide when no Ingress or HTTPRoute serves the host the alert mentions. */
const MAX_ROUTER_KINDS = 2;

/**
 * The routes of routers' own route kinds (route-kinds.ts) that serve a host the text mentions, cluster-wide: the kinds
 * discovery found served, a request each (one that fails is skipped: a route of it then routes nothing here).
 */
async function readRouterRoutes(
  text: string,
  apiGroups: ClusterSnapshot['apiGroups'] | undefined,
  services: { items: { metadata?: { namespace?: string; name?: string } }[] },
  base: Omit<ToolContext, 'reason'>,
): Promise<{
  routes: NamespaceCandidates['routes'];
  requests: number;
  customRead: Map<string, ClusterSnapshot['customObjects']>;
}> {
  const kinds = routeKinds(apiGroups ?? [], MAX_ROUTER_KINDS);
  const reason = 'the alert mentions a host no Ingress serves: find the router route that serves it, and where';
  const lists = await Promise.all(
    kinds.map((kind) =>
      listCustomObjects
        .run({ group: kind.group, version: kind.version, plural: kind.plural }, { ...base, reason })
        .catch(() => undefined),
    ),
  );
  const named = services.items.map((object) => ({
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
  }));
  const routes = lists.flatMap((list) => list?.items ?? []);
  // Each list read whole is kept: the collection takes it instead of asking again for the same routes.
  const customRead = new Map(
    kinds.flatMap((kind, at) => {
      const list = lists[at];
      return list?.complete ? [[listKey(kind), list.items] as const] : [];
    }),
  );
  return { routes: routerRoutes(text, routes, named), requests: kinds.length, customRead };
}

async function readGatewayRoutes(
  base: Omit<ToolContext, 'reason'>,
): Promise<{ apiGroups?: ClusterSnapshot['apiGroups']; routes: HTTPRoute[]; requests: number; listed?: Listed }> {
  const reason = 'the alert mentions a host: which routing APIs the cluster serves, to find the route that serves it';
  let apiGroups: ClusterSnapshot['apiGroups'];
  try {
    apiGroups = await discoverApis.run({}, { ...base, reason });
  } catch {
    return { routes: [], requests: 1 };
  }
  const version = servedVersion(apiGroups, 'HTTPRoute');
  if (!version) return { apiGroups, routes: [], requests: 1 };
  try {
    const listed = await listObjects.run(
      { kind: 'HTTPRoute', version, limit: 5000 },
      { ...base, reason: 'the alert mentions a host: find the Gateway API route that serves it, and where' },
    );
    return { apiGroups, routes: listed.items as HTTPRoute[], requests: 1 + listed.requests, listed };
  } catch (error) {
    // Answered 404, the kind is not served (discovery without resource lists cannot tell): no route serves the host.
    if (statusOf(error) === 404) return { apiGroups, routes: [], requests: 2 };
    throw error;
  }
}

/**
 * The alert's namespace label is where its metric was scraped: the broker or the router, which may only report a fault
 * behind it. A router's name for its backend (`<namespace>-<route>-<service>-<port>@<provider>`) leads to the backend's
 * namespace and Service (2 requests: the namespaces, that namespace's Services). Work piling up at a broker leads to its
 * consumer (2 requests: the cluster's Deployments and StatefulSets, whose settings name the queue or the broker). A
 * label of any other name whose value names a Service in some router's spelling leads to it (1 request: the cluster's
 * Services). The lists read stand for the chosen namespace's own reads, which the collection then skips.
 */
async function beyondTheLabel(alert: Alert, labelled: string, base: Omit<ToolContext, 'reason'>): Promise<Located> {
  const ids = routerBackendIds(alert);
  // An alert naming a workload or pod already points at the consumer side.
  const walk = isBacklogAlert(alert) && !namesWorkload(alert);
  // Work waiting at a broker: the dotted or underscored names its labels carry are queues and topics, not backends.
  const loose = walk ? [] : [...looseBackendIds(alert), ...cloudMadeValues(alert.labels, GENERIC_LABELS)];
  const atRouter =
    ids.length > 0
      ? await locateBackend(ids, labelled, base)
      : loose.length > 0
        ? await locateServiceNamed(loose, labelled, base)
        : undefined;
  if (atRouter?.symptom) return atRouter;
  if (!walk) {
    const probed = await locateProbedHost(alert, labelled, base);
    const spent = (atRouter?.requests ?? 0) + probed.requests;
    if (probed.located) return { ...probed.located, requests: spent };
    const located = await kindOrLabel(
      alert,
      labelled,
      { ...(atRouter ?? { namespace: labelled, assumptions: [] }), requests: spent },
      base,
    );
    return located.namespace === labelled && !located.symptom
      ? throughMeshGateway(alert, labelled, located, base)
      : located;
  }
  const atBroker = await locateConsumer(alert, labelled, base);
  return { ...atBroker, requests: atBroker.requests + (atRouter?.requests ?? 0) };
}

/**
 * The labelled namespace may be where a mesh's ingress gateway runs, and the host the alert is about is routed on by a
 * mesh route bound to it in the application's namespace (gateway-bound-routes.ts): that namespace is examined, entered
 * by the route's destination Service. The requests are the look's, not the incident's budget.
 */
async function throughMeshGateway(
  alert: Alert,
  labelled: string,
  located: Located,
  base: Omit<ToolContext, 'reason'>,
): Promise<Located> {
  const hop = await readGatewayHop(alert, alertText(alert), labelled, located.apiGroups, base);
  if (hop.requests === 0 && !hop.route) return located;
  const spent = {
    requests: located.requests + hop.requests,
    unbudgeted: (located.unbudgeted ?? 0) + hop.requests,
    ...(hop.apiGroups ? { apiGroups: hop.apiGroups } : {}),
  };
  if (!hop.route) return { ...located, ...spent };
  const { route } = hop;
  const backend = route.service ? ` to Service ${route.service}` : '';
  return {
    namespace: route.namespace,
    assumptions: [
      `namespace ${route.namespace}: VirtualService ${route.ingress}, bound to a mesh gateway, routes ${route.host} (the host the alert raised in ${labelled} is about)${backend}`,
    ],
    ...spent,
    ...(route.service ? { entryService: route.service } : {}),
  };
}

/**
 * A probe's target URL (blackbox, synthetic check) whose public host an Ingress or a Gateway API route of another
 * namespace serves: the alert's namespace label is the prober's own (where the probe metric was scraped), the route
 * names where the probed application lives and the Service it enters by (1–3 requests: the cluster's Ingresses and,
 * when served, its HTTPRoutes; none when no label is such a URL).
 */
async function locateProbedHost(
  alert: Alert,
  labelled: string,
  base: Omit<ToolContext, 'reason'>,
): Promise<{ located?: Located; requests: number }> {
  const text = probeTargets(alert).join('\n');
  if (mentionedHosts(text).length === 0) return { requests: 0 };
  const reason = `the alert probes ${mentionedHosts(text)[0]?.host} from ${labelled}: find the route that serves it`;
  const [ingresses, gateway] = await Promise.all([
    listObjects.run({ kind: 'Ingress', limit: 5000 }, { ...base, reason }),
    readGatewayRoutes(base),
  ]);
  const requests = ingresses.requests + gateway.requests;
  const routes = [
    ...ingressRoutes(text, ingresses.items as ClusterSnapshot['ingresses']),
    ...gatewayRoutes(text, gateway.routes),
  ];
  const namespaces = [...new Set(routes.map((route) => route.namespace))];
  const route = routes[0];
  if (namespaces.length !== 1 || !route || route.namespace === labelled) return { requests };
  const routing = (ingresses.items as ClusterSnapshot['ingresses']).filter(
    (ingress) => ingress.metadata?.namespace === route.namespace,
  );
  const backend = route.service ? ` to Service ${route.service}` : '';
  return {
    requests,
    located: {
      namespace: route.namespace,
      assumptions: [
        `namespace ${route.namespace}: ${route.kind ?? 'Ingress'} ${route.ingress} routes ${route.host}, the target the alert probes from ${labelled},${backend}`,
      ],
      requests,
      ...(route.service ? { entryService: route.service } : {}),
      ...(ingresses.complete ? { ingresses: routing } : {}),
      ...(gateway.apiGroups ? { apiGroups: gateway.apiGroups } : {}),
      read: readIn(route.namespace, [['HTTPRoute', gateway.listed]]),
    },
  };
}

/**
 * The object a label named after its kind names (kind-label.ts), when it lives in another namespace than the labelled
 * one: that namespace is examined. Else what was located so far, with the served APIs the look asked for (the
 * collection does not ask again). An alert naming a workload or pod already names its subject.
 */
async function kindOrLabel(
  alert: Alert,
  labelled: string,
  located: Located,
  base: Omit<ToolContext, 'reason'>,
): Promise<Located> {
  const ignored = new Set([...GENERIC_LABELS, ...NAMING_LABELS]);
  if (namesWorkload(alert) || !mayNameKinds(alert.labels, ignored)) return located;
  const reason = `the alert's labels may name a custom resource by its kind: which kinds the cluster serves`;
  let apiGroups: ClusterSnapshot['apiGroups'];
  try {
    apiGroups = await discoverApis.run({}, { ...base, reason });
  } catch {
    return { ...located, requests: located.requests + 1 };
  }
  const spent = { requests: located.requests + 1, unbudgeted: (located.unbudgeted ?? 0) + 1, apiGroups };
  const named = kindsNamedByLabels(alert.labels, apiGroups, ignored)[0];
  if (!named) return { ...located, ...spent };
  const { group, resource, name, label } = named;
  const listed = await listCustomObjects.run(
    { group, version: resource.version, plural: resource.plural },
    { ...base, reason: `the alert's label ${label} names ${resource.kind} ${name}: find where it lives` },
  );
  const found = listed.items.filter((item) => item.metadata?.name === name).map((item) => item.metadata?.namespace);
  const home = found.length === 1 ? found[0] : undefined;
  const requests = spent.requests + 1;
  // The list read to its end answers the collection's own read of that kind (a setting naming one of its objects).
  const customRead = listed.complete
    ? new Map([...(located.customRead ?? []), [listKey({ group, plural: resource.plural }), listed.items]])
    : located.customRead;
  const read = { ...spent, requests, ...(customRead ? { customRead } : {}) };
  if (!home || home === labelled) return { ...located, ...read };
  return {
    namespace: home,
    assumptions: [
      `namespace ${home}: the alert's label ${label} names ${resource.kind} ${name}, which lives there: what its metric is about (${labelled} is where it is reported)`,
    ],
    ...read,
    ...(located.everywhere ? { everywhere: located.everywhere } : {}),
  };
}

async function locateBackend(ids: string[], labelled: string, base: Omit<ToolContext, 'reason'>): Promise<Located> {
  const namespaceList = await listObjects.run(
    { kind: 'Namespace' },
    { ...base, reason: `the alert names a router's backend (${ids[0]}): find the namespace it encodes` },
  );
  const namespaces = namespaceList.items as ClusterSnapshot['namespaces'];
  const found = await backendOf(ids, namespaces, base, `the router in ${labelled}`);
  if (!found) return { namespace: labelled, assumptions: [], requests: namespaceList.requests, namespaces };
  return { ...found, requests: namespaceList.requests + found.requests };
}

/**
 * A Service of the cluster that a label value names in some router's or proxy's spelling, whatever the label is called
 * (HAProxy's `proxy="<namespace>_<service>_<port>"`, a URL): 1 request, the cluster's Services, which hold every
 * namespace a backend can be in and what each serves. A value counts only when both its namespace and a Service of it
 * are found — names joined by `_` or `.` are common in labels that name no backend (a queue, a topic). The Services
 * of the namespace chosen stand for its own read, so that the look costs nothing more when it finds nothing.
 */
async function locateServiceNamed(
  ids: string[],
  labelled: string,
  base: Omit<ToolContext, 'reason'>,
): Promise<Located> {
  const services = await listObjects.run(
    { kind: 'Service', limit: 5000 },
    { ...base, reason: `the alert's labels may name a backend elsewhere (${ids[0]}): find the Service they name` },
  );
  const found = services.complete ? serviceNamedIn(ids, services.items as ClusterSnapshot['services']) : undefined;
  const everywhere = whole([['Service', services]]);
  if (!found)
    return {
      namespace: labelled,
      assumptions: [],
      requests: services.requests,
      read: readIn(labelled, [['Service', services]]),
      everywhere,
    };
  const { id, namespace, name } = found;
  const where = namespace === labelled ? 'there' : `in ${namespace}`;
  return {
    namespace,
    assumptions: [`namespace ${namespace}: the alert's label value ${id} names Service ${name} ${where}`],
    requests: services.requests,
    read: readIn(namespace, [['Service', services]]),
    everywhere,
    symptom: { kind: 'Service', namespace, name },
  };
}

/**
 * The first id that names a namespace and one of its Services (the cluster's Services), with both; else a Service
 * a cloud load balancer's name encodes (cut short, or by uid).
 */
function serviceNamedIn(
  ids: string[],
  services: ClusterSnapshot['services'],
): { id: string; namespace: string; name: string } | undefined {
  const namesIn = (namespace: string) =>
    services
      .filter((service) => service.metadata?.namespace === namespace)
      .map((service) => service.metadata?.name ?? '');
  const namespaces = [...new Set(services.map((service) => service.metadata?.namespace ?? ''))].filter(Boolean);
  for (const id of ids) {
    const backend = decodeBackend(id, namespaces);
    if (!backend) continue;
    const names = namesIn(backend.namespace);
    const name = backendService(backend.rest, names) ?? serviceInId(id, backend.namespace, names);
    if (name) return { id, namespace: backend.namespace, name };
  }
  return cloudNamedService(ids, services)?.found;
}

/**
 * The namespace and Service a router's id for its backend or route encodes (1 request: that namespace's Services),
 * undefined when no id names a namespace of the cluster.
 */
async function backendOf(
  ids: string[],
  namespaces: ClusterSnapshot['namespaces'],
  base: Omit<ToolContext, 'reason'>,
  router: string,
): Promise<Located | undefined> {
  const names = namespaces.map((namespace) => namespace.metadata?.name ?? '');
  const found = ids.map((id) => ({ id, backend: decodeBackend(id, names) })).find(({ backend }) => backend);
  if (!found?.backend) return undefined;
  const { id, backend } = found;
  const services = await listObjects.run(
    { kind: 'Service', namespace: backend.namespace },
    { ...base, reason: `which Service of ${backend.namespace} the router's backend ${id} is` },
  );
  const serviceNames = services.items.map((item) => item.metadata?.name ?? '');
  // Routers that spell the Service around the namespace (Emissary's `cluster_<service>_<namespace>_<port>`): its words.
  const named = backendService(backend.rest, serviceNames) ?? serviceInId(id, backend.namespace, serviceNames);
  // No Service of that name: the id may name a route (and its rule), whose backends are the Services (1 request).
  const routes = named || !backend.rest ? undefined : await routesIn(backend.namespace, id, base);
  const routed = routes ? routeRuleService(id, backend.rest, routes.items as HTTPRoute[]) : undefined;
  const service = named ?? (routed && serviceNames.includes(routed) ? routed : undefined);
  const read = readIn(backend.namespace, [
    ['Service', services],
    ['HTTPRoute', routes],
  ]);
  const what = named
    ? `Service ${named} there`
    : service
      ? `its route ${backend.rest} sends that traffic to Service ${service}`
      : 'no Service of that name there';
  return {
    namespace: backend.namespace,
    assumptions: [`namespace ${backend.namespace}: ${router} reports its backend or route ${id}, ${what}`],
    requests: services.requests + (routes?.requests ?? 0),
    namespaces,
    read,
    ...(service ? { symptom: { kind: 'Service', namespace: backend.namespace, name: service } } : {}),
  };
}

/** The namespace's Gateway API routes (undefined when the kind is not served). */
async function routesIn(namespace: string, id: string, base: Omit<ToolContext, 'reason'>): Promise<Listed | undefined> {
  try {
    return await listObjects.run(
      { kind: 'HTTPRoute', namespace },
      {
        ...base,
        reason: `the router's id ${id} names no Service of ${namespace}: the route it may name, and its backends`,
      },
    );
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

async function locateConsumer(
  alert: Alert,
  labelled: string,
  base: Omit<ToolContext, 'reason'>,
  held: { deployments?: Listed; statefulSets?: Listed } = {},
): Promise<Located> {
  const reason = `the alert says work waits at a broker or queue in ${labelled}: find who consumes it`;
  // Lists read to their end while locating stand for these reads (0 requests).
  const reuse = (list: Listed | undefined) => (list?.complete ? { ...list, requests: 0 } : undefined);
  const [deployments, statefulSets] = await Promise.all([
    reuse(held.deployments) ?? listObjects.run({ kind: 'Deployment', limit: 5000 }, { ...base, reason }),
    reuse(held.statefulSets) ?? listObjects.run({ kind: 'StatefulSet', limit: 5000 }, { ...base, reason }),
  ]);
  const service = serviceLabelValues(alert)[0];
  const workloads = [
    ...(deployments.items as ObjectOf<'Deployment'>[]).map((object) => ({ kind: 'Deployment' as const, object })),
    ...(statefulSets.items as ObjectOf<'StatefulSet'>[]).map((object) => ({ kind: 'StatefulSet' as const, object })),
  ];
  const broker = { namespace: labelled, ...(service ? { service } : {}) };
  const queues = queueNames(alert);
  let consumers = consumersOf(workloads, broker, queues);
  // Nobody's own settings name the queue (or the broker): the configuration files they read, or the autoscalers that
  // scale them on the queue's length, may (2 requests more).
  const further = consumers.length === 0 || (queues.length > 0 && !consumers[0]?.namesQueue);
  const why = `${reason}: the configuration the workloads read, and what scales them, may name the queue or the broker`;
  const [configMaps, autoscalers] = further
    ? await Promise.all([
        listObjects.run({ kind: 'ConfigMap', limit: 5000 }, { ...base, reason: why }),
        listObjects.run({ kind: 'HorizontalPodAutoscaler', limit: 5000 }, { ...base, reason: why }),
      ])
    : [];
  if (configMaps && autoscalers) {
    consumers = consumersOf(workloads, broker, queues, {
      configMaps: configMaps.items as ObjectOf<'ConfigMap'>[],
      autoscalers: autoscalers.items as ObjectOf<'HorizontalPodAutoscaler'>[],
    });
  }
  const consumer = consumers[0];
  const namespace = consumer?.ref.namespace ?? labelled;
  const lists: [ObjectKind, Listed | undefined][] = [
    ['Deployment', deployments],
    ['StatefulSet', statefulSets],
    ['ConfigMap', configMaps],
    ['HorizontalPodAutoscaler', autoscalers],
  ];
  const read = readIn(namespace, lists);
  const everywhere = whole(lists);
  const requests = lists.reduce((sum, [, list]) => sum + (list?.requests ?? 0), 0);
  if (!consumer) return { namespace, assumptions: [], requests, read, everywhere };
  const others = consumers.slice(1, 4).map((other) => `${other.ref.namespace}/${other.ref.name}`);
  const where = service ? `${service} in ${labelled}` : `the broker in ${labelled}`;
  return {
    namespace,
    assumptions: [
      `symptom ${consumer.ref.kind} ${namespace}/${consumer.ref.name}: work waits at ${where}, and it consumes there (${consumer.because.slice(0, 160)})${others.length > 0 ? `; also calling it: ${others.join(', ')}` : ''}`,
    ],
    requests,
    read,
    everywhere,
    symptom: consumer.ref,
  };
}

type Listed = { items: { metadata?: { namespace?: string } }[]; complete: boolean; requests: number };

/** Lists read to their end, whole: every namespace's objects of their kind. */
function whole(lists: [ObjectKind, Listed | undefined][]): ReadAlready {
  return Object.fromEntries(
    lists.flatMap(([kind, list]) => (list?.complete ? [[kind, list.items]] : [])),
  ) as ReadAlready;
}

/** The chosen namespace's part of lists read to their end: all its objects of their kind, which the collection reuses. */
function readIn(namespace: string, lists: [ObjectKind, Listed | undefined][]): ReadAlready {
  return Object.fromEntries(
    lists.flatMap(([kind, list]) =>
      list?.complete ? [[kind, list.items.filter((object) => object.metadata?.namespace === namespace)]] : [],
    ),
  ) as ReadAlready;
}

/**
 * Batch runs whose pods fail, by the name of what scheduled them: the CronJob controller names each Job
 * `<cronjob>-<scheduled minute>`, so an alert about a missing export names the CronJob, not a Deployment.
 */
function failingRuns(pods: ClusterSnapshot['pods']): { namespace: string; name: string }[] {
  return pods.flatMap((pod) => {
    const job = pod.metadata?.ownerReferences?.find((owner) => owner.kind === 'Job')?.name;
    const scheduled = job ? /^(.+)-\d{8,}$/.exec(job)?.[1] : undefined;
    return scheduled ? [{ namespace: pod.metadata?.namespace ?? '', name: scheduled }] : [];
  });
}

/** The Service the first cloud-made label value encodes (cloud-names.ts), as a choice of namespace and a symptom. */
function cloudNamedService(
  values: string[],
  services: ClusterSnapshot['services'],
):
  | {
      found: { id: string; namespace: string; name: string };
      namespace: string;
      assumption: string;
      symptom: EntityRef;
      entryService?: undefined;
    }
  | undefined {
  const identities = services.map((service) => ({
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    ...(service.metadata?.uid ? { uid: service.metadata.uid } : {}),
    ...(service.spec?.type ? { type: service.spec.type } : {}),
  }));
  for (const id of values) {
    const service = serviceInCloudName(id, identities);
    if (!service) continue;
    const { namespace, name } = service;
    return {
      found: { id, namespace, name },
      namespace,
      assumption: `namespace ${namespace}: the alert's ${id} is a cloud load balancer's name for Service ${name} there`,
      symptom: { kind: 'Service', namespace, name },
    };
  }
  return undefined;
}

/**
 * What people and rules wrote about the alert in sentences (title, text, summary, description), without annotations
 * that name the alerting machinery (`source: <monitoring stack>`) or links.
 */
/** Words of a text written with a dash (`ledger-api`), lower-cased: how a workload's or Service's name is copied. */
const dashedWords = (text: string): string[] =>
  (text.toLowerCase().match(/[a-z0-9-]+/g) ?? []).filter((word) => /[a-z0-9]-+[a-z0-9]/.test(word));

const alertProse = (alert: Alert): string =>
  [alert.title, alert.text, alert.annotations.summary, alert.annotations.description, alert.annotations.message]
    .filter(Boolean)
    .join('\n');

/**
 * Nothing in the alert or the cluster's trouble points anywhere: the ConfigMaps, cluster-wide (1 request), say where
 * configuration a workload reads changed last before the onset (changed-config-namespace.ts). The list only improves
 * a guess: refused or failed (short of an unreachable cluster), the guess stands instead of the investigation failing.
 */
async function placedByConfigChange(
  workloads: (ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number])[],
  onset: number,
  base: Omit<ToolContext, 'reason'>,
): Promise<{ choice?: { namespace: string; assumption: string; entryService?: string }; requests: number }> {
  let configMaps: Awaited<ReturnType<typeof listObjects.run>>;
  try {
    configMaps = await listObjects.run(
      { kind: 'ConfigMap', limit: 5000 },
      {
        ...base,
        reason: 'nothing points at a namespace: where configuration the workloads read changed before the onset',
      },
    );
  } catch (error) {
    if (clusterUnavailable(error)) throw error;
    return { requests: 1 };
  }
  const changed = changedConfigBeforeOnset(configMaps.items as ClusterSnapshot['configMaps'], workloads, onset);
  if (!changed) return { requests: configMaps.requests };
  return {
    requests: configMaps.requests,
    choice: {
      namespace: changed.namespace,
      assumption: describeChangedConfig(changed, configMaps.complete),
    },
  };
}

/**
 * Nothing placed the alert and its text writes a request path (`5xx from /claims/api`): the Ingress rules whose path
 * covers it longest, whatever their host, route it to a Service of their namespace — that Service is where the failing
 * requests enter. The cluster's Ingresses (1 request, unless a host the text mentions had them read already).
 */
async function placedByIngressPath(
  text: string,
  read: Listed | undefined,
  base: Omit<ToolContext, 'reason'>,
): Promise<{
  choice?: { namespace: string; assumption: string; entryService?: string };
  requests: number;
  listed?: Listed;
}> {
  const paths = writtenPaths(text);
  if (paths.length === 0) return { requests: 0 };
  const listed =
    read ??
    (await listObjects.run(
      { kind: 'Ingress', limit: 5000 },
      { ...base, reason: 'the alert writes a request path and names nothing found: the Ingress rule that routes it' },
    ));
  const requests = read ? 0 : listed.requests;
  const [route] = ingressesServingPath(paths, listed.items as ClusterSnapshot['ingresses']);
  if (!route) return { requests, listed };
  return {
    requests,
    listed,
    choice: {
      namespace: route.namespace,
      assumption: `namespace ${route.namespace}: Ingress ${route.ingress} routes the path the alert writes${route.service ? ` to Service ${route.service}` : ''}`,
      ...(route.service ? { entryService: route.service } : {}),
    },
  };
}

/**
 * Nothing placed the alert and it speaks of HTTP answers or routers: the namespace of the routes whose paths carry its
 * words (route-path-words.ts), the one most of them are in.
 */
async function placedByPathWord(
  text: string,
  base: Omit<ToolContext, 'reason'>,
  discovered: ClusterSnapshot['apiGroups'] | undefined,
): Promise<{
  choice?: { namespace: string; assumption: string; entryService?: string };
  requests: number;
  apiGroups?: ClusterSnapshot['apiGroups'];
}> {
  const { routes, requests, apiGroups } = await readRoutesByPathWord(text, base, discovered);
  const count = (namespace: string) => routes.filter((route) => route.namespace === namespace).length;
  const route: PathWordRoute | undefined = [...routes].sort((a, b) => count(b.namespace) - count(a.namespace))[0];
  if (!route) return { requests, ...(apiGroups ? { apiGroups } : {}) };
  return {
    requests,
    ...(apiGroups ? { apiGroups } : {}),
    choice: {
      namespace: route.namespace,
      assumption: `namespace ${route.namespace}: ${route.kind} ${route.name} routes the path /${route.word}, whose word the alert uses${route.service ? `, to Service ${route.service} there` : ''}`,
      ...(route.service ? { entryService: route.service } : {}),
    },
  };
}

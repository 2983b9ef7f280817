import { type EntityRef, type Evidence, EVIDENCE_TEXT_LIMIT } from '../model.ts';
import { refKey } from '../model.ts';
import { hostMentions, isIPv4, serviceNameOf, tokens } from './hosts.ts';
import { endpointsOf } from './endpoints.ts';
import { type EvidenceState, evidenceState, sameEvidence } from './evidence-state.ts';
import { LabelIndex, matchesSelector } from './labels.ts';
import { specStrings } from './governing-resources.ts';
import { objectsNamedByErrors } from './logged-objects.ts';
import { parseLogLine } from './log-line.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { allContainers, type Pod, type PodSpec, type Workload, workloadsOf } from './workloads.ts';

export type Service = ClusterSnapshot['services'][number];
export type NetworkPolicy = ClusterSnapshot['networkPolicies'][number];

export type EdgeKind =
  | 'owns' // controller → what it owns (ownerReferences)
  | 'selects' // Service → Pod, NetworkPolicy → Pod
  | 'uses' // workload → ConfigMap / Secret / PVC / ServiceAccount
  | 'runs-on' // Pod → Node
  | 'scales' // HPA → workload
  | 'constrains' // ResourceQuota / LimitRange → Namespace
  | 'depends-on'; // workload → Service it calls

export interface GraphEdge {
  kind: EdgeKind;
  from: EntityRef;
  to: EntityRef;
  evidence: Evidence[];
}

/** How a workload reaches a ConfigMap, Secret or PVC: which container, through which field. */
export interface Reference {
  target: EntityRef;
  /** `api`: no template field names it; the program loads it through the Kubernetes API (evidence/api-config.ts). */
  via: 'env' | 'envFrom' | 'volume' | 'serviceAccount' | 'api';
  container?: string;
  key?: string;
  mountPath?: string;
  optional: boolean;
}

export interface EvidenceGraph {
  edges: GraphEdge[];
  workloads: Workload[];
  workload(ref: EntityRef): Workload | undefined;
  /** The top controller of a pod (ReplicaSet → Deployment, Job → CronJob…), or the pod itself when it has none. */
  workloadOf(pod: Pod): EntityRef;
  podsOf(workload: EntityRef): Pod[];
  /** The controller named in an object's ownerReferences (a ReplicaSet's Deployment, a pod's workload), if read. */
  ownerOf(ref: EntityRef): EntityRef | undefined;
  pod(namespace: string, name: string): Pod | undefined;
  podsSelectedBy(service: Service): Pod[];
  servicesOf(workload: EntityRef): Service[];
  /** Workloads whose pods a Service selects; when it selects none, the workloads its name or old selector meant. */
  workloadsBehind(service: Service): EntityRef[];
  service(namespace: string, name: string): Service | undefined;
  serviceByHost(host: string, fromNamespace: string): Service | undefined;
  referencesOf(workload: EntityRef): Reference[];
  workloadsReferencing(target: EntityRef): EntityRef[];
  /** Services a workload calls, with the evidence (configuration, logs, metrics). */
  dependenciesOf(workload: EntityRef): GraphEdge[];
  /** Workloads that call a Service. */
  callersOf(service: EntityRef): GraphEdge[];
  policiesSelecting(pod: Pod): NetworkPolicy[];
  /** Pod template of a workload, or the spec of its pods when the controller object was not fetched. */
  podSpecOf(workload: EntityRef): PodSpec | undefined;
}

export const refOf = (kind: string, metadata: { name?: string; namespace?: string } | undefined): EntityRef =>
  metadata?.namespace
    ? { kind, namespace: metadata.namespace, name: metadata.name ?? '' }
    : { kind, name: metadata?.name ?? '' };

/**
 * The workloads a workload calls: those behind each Service it depends on, or the dependency itself where no Service
 * of that name was read.
 */
export const calleesOf = (graph: EvidenceGraph, workload: EntityRef): EntityRef[] =>
  graph.dependenciesOf(workload).flatMap((edge) => {
    const service = graph.service(edge.to.namespace ?? '', edge.to.name);
    return service ? graph.workloadsBehind(service) : [edge.to];
  });

/** The graph last built for each snapshot, and the state of its evidence at the time. */
const builtFor = new WeakMap<ClusterSnapshot, { state: EvidenceState; graph: EvidenceGraph }>();

/**
 * The evidence graph of the snapshot as it stands, built once per state of it (evidence-state.ts). An investigation
 * asks for the graph of the same evidence several times (each wave's running hypotheses, the reads that choose what to
 * read next, the final diagnosis), and on a namespace of 10,000 pods each build costs about a second of CPU and tens
 * of MB that outlive it.
 */
export function graphOf(snapshot: ClusterSnapshot): EvidenceGraph {
  const state = evidenceState(snapshot);
  const built = builtFor.get(snapshot);
  if (built && sameEvidence(built.state, state)) return built.graph;
  const graph = buildGraph(snapshot);
  builtFor.set(snapshot, { state, graph });
  return graph;
}

/**
 * The evidence graph of a snapshot, edge kind by edge kind: who owns whom, where pods run, what Services select,
 * what workloads read, whom they call (from configuration, logs and metrics), what scales and constrains them,
 * which policies select their pods. The edges keep that order.
 */
export function buildGraph(snapshot: ClusterSnapshot): EvidenceGraph {
  const controllers = controllerOwnership(snapshot);
  const { workloadOf } = controllers;
  const pods = indexPods(snapshot, workloadOf);
  const services = indexServices(snapshot, pods, workloadOf);
  const references = indexReferences(pods);
  const dependencies = dependencyEdges(snapshot, pods, services, references, workloadOf);
  const edges = [
    ...controllers.edges,
    ...podEdges(snapshot.pods, workloadOf),
    ...services.edges,
    ...references.edges,
    ...dependencies,
    ...scalingEdges(snapshot),
    ...constraintEdges(snapshot),
    ...policyEdges(snapshot.networkPolicies, pods),
  ];
  const dependenciesFrom = new Map<string, GraphEdge[]>();
  const dependenciesTo = new Map<string, GraphEdge[]>();
  for (const edge of dependencies) {
    append(dependenciesFrom, refKey(edge.from), edge);
    append(dependenciesTo, refKey(edge.to), edge);
  }
  return {
    edges,
    workloads: pods.workloads,
    workload: (ref) => pods.workloadByKey.get(refKey(ref)),
    workloadOf,
    podsOf: pods.podsOf,
    ownerOf: ownerLookup(edges),
    pod: pods.pod,
    podsSelectedBy: services.podsSelectedBy,
    servicesOf: services.servicesOf,
    workloadsBehind: services.workloadsBehind,
    service: services.service,
    serviceByHost: services.serviceByHost,
    referencesOf: references.referencesOf,
    workloadsReferencing: references.workloadsReferencing,
    dependenciesOf: (ref) => dependenciesFrom.get(refKey(ref)) ?? [],
    callersOf: (ref) => dependenciesTo.get(refKey(ref)) ?? [],
    policiesSelecting: (pod) =>
      snapshot.networkPolicies.filter(
        // A clusterwide policy (a network plugin's own kind) has no namespace: it selects pods in every namespace.
        (policy) =>
          (!policy.metadata?.namespace || policy.metadata.namespace === pod.metadata?.namespace) &&
          selectsPod(policy, pod),
      ),
    podSpecOf: pods.podSpecOf,
  };
}

const ownsEdge = (from: EntityRef, to: EntityRef): GraphEdge => ({ kind: 'owns', from, to, evidence: [] });

/**
 * Ownership between controllers (ReplicaSet ← Deployment, Job ← CronJob), and so a pod's top controller; a pod's
 * ReplicaSet that was not read is named after its Deployment plus the pod-template-hash.
 */
function controllerOwnership(snapshot: ClusterSnapshot): { edges: GraphEdge[]; workloadOf: (pod: Pod) => EntityRef } {
  const edges: GraphEdge[] = [];
  const replicaSetOwner = new Map<string, EntityRef>();
  for (const rs of snapshot.replicaSets) {
    const owner = rs.metadata?.ownerReferences?.find((o) => o.controller !== false);
    const rsRef = refOf('ReplicaSet', rs.metadata);
    if (owner) {
      const ownerRef = { kind: owner.kind, namespace: rs.metadata?.namespace ?? '', name: owner.name };
      replicaSetOwner.set(refKey(rsRef), ownerRef);
      edges.push(ownsEdge(ownerRef, rsRef));
    }
  }
  const jobOwner = new Map<string, EntityRef>();
  for (const job of snapshot.jobs) {
    const owner = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
    if (owner) {
      const jobRef = refOf('Job', job.metadata);
      const ownerRef = { kind: 'CronJob', namespace: job.metadata?.namespace ?? '', name: owner.name };
      jobOwner.set(refKey(jobRef), ownerRef);
      edges.push(ownsEdge(ownerRef, jobRef));
    }
  }
  const workloadOf = (pod: Pod): EntityRef => {
    const namespace = pod.metadata?.namespace ?? '';
    const owner =
      pod.metadata?.ownerReferences?.find((o) => o.controller !== false) ?? pod.metadata?.ownerReferences?.[0];
    if (!owner) return refOf('Pod', pod.metadata);
    const direct = { kind: owner.kind, namespace, name: owner.name };
    if (owner.kind === 'ReplicaSet') {
      const known = replicaSetOwner.get(refKey(direct));
      if (known) return known;
      // The ReplicaSet was not fetched: its name is the Deployment's plus the pod-template-hash.
      const hash = pod.metadata?.labels?.['pod-template-hash'];
      if (hash && owner.name.endsWith(`-${hash}`)) {
        return { kind: 'Deployment', namespace, name: owner.name.slice(0, -hash.length - 1) };
      }
      return direct;
    }
    if (owner.kind === 'Job') return jobOwner.get(refKey(direct)) ?? direct;
    return direct;
  };
  return { edges, workloadOf };
}

/** Pods by workload, namespace and name, and the workloads they belong to. */
interface PodIndex {
  /** The controllers read, then a bare entry for each controller named by pods but not read, then each bare pod. */
  workloads: Workload[];
  workloadByKey: Map<string, Workload>;
  podsOf(workload: EntityRef): Pod[];
  podsIn(namespace: string): Pod[];
  pod(namespace: string, name: string): Pod | undefined;
  podSpecOf(workload: EntityRef): PodSpec | undefined;
}

function indexPods(snapshot: ClusterSnapshot, workloadOf: (pod: Pod) => EntityRef): PodIndex {
  const workloads = workloadsOf(snapshot);
  const workloadByKey = new Map(workloads.map((w) => [refKey(w.ref), w]));
  const podsByWorkload = new Map<string, Pod[]>();
  const podsByNamespace = new Map<string, Pod[]>();
  const podByName = new Map<string, Pod>();
  for (const pod of snapshot.pods) {
    const owner = workloadOf(pod);
    const key = refKey(owner);
    append(podsByWorkload, key, pod);
    const namespace = pod.metadata?.namespace ?? '';
    append(podsByNamespace, namespace, pod);
    podByName.set(`${namespace}/${pod.metadata?.name}`, pod);
    if (owner.kind !== 'Pod' && !workloadByKey.has(key)) {
      const bare: Workload = { ref: owner };
      workloads.push(bare);
      workloadByKey.set(key, bare);
    }
  }
  for (const pod of snapshot.pods) {
    if (workloadOf(pod).kind !== 'Pod') continue;
    const bare: Workload = { ref: refOf('Pod', pod.metadata), template: { metadata: pod.metadata, spec: pod.spec } };
    workloads.push(bare);
    workloadByKey.set(refKey(bare.ref), bare);
  }
  const podsOf = (ref: EntityRef): Pod[] => podsByWorkload.get(refKey(ref)) ?? [];
  return {
    workloads,
    workloadByKey,
    podsOf,
    podsIn: (namespace) => podsByNamespace.get(namespace) ?? [],
    pod: (namespace, name) => podByName.get(`${namespace}/${name}`),
    // The pod template of a workload, or the spec of its pods when the controller object was not fetched.
    podSpecOf: (ref) => workloadByKey.get(refKey(ref))?.template?.spec ?? podsOf(ref)[0]?.spec,
  };
}

/** Each pod: the Node it runs on, and the workload that owns it. */
function podEdges(pods: Pod[], workloadOf: (pod: Pod) => EntityRef): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const pod of pods) {
    const ref = refOf('Pod', pod.metadata);
    if (pod.spec?.nodeName) {
      edges.push({ kind: 'runs-on', from: ref, to: { kind: 'Node', name: pod.spec.nodeName }, evidence: [] });
    }
    const owner = workloadOf(pod);
    if (owner.kind !== 'Pod') edges.push(ownsEdge(owner, ref));
  }
  return edges;
}

/** The pods an Endpoints object names, ready or not, that were read. */
function podsListedBy(endpoints: ReturnType<typeof endpointsOf>, index: PodIndex, namespace: string): Pod[] {
  const names = (endpoints?.subsets ?? []).flatMap((subset) =>
    [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])].map((a) =>
      a.targetRef?.kind === 'Pod' ? a.targetRef.name : undefined,
    ),
  );
  return [...new Set(names)]
    .map((name) => (name ? index.pod(namespace, name) : undefined))
    .filter((pod): pod is Pod => pod !== undefined);
}

/** Services by name and ClusterIP, the pods they select and the workloads behind them. */
interface ServiceIndex {
  /** Service → Pod. */
  edges: GraphEdge[];
  service(namespace: string, name: string): Service | undefined;
  serviceByHost(host: string, fromNamespace: string): Service | undefined;
  podsSelectedBy(service: Service): Pod[];
  servicesOf(workload: EntityRef): Service[];
  workloadsBehind(service: Service): EntityRef[];
}

function indexServices(snapshot: ClusterSnapshot, index: PodIndex, workloadOf: (pod: Pod) => EntityRef): ServiceIndex {
  const { services, pods } = snapshot;
  const { workloads, workloadByKey } = index;
  const serviceByName = new Map<string, Service>();
  const serviceByIP = new Map<string, Service>();
  for (const service of services) {
    const namespace = service.metadata?.namespace ?? '';
    serviceByName.set(`${namespace}/${service.metadata?.name}`, service);
    for (const ip of [service.spec?.clusterIP, ...(service.spec?.clusterIPs ?? [])]) {
      if (ip && ip !== 'None') serviceByIP.set(ip, service);
    }
  }
  const podLabels = new LabelIndex(
    pods,
    (pod) => pod.metadata?.namespace ?? '',
    (pod) => pod.metadata?.labels,
  );
  const templateLabels = new LabelIndex(
    workloads,
    (workload) => workload.ref.namespace ?? '',
    (workload) => workload.template?.metadata?.labels,
  );
  const selectedPods = new Map<Service, Pod[]>();
  const podsSelectedBy = (service: Service): Pod[] => {
    let selected = selectedPods.get(service);
    if (!selected) {
      const namespace = service.metadata?.namespace ?? '';
      selected = podLabels.matching(namespace, service.spec?.selector);
      // The Endpoints are the control plane's own record of the pods the selector matched: when the labels read
      // match none, the pods they list (ready or not) are still where the Service sends its traffic.
      if (selected.length === 0) selected = podsListedBy(endpointsOf(snapshot.endpoints, service), index, namespace);
      selectedPods.set(service, selected);
    }
    return selected;
  };
  const edges: GraphEdge[] = [];
  const servicesOfWorkload = new Map<string, Service[]>();
  const behindService = new Map<Service, Workload[]>();
  for (const service of services) {
    const seen = new Set<string>();
    for (const pod of podsSelectedBy(service)) {
      edges.push({
        kind: 'selects',
        from: refOf('Service', service.metadata),
        to: refOf('Pod', pod.metadata),
        evidence: [],
      });
      seen.add(refKey(workloadOf(pod)));
    }
    // A template whose labels the selector matches counts too: scaled-to-zero workloads still sit behind their Service.
    for (const workload of templateLabels.matching(service.metadata?.namespace ?? '', service.spec?.selector)) {
      seen.add(refKey(workload.ref));
    }
    for (const key of seen) append(servicesOfWorkload, key, service);
    behindService.set(
      service,
      [...seen].map((key) => workloadByKey.get(key)).filter((w): w is Workload => w !== undefined),
    );
  }
  const service = (namespace: string, name: string) => serviceByName.get(`${namespace}/${name}`);
  // An ExternalName Service is a DNS alias (a CNAME): whoever calls it calls the host it names, and when that host is
  // another Service of the cluster, that Service is the dependency. An alias of no Service found stays itself (its
  // own detector judges the host it names).
  const aliasTarget = (found: Service | undefined): Service | undefined => {
    let current = found;
    for (let hop = 0; hop < 3 && current?.spec?.type === 'ExternalName'; hop++) {
      const alias = current.spec.externalName?.toLowerCase().replace(/\.$/, '');
      const target = alias ? serviceNameOf(alias, current.metadata?.namespace ?? '') : undefined;
      const next = target ? service(target.namespace, target.name) : undefined;
      if (!next || next === current) break;
      current = next;
    }
    return current;
  };
  return {
    edges,
    service,
    serviceByHost: (host, fromNamespace) => {
      if (isIPv4(host)) return serviceByIP.get(host);
      const target = serviceNameOf(host, fromNamespace);
      return aliasTarget(target ? service(target.namespace, target.name) : undefined);
    },
    podsSelectedBy,
    servicesOf: (ref) => servicesOfWorkload.get(refKey(ref)) ?? [],
    workloadsBehind: (svc) => {
      const namespace = svc.metadata?.namespace ?? '';
      const order = (w: Workload) => workloads.indexOf(w);
      const behind = [...(behindService.get(svc) ?? [])].sort((a, b) => order(a) - order(b));
      if (behind.length > 0) return behind.map((w) => w.ref);
      // Selector matches nothing: the workload it was meant for shares its name or most of its selector.
      const named = workloads.filter((w) => w.ref.namespace === namespace && w.ref.name === svc.metadata?.name);
      if (named.length > 0) return named.map((w) => w.ref);
      return workloads
        .filter((w) => w.ref.namespace === namespace && w.ref.kind !== 'Pod' && sharesSelectorKeys(w, svc))
        .map((w) => w.ref);
    },
  };
}

/** What each workload reads (ConfigMaps, Secrets, claims, its ServiceAccount), from its template and its pods. */
interface ReferenceIndex {
  /** Workload → what it reads. */
  edges: GraphEdge[];
  referencesOf(workload: EntityRef): Reference[];
  workloadsReferencing(target: EntityRef): EntityRef[];
}

function indexReferences(pods: PodIndex): ReferenceIndex {
  const edges: GraphEdge[] = [];
  const references = new Map<string, Reference[]>();
  const referencing = new Map<string, EntityRef[]>();
  for (const workload of pods.workloads) {
    const namespace = workload.ref.namespace ?? '';
    const refs = referencesIn(pods.podSpecOf(workload.ref), namespace);
    for (const pod of pods.podsOf(workload.ref)) {
      for (const r of referencesIn(pod.spec, namespace)) {
        if (!refs.some((known) => refKey(known.target) === refKey(r.target) && known.key === r.key)) refs.push(r);
      }
    }
    references.set(refKey(workload.ref), refs);
    for (const r of refs) {
      const key = refKey(r.target);
      const list = referencing.get(key) ?? [];
      if (!list.some((w) => refKey(w) === refKey(workload.ref))) list.push(workload.ref);
      referencing.set(key, list);
      edges.push({
        kind: 'uses',
        from: workload.ref,
        to: r.target,
        evidence: [{ source: 'spec', ref: workload.ref, text: describeReference(r) }],
      });
    }
  }
  return {
    edges,
    referencesOf: (ref) => references.get(refKey(ref)) ?? [],
    workloadsReferencing: (target) => referencing.get(refKey(target)) ?? [],
  };
}

/** At most this many pieces of evidence are kept per dependency: enough to show, not a log dump. */
const DEPENDENCY_EVIDENCE_MAX = 5;

/**
 * Workload → Service it calls, one edge per pair with up to five pieces of evidence, in this order: the
 * configuration (env values, Secrets' hosts, arguments, ConfigMaps), the logs (a peer named by name or ClusterIP),
 * the request metrics. A workload's own Services are not dependencies.
 */
function dependencyEdges(
  snapshot: ClusterSnapshot,
  pods: PodIndex,
  services: ServiceIndex,
  references: ReferenceIndex,
  workloadOf: (pod: Pod) => EntityRef,
): GraphEdge[] {
  const found = new Map<string, GraphEdge>();
  const add = (from: EntityRef, svc: Service, evidence: Evidence) => {
    if (services.servicesOf(from).includes(svc)) return;
    const to = refOf('Service', svc.metadata);
    const key = `${refKey(from)}->${refKey(to)}`;
    const edge = found.get(key) ?? { kind: 'depends-on' as const, from, to, evidence: [] };
    if (edge.evidence.length < DEPENDENCY_EVIDENCE_MAX) edge.evidence.push(evidence);
    found.set(key, edge);
  };
  const namedIn = (text: string, namespace: string, bareNames: boolean) =>
    servicesNamedIn(text, namespace, bareNames, services);
  dependenciesInConfiguration(snapshot, pods, references, namedIn, add);
  dependenciesInLogs(snapshot, pods, workloadOf, namedIn, add);
  dependenciesThroughLoggedObjects(snapshot, pods, workloadOf, namedIn, add);
  dependenciesInMetrics(snapshot, pods, services, add);
  return [...found.values()];
}

type ServicesNamedIn = (text: string, namespace: string, bareNames: boolean) => Service[];
type AddDependency = (from: EntityRef, service: Service, evidence: Evidence) => void;

/** Env values, the in-cluster hosts of Secrets' values, command-line arguments and the ConfigMaps a workload reads. */
function dependenciesInConfiguration(
  snapshot: ClusterSnapshot,
  pods: PodIndex,
  references: ReferenceIndex,
  namedIn: ServicesNamedIn,
  add: AddDependency,
): void {
  const configMaps = new Map(snapshot.configMaps.map((c) => [refKey(refOf('ConfigMap', c.metadata)), c]));
  const secretsByName = new Map(snapshot.secrets.map((c) => [`${c.metadata?.namespace}/${c.metadata?.name}`, c]));
  for (const workload of pods.workloads) {
    const namespace = workload.ref.namespace ?? '';
    for (const { container } of allContainers(pods.podSpecOf(workload.ref))) {
      for (const env of container.env ?? []) {
        // A value from a Secret: the in-cluster hosts it names (a connection URL's host), never the value itself.
        const fromSecret = env.valueFrom?.secretKeyRef;
        const secret = fromSecret && secretsByName.get(`${namespace}/${fromSecret.name}`);
        const hosts = (fromSecret?.key && secret?.hosts?.[fromSecret.key]) || [];
        for (const host of hosts) {
          for (const svc of namedIn(host, namespace, true)) {
            add(workload.ref, svc, {
              source: 'spec',
              ref: refOf('Secret', secret?.metadata),
              text: `env ${env.name} from Secret ${fromSecret?.name} names ${host}`,
            });
          }
        }
        if (!env.value) continue;
        for (const svc of namedIn(env.value, namespace, true)) {
          add(workload.ref, svc, { source: 'spec', ref: workload.ref, text: `env ${env.name}=${env.value}` });
        }
      }
      // Command-line flags name peers too (`--db=mongodb://parcels-db:27017`); bare words there must be distinctive.
      for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
        for (const svc of namedIn(arg, namespace, false)) {
          add(workload.ref, svc, { source: 'spec', ref: workload.ref, text: `argument ${arg}` });
        }
      }
    }
    for (const r of references.referencesOf(workload.ref)) {
      const configMap = configMaps.get(refKey(r.target));
      if (!configMap) continue;
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        if (r.key && r.key !== key) continue;
        for (const svc of namedIn(value, namespace, true)) {
          add(workload.ref, svc, { source: 'spec', ref: r.target, text: `${key} names ${svc.metadata?.name}` });
        }
      }
    }
  }
}

/** A log line naming a Service (by host, ClusterIP or distinctive name): its pod's workload calls it. */
function dependenciesInLogs(
  snapshot: ClusterSnapshot,
  pods: PodIndex,
  workloadOf: (pod: Pod) => EntityRef,
  namedIn: ServicesNamedIn,
  add: AddDependency,
): void {
  for (const log of snapshot.logs) {
    const pod = pods.pod(log.namespace, log.pod);
    const from = pod ? workloadOf(pod) : { kind: 'Pod', namespace: log.namespace, name: log.pod };
    for (const raw of log.lines) {
      const line = parseLogLine(raw);
      for (const svc of namedIn(line.text, log.namespace, false)) {
        const evidence: Evidence = {
          source: 'log',
          ref: refOf('Pod', { name: log.pod, namespace: log.namespace }),
          text: line.text,
        };
        if (line.at) evidence.at = line.at;
        add(from, svc, evidence);
      }
    }
  }
}

/**
 * An error line names, in a field called after its kind, a custom object its software is configured through
 * (logged-objects.ts), and that object's spec names a Service (`redisHost: cache.data.svc:6379`): the logging pod's
 * workload calls that Service, as if its own env named it.
 */
function dependenciesThroughLoggedObjects(
  snapshot: ClusterSnapshot,
  pods: PodIndex,
  workloadOf: (pod: Pod) => EntityRef,
  namedIn: ServicesNamedIn,
  add: AddDependency,
): void {
  for (const { object, namespace, pod: name, container, line } of objectsNamedByErrors(snapshot)) {
    const pod = pods.pod(namespace, name);
    const from = pod ? workloadOf(pod) : { kind: 'Pod', namespace, name };
    const callers = [from, ...sameContainerElsewhere(pods, pod, container)];
    const said = parseLogLine(line).text;
    for (const value of specStrings(object.spec)) {
      const text = `${object.kind} ${object.metadata?.name}, which its errors name, is configured with ${value}: ${said}`;
      for (const svc of namedIn(value, namespace, false)) {
        for (const caller of callers) {
          add(caller, svc, {
            source: 'log',
            ref: refOf('Pod', { name, namespace }),
            text: text.slice(0, EVIDENCE_TEXT_LIMIT),
          });
        }
      }
    }
  }
}

/**
 * Other workloads of the namespace that run the same container (its name and image; in their template or, injected at
 * admission, in their pods) as the pod that logged: the same software, configured through the same objects of the
 * namespace (a sidecar beside each application).
 */
function sameContainerElsewhere(pods: PodIndex, pod: Pod | undefined, container: string): EntityRef[] {
  const image = pod?.spec?.containers?.find((c) => c.name === container)?.image;
  const namespace = pod?.metadata?.namespace;
  if (!image || !namespace) return [];
  return pods.workloads
    .filter(
      (w) =>
        w.ref.namespace === namespace &&
        w.ref.kind !== 'Pod' &&
        [pods.podSpecOf(w.ref), ...pods.podsOf(w.ref).map((p) => p.spec)].some((spec) =>
          (spec?.containers ?? []).some((c) => c.name === container && c.image === image),
        ),
    )
    .map((w) => w.ref);
}

/** Request counters labelled with caller and callee (a mesh's, a client library's). */
function dependenciesInMetrics(
  snapshot: ClusterSnapshot,
  pods: PodIndex,
  services: ServiceIndex,
  add: AddDependency,
): void {
  for (const sample of snapshot.metrics) {
    const l = sample.labels;
    const source = l.source_workload ?? l.source_app ?? l.client;
    const destination = l.destination_service_name ?? l.destination_app ?? l.destination_workload ?? l.server;
    const namespace = l.source_workload_namespace ?? l.namespace ?? '';
    if (!source || !destination) continue;
    const status = l.response_code ?? l.code ?? l.status;
    const caller = pods.workloads.find((w) => w.ref.namespace === namespace && w.ref.name === source);
    const svc = services.serviceByHost(destination, l.destination_service_namespace ?? namespace);
    if (caller && svc) {
      add(caller.ref, svc, {
        source: 'metric',
        ref: caller.ref,
        text: `request metrics: ${source} → ${destination}${status ? ` answered ${status}` : ''}`,
      });
    }
  }
}

function servicesNamedIn(text: string, namespace: string, bareNames: boolean, services: ServiceIndex): Service[] {
  const found = new Set<Service>();
  for (const mention of hostMentions(text)) {
    const svc = services.serviceByHost(mention.host, namespace);
    if (svc) found.add(svc);
  }
  for (const token of tokens(text)) {
    const host = token.toLowerCase();
    // Bare words only count in configuration or when distinctive: a log saying "api" is not a call to a Service "api".
    if (!bareNames && !host.includes('.') && !isDistinctive(host)) continue;
    const svc = services.serviceByHost(host, namespace);
    if (svc) found.add(svc);
  }
  return [...found];
}

/** HPA → the workload it scales. */
function scalingEdges(snapshot: ClusterSnapshot): GraphEdge[] {
  return snapshot.horizontalPodAutoscalers.flatMap((hpa): GraphEdge[] => {
    const target = hpa.spec?.scaleTargetRef;
    if (!target) return [];
    return [
      {
        kind: 'scales',
        from: refOf('HorizontalPodAutoscaler', hpa.metadata),
        to: { kind: target.kind, namespace: hpa.metadata?.namespace ?? '', name: target.name },
        evidence: [],
      },
    ];
  });
}

/** ResourceQuota / LimitRange → its Namespace. */
function constraintEdges(snapshot: ClusterSnapshot): GraphEdge[] {
  return [
    ...snapshot.resourceQuotas.map((q) => refOf('ResourceQuota', q.metadata)),
    ...snapshot.limitRanges.map((l) => refOf('LimitRange', l.metadata)),
  ].map((quota) => ({
    kind: 'constrains',
    from: quota,
    to: { kind: 'Namespace', name: quota.namespace ?? '' },
    evidence: [],
  }));
}

const selectsPod = (policy: NetworkPolicy, pod: Pod): boolean =>
  matchesSelector(pod.metadata?.labels, policy.spec?.podSelector ?? {});

/** NetworkPolicy → each pod of its namespace its podSelector selects. */
function policyEdges(policies: NetworkPolicy[], pods: PodIndex): GraphEdge[] {
  return policies.flatMap((policy) =>
    pods
      .podsIn(policy.metadata?.namespace ?? '')
      .filter((pod) => selectsPod(policy, pod))
      .map(
        (pod): GraphEdge => ({
          kind: 'selects',
          from: refOf('NetworkPolicy', policy.metadata),
          to: refOf('Pod', pod.metadata),
          evidence: [],
        }),
      ),
  );
}

/** What owns what, by the owned object: asked for once per finding, among tens of thousands of edges. */
function ownerLookup(edges: GraphEdge[]): (ref: EntityRef) => EntityRef | undefined {
  let owners: Map<string, EntityRef> | undefined;
  return (ref) => {
    if (!owners) {
      owners = new Map();
      for (const edge of edges)
        if (edge.kind === 'owns' && !owners.has(refKey(edge.to))) owners.set(refKey(edge.to), edge.from);
    }
    return owners.get(refKey(ref));
  };
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// One-word names ("api", "db") collide with ordinary words in log text; hyphenated or long names rarely do.
const isDistinctive = (name: string): boolean => name.includes('-') || name.length >= 5;

function sharesSelectorKeys(workload: Workload, service: Service): boolean {
  const selector = service.spec?.selector ?? {};
  const labels = workload.template?.metadata?.labels ?? {};
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  const sameKeys = keys.filter((k) => k in labels);
  const sameValues = keys.filter((k) => labels[k] === selector[k]);
  return (
    sameKeys.length === keys.length &&
    sameValues.length >= keys.length - 1 &&
    keys.some((k) => similar(labels[k], selector[k]))
  );
}

/** Values that differ by a typo, a suffix or a separator ("api" vs "api-v2", "rates-service" vs "ratesservice"). */
export function similar(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]/g, '');
  const x = norm(a);
  const y = norm(b);
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true;
  return editDistance(x, y) <= Math.max(1, Math.floor(Math.min(x.length, y.length) / 5));
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

function referencesIn(spec: PodSpec | undefined, namespace: string): Reference[] {
  if (!spec) return [];
  const refs: Reference[] = [];
  const target = (kind: string, name: string): EntityRef => ({ kind, namespace, name });
  for (const { container } of allContainers(spec)) {
    for (const env of container.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      const secret = env.valueFrom?.secretKeyRef;
      if (cm?.name)
        refs.push({
          target: target('ConfigMap', cm.name),
          via: 'env',
          container: container.name,
          key: cm.key,
          optional: cm.optional === true,
        });
      if (secret?.name)
        refs.push({
          target: target('Secret', secret.name),
          via: 'env',
          container: container.name,
          key: secret.key,
          optional: secret.optional === true,
        });
    }
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef?.name)
        refs.push({
          target: target('ConfigMap', from.configMapRef.name),
          via: 'envFrom',
          container: container.name,
          optional: from.configMapRef.optional === true,
        });
      if (from.secretRef?.name)
        refs.push({
          target: target('Secret', from.secretRef.name),
          via: 'envFrom',
          container: container.name,
          optional: from.secretRef.optional === true,
        });
    }
  }
  const mountOf = (volume: string) => {
    for (const { container } of allContainers(spec)) {
      const mount = container.volumeMounts?.find((m) => m.name === volume);
      if (mount) return { container: container.name, mountPath: mount.mountPath };
    }
    return {};
  };
  for (const volume of spec.volumes ?? []) {
    const mount = mountOf(volume.name);
    if (volume.configMap?.name)
      refs.push({
        target: target('ConfigMap', volume.configMap.name),
        via: 'volume',
        ...mount,
        optional: volume.configMap.optional === true,
      });
    if (volume.secret?.secretName)
      refs.push({
        target: target('Secret', volume.secret.secretName),
        via: 'volume',
        ...mount,
        optional: volume.secret.optional === true,
      });
    if (volume.persistentVolumeClaim?.claimName)
      refs.push({
        target: target('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName),
        via: 'volume',
        ...mount,
        optional: false,
      });
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name)
        refs.push({
          target: target('ConfigMap', source.configMap.name),
          via: 'volume',
          ...mount,
          optional: source.configMap.optional === true,
        });
      if (source.secret?.name)
        refs.push({
          target: target('Secret', source.secret.name),
          via: 'volume',
          ...mount,
          optional: source.secret.optional === true,
        });
    }
  }
  if (spec.serviceAccountName)
    refs.push({ target: target('ServiceAccount', spec.serviceAccountName), via: 'serviceAccount', optional: false });
  return refs;
}

function describeReference(r: Reference): string {
  const where =
    r.via === 'volume' ? `volume mounted at ${r.mountPath ?? '?'}` : r.via === 'api' ? 'the Kubernetes API' : r.via;
  return `${r.container ? `container ${r.container} ` : ''}reads ${r.target.kind} ${r.target.name}${r.key ? ` key ${r.key}` : ''} via ${where}`;
}

import type { V1ObjectMeta } from '@kubernetes/client-node';
import { anyOf, CONNECT_TIMEOUT, failsToReach, REFUSED, RESET, UNREACHABLE } from '../evidence/connection-failures.ts';
import { AUTH_FAILURE } from '../evidence/auth-refusal.ts';
import { rolledOwnChange } from '../evidence/own-rollout.ts';
import { changeReaches } from '../evidence/picked-up.ts';
import { literal } from '../evidence/config-mentions.ts';
import { fieldsChangedAt } from '../evidence/changed-fields.ts';
import { configObject } from '../evidence/config-change.ts';
import { CLUSTER_DNS_NAMESPACE, isClusterDnsService } from '../evidence/cluster-dns.ts';
import { holdsServerBlocks } from '../evidence/corefile.ts';
import { holdsSwitches } from '../detectors/feature-flag.ts';
import { admitsEveryCall } from '../detectors/network-policy.ts';
import { runsOtherCode } from '../evidence/code-change.ts';
import { envChanges, quotesEnvChange, reportsOnly } from '../evidence/env-changes.ts';
import { unseenTemplateWrite } from '../evidence/unseen-template-change.ts';
import { edgeLinesAbout } from '../evidence/edge-lines.ts';
import { controllerNamesParameters, ingressParameters } from '../evidence/class-parameters.ts';
import { competingIngresses, deliveriesTo, feedersOf, hubsOf } from '../evidence/acting-from-beyond.ts';
import {
  addressesIn,
  addressPools,
  firstOf,
  inRanges,
  rangesIn,
  unallocated,
  warningsAbout,
} from '../evidence/address-pools.ts';
import { eventEvidence, eventTime, foldRepeats } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { calleesOf, refOf } from '../evidence/graph.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import { isRouteKind, routesToService } from '../evidence/route-kinds.ts';
import { failedRequestPaths, routesTaken } from '../evidence/route-paths.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { leftClusterDns } from '../evidence/pod-resolver.ts';
import { hasRestarted, isPodReady } from '../evidence/pod-state.ts';
import { answersClientError, looksLikeError, RESOLVE_ERROR } from '../evidence/log-line.ts';
import { logEvidence, logLinesOf, type PodLogLine } from '../evidence/logs.ts';
import { type ReplicaSet, revisionOf, revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import type { ClusterSnapshot, Plain } from '../evidence/snapshot.ts';
import type { Container, Pod } from '../evidence/workloads.ts';
import { lastChange, MINUTE, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, FaultType, Finding, RemediationProposal } from '../model.ts';
import { refKey } from '../model.ts';
import type { Reached } from './reach.ts';
import { LEAD_STRENGTH } from './weights.ts';
import { AFTER_ONSET_SLACK, CHANGE_WINDOW } from '../evidence/onset.ts';

export const SUSPECT_WALK = 'suspect-walk';

// A change up to CHANGE_WINDOW before the symptom began is still a suspect; later than AFTER_ONSET_SLACK after it, not a
// cause.
/** A ConfigMap and a revision written this close together were applied as one release. */
const SAME_RELEASE = 5 * MINUTE;

type Metadata = Plain<V1ObjectMeta>;

// A route's own settings: its timeout (Envoy's UT, `upstream request timeout`), its upstream gone (UF, URX, UH, NR),
// no route (404).
const ROUTE_FAILURE =
  /\b50[234]\b|\b404\b|upstream request timeout|response_timeout|\bU[TFH]\b|\bURX\b|\bNR\b|no (healthy )?upstream/i;

/**
 * Which phase of a call failed. A response-phase timeout means the backend was reached and answered too slowly for the
 * route (nginx's `while reading response header`, Envoy's UT): dropped packets (a NetworkPolicy) fail the connection
 * instead, and a route's settings do not make a connection fail.
 */
const RESPONSE_TIMEOUT =
  /upstream request timeout|response_timeout|\bUT\b|while reading (the )?response|read timed? ?out|upstream_response_timeout/i;
const CONNECT_PHASE = anyOf(CONNECT_TIMEOUT, UNREACHABLE, 'while connecting|dial tcp');
/** Error text a kind of object cannot explain, however well its words match. */
const NOT_EXPLAINED: Record<string, RegExp> = {
  NetworkPolicy: RESPONSE_TIMEOUT,
  VirtualService: CONNECT_PHASE,
  HTTPRoute: CONNECT_PHASE,
};

// What each kind of object, changed, would make its victims print.
const EXPLAINS: Record<string, RegExp> = {
  NetworkPolicy: anyOf(
    REFUSED,
    RESET,
    CONNECT_TIMEOUT,
    UNREACHABLE,
    'timed? ?out|deadline exceeded|eai_again|unreachable',
  ),
  // A route's own settings: its timeout (Envoy's UT, `upstream request timeout`), its upstream gone (UF, URX, UH, NR).
  VirtualService: ROUTE_FAILURE,
  HTTPRoute: ROUTE_FAILURE,
  ResourceQuota: /quota|forbidden|exceeded|failedcreate/i,
  LimitRange: /forbidden|limitrange|maximum|minimum/i,
  // Its value presented and refused (evidence/auth-refusal.ts), or a certificate it holds: not a word that merely
  // mentions authorisation (a card `auth`, a `token` count) — a timeout or a slow answer is no credential's doing.
  Secret: anyOf(AUTH_FAILURE.source, 'x509|certificate'),
  Service: /\b50[23]\b|no (healthy )?upstream|no endpoints|connection refused|not found|\b404\b/i,
  Ingress: /\b50[23]\b|no (healthy )?upstream|no endpoints|\b404\b/i,
  HorizontalPodAutoscaler: /latency|slow|timed? ?out|throttl|overload/i,
  PodDisruptionBudget: /evict|disruption budget|drain/i,
};

/** Deployment conditions whose False says the controller cannot keep the workload running as specified. */
const FALSE_MEANS_FAILING = new Set(['Progressing', 'Available']);

const FAULT_OF_KIND: Record<string, FaultType> = {
  NetworkPolicy: 'network-policy',
  ResourceQuota: 'quota-exceeded',
  Secret: 'bad-secret-value',
  HorizontalPodAutoscaler: 'hpa-limit',
};

// A Service change is named by the field it wrote: its ports (where traffic goes in the pods) or its selector (which pods).
const SERVICE_FIELD_FAULTS: [string, FaultType][] = [
  ['spec.ports', 'service-port'],
  ['spec.selector', 'service-selector'],
];

/**
 * The fault type a change of this kind of object, writing these fields (managedFields), stands for. A ConfigMap's is
 * what it configures: the cluster DNS server's zones and forwarders (dns), or switches its readers act on at once
 * (feature-flag).
 */
export function faultOfChange(kind: string, fields: string[], object?: { metadata?: Metadata }): FaultType {
  if (kind === 'Service') {
    const named = SERVICE_FIELD_FAULTS.filter(([field]) => fields.includes(field));
    if (named.length === 1 && named[0]) return named[0][1];
  }
  if (kind === 'ConfigMap' && object) {
    const configMap = object as ClusterSnapshot['configMaps'][number];
    if (configMap.metadata?.namespace === CLUSTER_DNS_NAMESPACE && holdsServerBlocks(configMap.data)) return 'dns';
    if (holdsSwitches(configMap) || switchedOn(configMap.data, fields)) return 'feature-flag';
  }
  return FAULT_OF_KIND[kind] ?? 'other';
}

export interface Walk {
  /** Weak findings (strength 0.3–0.5), best supported first. */
  suspects: Finding[];
  /** What was examined, in words, for a thread that ends without a root cause. */
  checked: string[];
}

/**
 * When no detector explains the symptom: walk from it along its dependencies and collect what is abnormal there —
 * objects on the path, or acting on its pods, changed shortly before the symptom began (a rollout, a ConfigMap or
 * Secret the pods read, a NetworkPolicy selecting them, the namespace's quotas, an autoscaler, a Service or Ingress),
 * controller conditions that are False, Warning events, and the deepest workload with errors of its own that its own
 * dependencies do not explain. Each is a weak finding whose strength says how well it explains the error text the
 * victims print, and whose summary says what would confirm it.
 */
export function walkSuspects(
  reach: Map<string, Reached>,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  start: number,
  symptomText = '',
): Walk {
  const walk = new SuspectWalk(reach, snapshot, graph, start, symptomText);
  for (const { ref: workload, path } of walk.workloads) {
    walk.checked.add(`${workload.kind} ${workload.name}`);
    walk.rollout(workload);
    walk.configurationChanges(workload);
    walk.changesActingOnPods(workload);
    // Routing objects carry traffic from outside to where users enter; a callee deeper on the path is called
    // through its Service, not through them.
    if (isEntry(path)) {
      walk.changesInFront(workload);
      walk.actingFromBeyond(workload);
    }
    walk.addressPools(workload);
    walk.autoscalerChanges(workload);
    walk.quotaChanges(workload);
    walk.failingConditions(workload);
    walk.warningEvents(workload);
  }
  walk.deepestWithOwnErrors();
  return {
    suspects: [...walk.suspects.values()].sort((a, b) => b.strength - a.strength),
    checked: [...walk.checked],
  };
}

/** The walk's state: the workloads on the path, the error text their pods print, the suspects found so far. */
class SuspectWalk {
  readonly workloads: Reached[];
  /** The best-supported finding per entity. */
  readonly suspects = new Map<string, Finding>();
  /** What was examined, in words. */
  readonly checked = new Set<string>();
  /** What the victims print: each line with where it was read (the alert's own words have no pod). */
  private readonly victimWords: { text: string; line?: PodLogLine }[];
  private readonly warnings: ClusterSnapshot['events'];

  constructor(
    reach: Map<string, Reached>,
    private readonly snapshot: ClusterSnapshot,
    private readonly graph: EvidenceGraph,
    private readonly start: number,
    symptomText: string,
  ) {
    this.workloads = [...reach.values()].filter((r) => r.ref.kind !== 'Service' && graph.workload(r.ref));
    // The victims' words: the path's own errors, what the edge in front logs about the path, and the alert itself.
    const pods = this.workloads.flatMap((r) => graph.podsOf(r.ref));
    const onPath = new Set(pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
    const edge = edgeLinesAbout(
      snapshot,
      this.workloads.flatMap((r) => graph.servicesOf(r.ref)),
      pods,
      (namespace, pod) => onPath.has(`${namespace}/${pod}`),
    );
    this.victimWords = [...this.workloads.flatMap((r) => errorLines(r.ref, snapshot, graph)), ...edge].map((line) => ({
      text: line.text,
      line,
    }));
    if (symptomText) this.victimWords.push({ text: symptomText });
    this.warnings = foldRepeats(snapshot.events.filter((e) => e.type === 'Warning'));
  }

  private add(finding: Finding): void {
    const key = refKey(finding.entity);
    const held = this.suspects.get(key);
    if (!held || held.strength < finding.strength) this.suspects.set(key, finding);
  }

  /**
   * A lead about the workload itself, of no fault type the catalogue names — unless its pods run to completion and
   * failed: a batch run (a Spark application, a workflow, any controller's run-once pods) that fails is a job-failure,
   * whichever controller made the pods.
   */
  private addAbout(workload: EntityRef, strength: number, summary: string, evidence: Evidence[]): void {
    this.add({
      detector: SUSPECT_WALK,
      faultType: failedRun(this.graph.podsOf(workload)) ? 'job-failure' : 'other',
      entity: workload,
      affects: [workload],
      strength,
      summary,
      evidence,
    });
  }

  private inWindow(at: string | undefined): boolean {
    const ms = toMs(at);
    return ms !== undefined && ms >= this.start - CHANGE_WINDOW && ms <= this.start + AFTER_ONSET_SLACK;
  }

  /**
   * Whether a state last seen at this time (an event's last repeat, a condition's transition) holds during the
   * incident: from the change window before the symptom to the snapshot. Unlike a change, a state seen after the onset
   * is no less current — a probe that still fails is the symptom's own evidence, not a later cause.
   */
  private current(at: string | undefined): boolean {
    const ms = toMs(at);
    return ms !== undefined && ms >= this.start - CHANGE_WINDOW;
  }

  /** Whether the errors read are what a change of this kind of object (or of these keys) would make its victims print. */
  private explains(kind: string, extra?: RegExp): { text: string; line?: PodLogLine } | undefined {
    // A router's own route kind is judged as a route.
    const as = isRouteKind(kind) && !EXPLAINS[kind] ? 'HTTPRoute' : kind;
    return this.victimWords.find(
      ({ text }) => (EXPLAINS[as]?.test(text) && !NOT_EXPLAINED[as]?.test(text)) || extra?.test(text),
    );
  }

  /** Pods read env and files at start: pods started after a change (a restart, a rollout) run with it. */
  private restartedSince(workload: EntityRef, since: number): string | undefined {
    return this.graph
      .podsOf(workload)
      .flatMap((pod) => (pod.status?.containerStatuses ?? []).map((c) => c.state?.running?.startedAt))
      .find((startedAt) => {
        const ms = toMs(startedAt);
        return ms !== undefined && ms > since && ms <= this.start + AFTER_ONSET_SLACK;
      });
  }

  /** A rollout of the workload itself shortly before: what its new template changed. */
  rollout(workload: EntityRef): void {
    const { snapshot, graph } = this;
    const [current, previous] = revisions(snapshot, workload);
    const rolledAt = current?.metadata?.creationTimestamp;
    if (!current || !previous || !this.inWindow(rolledAt)) return;
    const seen = templateChanges(previous, current);
    // A template the revisions kept no longer tell apart is still a change when someone wrote it into a new revision.
    const unseen =
      seen.length === 0 ? unseenTemplateWrite(graph.workload(workload)?.metadata, previous, current) : undefined;
    const diff = unseen
      ? [`its template as written by ${unseen.manager} at ${unseen.at}, which the revision before no longer shows`]
      : seen;
    if (diff.length === 0) return;
    const since = toMs(rolledAt) ?? 0;
    // Errors of its own since: not when a callee fails on its own too — then they relay that failure.
    const relaying = calleesErr(workload, snapshot, graph);
    const own = relaying ? [] : errorLines(workload, snapshot, graph).filter((l) => (toMs(l.at) ?? 0) >= since);
    // Its callees answering client errors since the rollout: it sends requests they cannot serve, even if it is silent.
    const refused = own.length > 0 ? [] : refusedRequests(workload, since, snapshot, graph);
    // A revision that stopped asking the cluster DNS breaks every Service name its pods look up: name resolution is
    // the fault it brought, whatever else it changed.
    const resolver = leftClusterDns(
      previous.spec?.template?.spec,
      current.spec?.template?.spec,
      clusterDnsIps(snapshot),
    );
    this.add({
      detector: SUSPECT_WALK,
      faultType: resolver ? 'dns' : this.envBroke(workload, previous, current, diff) ? 'bad-env' : 'bad-rollout',
      entity: workload,
      affects: [workload],
      // Errors of its own since the rollout, or requests its callees refuse since, are what fit it. A revision whose
      // pods all run ready and never restarted, with nothing of its own in the errors, shows its health where a
      // change without a status of its own (a policy, a Secret) cannot: of two such changes it is the bystander.
      strength:
        own.length + refused.length > 0
          ? LEAD_STRENGTH.fittingChange
          : relaying
            ? LEAD_STRENGTH.relayingChange
            : this.runsHealthy(workload, current)
              ? LEAD_STRENGTH.healthyRollout
              : LEAD_STRENGTH.change,
      summary: `${workload.kind} ${workload.name} rolled out revision ${revisionOf(current)} at ${rolledAt} (${diff.join('; ')}), shortly before the symptom began: the likeliest suspect found. To confirm: compare revision ${revisionOf(current)} with ${revisionOf(previous)} (kubectl rollout history --revision) or roll back`,
      evidence: [
        {
          source: 'change',
          ref: refOf('ReplicaSet', current.metadata),
          text: `revision ${revisionOf(current)}: ${diff.join('; ')}${resolver ? ` — its pods no longer ask the cluster DNS (${resolver}), which alone answers Service names` : ''}`,
          at: rolledAt as string,
        },
        ...[...own, ...refused].slice(0, 2).map(logEvidence),
      ],
      changedAt: rolledAt as string,
      ...withRemediation(rollbackProposal(snapshot, workload, `the revision before ${rolledAt}`)),
    });
  }

  /**
   * Whether a revision that changed env broke the workload through it: it ran the same code as before (the env is all
   * that changed), it changed a setting of what the workload does, or its errors quote what it changed. A revision
   * that brought new code beside env lines that only set what the process reports (a tracing attribute, a log level),
   * unquoted by its errors, or only variables the old code never had, broke it through the code.
   */
  private envBroke(workload: EntityRef, previous: ReplicaSet, current: ReplicaSet, diff: string[]): boolean {
    if (!diff.some((d) => d.startsWith('env'))) return false;
    if (!codeChanged(previous, current)) return true;
    const containers = (rs: ReplicaSet) => rs.spec?.template?.spec?.containers ?? [];
    const all = envChanges(containers(previous), containers(current));
    if (all.length === 0) return true;
    const lines = linesOf(workload, this.snapshot, this.graph);
    // Variables the revision before did not set at all, added beside new code, are settings of that code (the old code
    // never read them): the release as a whole broke it, and rolling it back is the fix — unless its pods fail to
    // connect at all (resolve, reach, handshake, authenticate), which is what settings added for a client say.
    const changes = all.filter((change) => change.before !== undefined);
    if (changes.length === 0) return lines.some((line) => failsToConnect(line.text));
    if (changes.some((change) => !reportsOnly(change))) return true;
    return changes.some((change) => lines.some((line) => quotesEnvChange(line.text, change)));
  }

  /**
   * Whether the workload's newest revision, written with a change at `changed` (one release), runs other code than the
   * revision before it: another image, command or arguments.
   */
  private newCodeWith(workload: EntityRef, changed: number): boolean {
    const [current, previous] = revisions(this.snapshot, workload);
    const at = toMs(current?.metadata?.creationTimestamp);
    if (!current || !previous || at === undefined || Math.abs(at - changed) > SAME_RELEASE) return false;
    return codeChanged(previous, current);
  }

  /** Whether every pod of the revision runs ready and none restarted since it was created. */
  private runsHealthy(workload: EntityRef, revision: ReplicaSet): boolean {
    const pods = this.graph
      .podsOf(workload)
      .filter((p) => p.metadata?.ownerReferences?.some((o) => o.name === revision.metadata?.name));
    return pods.length > 0 && pods.every((p) => isPodReady(p) && !hasRestarted(p));
  }

  /** The ConfigMaps and Secrets its pods read; errors quoting one of their keys fit a change too. */
  configurationChanges(workload: EntityRef): void {
    // A credential out of step shows where it is presented: refused (evidence/auth-refusal.ts). While nothing read
    // speaks of a refusal, a Secret is no suspect when its reader changed itself in the same window (new code or env:
    // that change, which the walk names, is in front of the Secret's), nor when it is read only through env and changed
    // after every container of the reader started (the new value reached none of them: evidence/picked-up.ts).
    const refused = this.explains('Secret') !== undefined;
    const bystanderSecrets = !refused && rolledOwnChange(this.snapshot, workload, (at) => this.inWindow(at));
    for (const reference of this.graph.referencesOf(workload)) {
      if (reference.target.kind !== 'ConfigMap' && reference.target.kind !== 'Secret') continue;
      const object = configObject(this.snapshot, reference.target);
      const changed = toMs(lastChange(object?.metadata));
      const unreached =
        changed !== undefined &&
        !changeReaches(
          this.graph.podsOf(workload),
          this.graph.referencesOf(workload).filter((r) => refKey(r.target) === refKey(reference.target)),
          changed,
        );
      if (reference.target.kind === 'Secret' && !refused && (bystanderSecrets || unreached)) {
        this.checked.add(`${reference.target.kind} ${reference.target.name}`);
        continue;
      }
      const keys = 'data' in (object ?? {}) ? Object.keys((object as { data?: object }).data ?? {}) : [];
      const quoted = keys.length > 0 ? new RegExp(keys.map(literal).join('|'), 'i') : undefined;
      this.changedNear(
        object,
        reference.target,
        workload,
        `(read by ${workload.name})`,
        `compare it with its version before the change and restart one pod of ${workload.name} with the old value`,
        quoted,
      );
    }
  }

  /** The NetworkPolicies and PodDisruptionBudgets that select its pods. */
  changesActingOnPods(workload: EntityRef): void {
    const sample = this.graph.podsOf(workload)[0];
    if (!sample) return;
    for (const policy of this.graph.policiesSelecting(sample)) {
      // Its rules let every call on the path through: it refuses nothing this symptom is made of.
      if (admitsEveryCall(this.snapshot, this.graph, policy, workload)) continue;
      this.changedNear(
        policy,
        refOf(policy.kind ?? 'NetworkPolicy', policy.metadata),
        workload,
        `(selecting ${workload.name}'s pods)`,
        'check whether the connections that fail are ones its rules no longer admit',
      );
    }
    for (const budget of this.snapshot.podDisruptionBudgets) {
      if (budget.metadata?.namespace !== workload.namespace) continue;
      if (!matchesSelector(sample.metadata?.labels, budget.spec?.selector)) continue;
      this.changedNear(
        budget,
        refOf('PodDisruptionBudget', budget.metadata),
        workload,
        `(budgeting evictions of ${workload.name}'s pods)`,
        'check its disruptionsAllowed, and whether a drain or an eviction waits on it',
      );
    }
  }

  /** Its Services, then the Ingresses routing to them. */
  changesInFront(workload: EntityRef): void {
    const services = this.graph.servicesOf(workload);
    for (const service of services) {
      this.changedNear(
        service,
        refOf('Service', service.metadata),
        workload,
        `(in front of ${workload.name})`,
        'check its selector and ports against the pods (kubectl get endpoints)',
      );
    }
    for (const service of services) {
      for (const ingress of this.snapshot.ingresses.filter((i) => routesTo(i, service.metadata))) {
        this.changedNear(
          ingress,
          refOf('Ingress', ingress.metadata),
          workload,
          `(routing to Service ${service.metadata?.name})`,
          `check its backends' Service names and ports against Service ${service.metadata?.name}, and its controller's log`,
        );
        this.classParameters(ingress, workload);
      }
      // Of the routes to it, those the failing requests take: the one whose prefix covers their path longest.
      const failing = failedRequestPaths(this.victimWords.map(({ text }) => text));
      const routes = routesTaken(routeObjectsTo(this.snapshot, service), (route) => route.object, failing);
      for (const route of routes) {
        this.changedNear(
          route.object,
          route.ref,
          workload,
          `(routing to Service ${service.metadata?.name})`,
          `compare its timeouts, retries, faults and destinations with what Service ${service.metadata?.name} serves and how long it takes, and read the gateway's access log for the response flags`,
        );
      }
    }
  }

  /**
   * The object holding the settings of the Ingress's class (class-parameters.ts): the load balancer its controller
   * provisions for every Ingress of the class. Changed shortly before, it is a suspect the Ingress itself does not
   * show; the controller naming it while it serves the Ingress (a Warning event, its log) ties it to the symptom.
   */
  private classParameters(ingress: ClusterSnapshot['ingresses'][number], workload: EntityRef): void {
    const read = ingressParameters(this.snapshot, ingress);
    if (!read) return;
    const ref = refOf(read.object.kind, read.object.metadata);
    const named = controllerNamesParameters(this.snapshot, ingress, read.object);
    this.changedNear(
      read.object,
      ref,
      workload,
      `(the parameters of IngressClass ${read.cls.metadata?.name}, which Ingress ${ingress.metadata?.name} uses)`,
      `compare its settings (listeners, address type, network) with what Ingress ${ingress.metadata?.name} needs, and read the ingress controller's events and log`,
      undefined,
      named && {
        fits: true,
        evidence: {
          source: 'event',
          ref: refOf('Ingress', ingress.metadata),
          text: `the controller names it: ${named.text}`,
          ...(named.at ? { at: named.at } : {}),
        },
      },
    );
  }

  /**
   * What acts on the entry's Services from beyond its namespace (acting-from-beyond.ts): another Ingress claiming the
   * host and path of one that routes to them, the objects delivering to them and the sources feeding the hubs those
   * subscribe to.
   */
  actingFromBeyond(workload: EntityRef): void {
    for (const service of this.graph.servicesOf(workload)) {
      const name = service.metadata?.name ?? '';
      const namespace = service.metadata?.namespace ?? '';
      for (const ingress of this.snapshot.ingresses.filter((i) => routesTo(i, service.metadata)))
        for (const other of competingIngresses(this.snapshot, ingress, name)) {
          const ref = refOf('Ingress', other.metadata);
          this.changedNear(
            other,
            ref,
            workload,
            `(claiming the host and path Ingress ${ingress.metadata?.name} routes to Service ${name})`,
            `compare its rules, backends and priority with Ingress ${ingress.metadata?.name}'s: which one the load balancer applies first`,
            undefined,
            {
              fits: false,
              evidence: {
                source: 'spec',
                ref,
                text: `${ruleText(other)}, beside Ingress ${ingress.metadata?.namespace}/${ingress.metadata?.name}: ${ruleText(ingress)}`,
              },
            },
          );
        }
      for (const delivery of deliveriesTo(this.snapshot, { name, namespace })) {
        for (const hub of hubsOf(delivery, this.snapshot.apiGroups))
          for (const feeder of feedersOf(this.snapshot, hub))
            this.changedNear(
              feeder,
              refOf(feeder.kind, feeder.metadata),
              workload,
              `(feeding ${hub.kind} ${hub.name}, from which ${delivery.kind} ${delivery.metadata?.name} delivers to Service ${name})`,
              `compare what it reads (its topics, its source) with what the producers write, and read the log of the dispatcher that runs it`,
            );
      }
    }
  }

  /**
   * A LoadBalancer Service of the workload left without an address, with Warning events from the component that
   * allocates it: the address pools that component keeps, changed shortly before — the stronger when an address the
   * events quote or the Service asks for lies outside every range the pool now holds.
   */
  addressPools(workload: EntityRef): void {
    for (const service of this.graph.servicesOf(workload).filter(unallocated)) {
      const warnings = warningsAbout(this.snapshot, service).filter((e) => this.current(eventTime(e)));
      if (warnings.length === 0) continue;
      const name = service.metadata?.name ?? '';
      const asked = [
        ...warnings.flatMap((e) => addressesIn(e.message ?? '')),
        ...Object.values(service.metadata?.annotations ?? {}).flatMap(addressesIn),
        ...addressesIn(service.spec?.loadBalancerIP ?? ''),
      ];
      const pools = addressPools(this.snapshot, warnings);
      // An address no pool holds any longer: the allocator has nowhere to take it from.
      const outside = [...new Set(asked)].filter((ip) => !pools.some((pool) => inRanges(ip, rangesIn(pool.spec))));
      for (const pool of pools) {
        const ref = refOf(pool.kind, pool.metadata);
        this.changedNear(
          pool,
          ref,
          workload,
          `(allocating Service ${name}'s address, which its allocator reports it cannot give since ${firstOf(warnings)}: "${(warnings[0]?.message ?? '').slice(0, 140)}")`,
          `compare its address ranges with the address Service ${name} needs, and read the allocator's log`,
          undefined,
          outside.length > 0
            ? {
                fits: true,
                evidence: {
                  source: 'spec',
                  ref,
                  text: `${outside.join(', ')}, the address Service ${name} needs, lies outside every range the pools hold`,
                },
              }
            : undefined,
        );
      }
    }
  }

  autoscalerChanges(workload: EntityRef): void {
    for (const hpa of this.snapshot.horizontalPodAutoscalers) {
      const target = hpa.spec?.scaleTargetRef;
      if (hpa.metadata?.namespace !== workload.namespace || target?.name !== workload.name) continue;
      this.changedNear(
        hpa,
        refOf('HorizontalPodAutoscaler', hpa.metadata),
        workload,
        `(scaling ${workload.name})`,
        'check its conditions and events (kubectl describe hpa)',
      );
    }
  }

  /** The ResourceQuotas and LimitRanges of its namespace. */
  quotaChanges(workload: EntityRef): void {
    const { snapshot } = this;
    for (const quota of [
      ...snapshot.resourceQuotas.map((q) => ({ object: q, ref: refOf('ResourceQuota', q.metadata) })),
      ...snapshot.limitRanges.map((l) => ({ object: l, ref: refOf('LimitRange', l.metadata) })),
    ]) {
      if (quota.ref.namespace !== workload.namespace) continue;
      this.changedNear(
        quota.object,
        quota.ref,
        workload,
        `(in ${workload.namespace})`,
        `look for FailedCreate events of ${workload.name}'s ReplicaSets`,
      );
    }
  }

  /**
   * An object acting on the victim, changed shortly before the symptom began: a suspect, stronger when the errors
   * read fit what it governs, or (a ConfigMap, a Secret) the victim's pods started after the change.
   */
  private changedNear(
    object: { metadata?: Metadata } | undefined,
    ref: EntityRef,
    victim: EntityRef,
    why: string,
    confirm: string,
    extra?: RegExp,
    content?: { evidence: Evidence; fits: boolean },
  ): void {
    this.checked.add(`${ref.kind} ${ref.name}`);
    const at = lastChange(object?.metadata);
    if (!object || !this.inWindow(at)) return;
    const minutes = Math.round((this.start - (toMs(at) as number)) / MINUTE);
    const reread = this.restartedSince(victim, toMs(at) as number);
    const quoted = this.explains(ref.kind, extra);
    // Pods that started after a configuration change run with it — unless the same release gave them new code: then
    // they would have started anyway, and their start tells nothing about the configuration.
    const restarted =
      reread !== undefined &&
      (ref.kind === 'Secret' || ref.kind === 'ConfigMap') &&
      !this.newCodeWith(victim, toMs(at) as number);
    const fits = quoted !== undefined || restarted || content?.fits === true;
    const because = [
      ...(content?.fits ? [content.evidence.text] : []),
      ...(quoted ? ['the errors read fit what it governs'] : []),
      ...(restarted ? [`${victim.name}'s pods started after it`] : []),
    ].join(' and ');
    const fields = fieldsChangedAt(object.metadata, at);
    this.add({
      detector: SUSPECT_WALK,
      faultType: faultOfChange(ref.kind, fields, object),
      entity: ref,
      affects: [victim],
      strength: fits ? LEAD_STRENGTH.fittingChange : LEAD_STRENGTH.change,
      summary: `${ref.kind} ${ref.name} ${why} changed at ${at}, ${minutes >= 0 ? `${minutes} min before` : `${-minutes} min after`} the symptom began${fits ? `, and ${because}` : ''}: the likeliest suspect found. To confirm: ${confirm}`,
      evidence: [
        {
          source: 'change',
          ref,
          text: `${ref.kind} ${ref.name} last changed at ${at}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`,
          at: at as string,
        },
        ...(content ? [content.evidence] : []),
        ...(quoted?.line ? [logEvidence(quoted.line)] : []),
        ...(restarted && reread
          ? [
              {
                source: 'status' as const,
                ref: victim,
                text: `${victim.name}'s pods started at ${reread}, after the change: they run with it`,
                at: reread,
              },
            ]
          : []),
      ],
      changedAt: at as string,
    });
  }

  /**
   * Its Deployment's conditions gone bad during the incident (ReplicaFailure True, Progressing or Available False): a
   * condition that turned after the onset is no less the controller's word on where the trouble is.
   */
  failingConditions(workload: EntityRef): void {
    const controller = this.snapshot.deployments.find(
      (d) => d.metadata?.namespace === workload.namespace && d.metadata?.name === workload.name,
    );
    for (const condition of controller?.status?.conditions ?? []) {
      const failing =
        (condition.type === 'ReplicaFailure' && condition.status === 'True') ||
        (FALSE_MEANS_FAILING.has(condition.type) && condition.status === 'False');
      if (!failing || !this.current(condition.lastTransitionTime ?? condition.lastUpdateTime)) continue;
      this.addAbout(
        workload,
        LEAD_STRENGTH.failingCondition,
        `${workload.kind} ${workload.name}: ${condition.type} ${condition.status} (${condition.reason ?? ''}) since ${condition.lastTransitionTime ?? condition.lastUpdateTime}: the likeliest suspect found. To confirm: kubectl describe ${workload.kind.toLowerCase()} ${workload.name} and its newest ReplicaSet`,
        [
          {
            source: 'status',
            ref: workload,
            text: `${condition.type}=${condition.status} ${condition.reason ?? ''}: ${condition.message ?? ''}`,
            ...(condition.lastTransitionTime ? { at: condition.lastTransitionTime } : {}),
          },
        ],
      );
    }
  }

  /** Recent Warning events about it, its ReplicaSets and its pods (a repeated event is one line with its count). */
  warningEvents(workload: EntityRef): void {
    const { snapshot } = this;
    const subjects = new Set([
      refKey(workload),
      ...this.graph.podsOf(workload).map((p) => refKey(refOf('Pod', p.metadata))),
      ...revisions(snapshot, workload).map((rs) => refKey(refOf('ReplicaSet', rs.metadata))),
    ]);
    const recent = this.warnings.filter((e) => {
      const o = e.involvedObject;
      return (
        o &&
        subjects.has(refKey({ kind: o.kind ?? '', namespace: o.namespace, name: o.name ?? '' })) &&
        this.current(eventTime(e))
      );
    });
    if (recent.length === 0) return;
    this.addAbout(
      workload,
      LEAD_STRENGTH.warningEvents,
      `${workload.kind} ${workload.name} has Warning events on the symptom's path (${[...new Set(recent.map((e) => e.reason))].join(', ')}): the likeliest suspect found. To confirm: kubectl describe the objects they are about`,
      recent.slice(0, 3).map(eventEvidence),
    );
  }

  /**
   * The deepest workload on the path with errors of its own that none of its dependencies' errors explain — the
   * symptom's own workload too: errors of its own with every dependency quiet are abnormal, not "nothing found". Of
   * workloads equally deep (the whole namespace walked from where users enter), the one whose errors began nearest the
   * onset: errors that stood long before are a standing failure, errors that began well after a consequence — and the
   * order the API listed them in says nothing.
   */
  deepestWithOwnErrors(): void {
    const { snapshot, graph } = this;
    // How far from the onset the first error read lies (undated errors last).
    const fromOnset = (lines: PodLogLine[]) =>
      Math.abs(Math.min(...lines.map((l) => toMs(l.at) ?? Number.POSITIVE_INFINITY)) - this.start);
    const erring = this.workloads
      .map((r) => ({ r, lines: errorLines(r.ref, snapshot, graph) }))
      .filter(({ r, lines }) => lines.length > 0 && !calleesErr(r.ref, snapshot, graph))
      .sort((a, b) => b.r.path.length - a.r.path.length || fromOnset(a.lines) - fromOnset(b.lines))[0];
    if (!erring) return;
    const deeper = erring.r.path.filter((ref) => ref.kind !== 'Service').length > 1;
    this.addAbout(
      erring.r.ref,
      LEAD_STRENGTH.ownErrors,
      `${erring.r.ref.kind} ${erring.r.ref.name} ${deeper ? "is the deepest workload on the symptom's path with errors of its own that its dependencies do not explain" : 'logs errors of its own, nearest the onset, that nothing it depends on explains'}: the likeliest place of the fault. To confirm: read more of its log around the time the symptom began`,
      erring.lines.slice(-2).map(logEvidence),
    );
  }
}

/** Whether a path from the symptom reaches this node without crossing a dependency: the symptom or its Service. */
const isEntry = (path: EntityRef[]): boolean => path.filter((ref) => ref.kind !== 'Service').length <= 1;

/** The mesh and Gateway API routes read that send traffic to the Service. */
function routeObjectsTo(
  snapshot: ClusterSnapshot,
  service: ClusterSnapshot['services'][number],
): { object: { metadata?: Metadata; spec?: unknown }; ref: EntityRef }[] {
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace ?? '';
  const isService = (host: string, from: string) => {
    const named = host.includes('*') ? undefined : serviceNameOf(host, from);
    return named?.name === name && named?.namespace === namespace;
  };
  const custom = snapshot.customObjects.filter(
    (object) => isRouteKind(object.kind) && routesToService(object, { name: name ?? '', namespace }),
  );
  const virtualServices = snapshot.virtualServices.filter((vs) =>
    (vs.spec?.http ?? []).some((route) =>
      (route.route ?? []).some((r) => isService(r.destination.host, vs.metadata?.namespace ?? '')),
    ),
  );
  const httpRoutes = snapshot.httpRoutes.filter((route) =>
    (route.spec?.rules ?? []).some((rule) =>
      (rule.backendRefs ?? []).some(
        (backend) =>
          (backend.kind ?? 'Service') === 'Service' &&
          backend.name === name &&
          (backend.namespace ?? route.metadata?.namespace) === namespace,
      ),
    ),
  );
  return [
    ...virtualServices.map((object) => ({ object, ref: refOf('VirtualService', object.metadata) })),
    ...httpRoutes.map((object) => ({ object, ref: refOf('HTTPRoute', object.metadata) })),
    ...custom.map((object) => ({ object, ref: refOf(object.kind, object.metadata) })),
  ];
}

/** An Ingress's rules in words: `host/path → Service`. */
const ruleText = (ingress: ClusterSnapshot['ingresses'][number]): string =>
  (ingress.spec?.rules ?? [])
    .flatMap((rule) =>
      (rule.http?.paths ?? []).map(
        (path) => `${rule.host ?? '*'}${path.path ?? '/'} → ${path.backend?.service?.name ?? '?'}`,
      ),
    )
    .join(', ');

/** Whether an Ingress sends any path (or its default) to the Service. */
function routesTo(ingress: ClusterSnapshot['ingresses'][number], service: Metadata | undefined): boolean {
  if (ingress.metadata?.namespace !== service?.namespace) return false;
  const backends = [
    ingress.spec?.defaultBackend,
    ...(ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((path) => path.backend)),
  ];
  return backends.some((backend) => backend?.service?.name === service?.name);
}

/** The workload's own error lines: not the client errors it answered (a 404 to a path it lacks is its callers' fault). */
function errorLines(workload: EntityRef, snapshot: ClusterSnapshot, graph: EvidenceGraph) {
  return linesOf(workload, snapshot, graph).filter((l) => looksLikeError(l.text) && !answersClientError(l.text));
}

/** Whether a workload the given one calls logs errors of its own. */
function calleesErr(workload: EntityRef, snapshot: ClusterSnapshot, graph: EvidenceGraph): boolean {
  return calleesOf(graph, workload).some((callee) => errorLines(callee, snapshot, graph).length > 0);
}

function linesOf(workload: EntityRef, snapshot: ClusterSnapshot, graph: EvidenceGraph) {
  const pods = graph.podsOf(workload).map((p) => p.metadata?.name ?? '');
  return logLinesOf(snapshot, workload.namespace ?? '', pods);
}

/** Client errors the workload's callees answered since `since`: requests it sends that they cannot serve. */
function refusedRequests(workload: EntityRef, since: number, snapshot: ClusterSnapshot, graph: EvidenceGraph) {
  return calleesOf(graph, workload).flatMap((callee) =>
    linesOf(callee, snapshot, graph).filter((l) => answersClientError(l.text) && (toMs(l.at) ?? 0) >= since),
  );
}

const FIELDS: (keyof Container)[] = [
  'image',
  'env',
  'envFrom',
  'args',
  'command',
  'resources',
  'ports',
  'volumeMounts',
];

// Pod-level settings a revision can break a workload with: what it mounts, whom it asks for names, its network.
const POD_FIELDS = ['volumes', 'dnsPolicy', 'dnsConfig', 'hostNetwork'] as const;

/** What a new revision's pod template changed, per container and field (not the restart annotation). */
export function templateChanges(previous: ReplicaSet, current: ReplicaSet): string[] {
  const containers = (rs: ReplicaSet) => new Map((rs.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c]));
  const before = containers(previous);
  const changes: string[] = [];
  for (const [name, container] of containers(current)) {
    const old = before.get(name);
    if (!old) {
      changes.push(`container ${name} added`);
      continue;
    }
    for (const field of FIELDS) {
      if (JSON.stringify(container[field] ?? null) === JSON.stringify(old[field] ?? null)) continue;
      changes.push(
        field === 'image' ? `image ${old.image} → ${container.image}` : `${String(field)} of container ${name}`,
      );
    }
  }
  const podField = (rs: ReplicaSet, field: (typeof POD_FIELDS)[number]) =>
    JSON.stringify(rs.spec?.template?.spec?.[field] ?? null);
  for (const field of POD_FIELDS) if (podField(previous, field) !== podField(current, field)) changes.push(field);
  return changes;
}

/** Whether a revision runs other code than the one before it: a container's image, command or arguments changed. */
function codeChanged(previous: ReplicaSet, current: ReplicaSet): boolean {
  return runsOtherCode(previous.spec?.template?.spec?.containers ?? [], current.spec?.template?.spec?.containers ?? []);
}

/** A client that cannot set up its connection: the name, the route, the TLS handshake or the login fail. */
const SETUP_FAILURE = anyOf(RESOLVE_ERROR.source, '\\b(ssl|tls)\\b|handshake|x509|certificate|authenticat');
const failsToConnect = (text: string): boolean => failsToReach(text) || SETUP_FAILURE.test(text);

// A value that only turns something on or off.
const SWITCH_VALUE = /^\s*"?(true|false|on|off|enabled|disabled)"?\s*$/i;

/**
 * Whether the change wrote a switch: one of the keys it wrote (managedFields), or, when the write does not say which,
 * one of the ConfigMap's keys, holds a value that only turns something on or off (`NEW_CHECKOUT=true`).
 */
function switchedOn(data: Record<string, string> | undefined, fields: string[]): boolean {
  const written = fields.filter((f) => f.startsWith('data.')).map((f) => f.slice('data.'.length));
  const entries = Object.entries(data ?? {});
  const considered = written.length > 0 ? entries.filter(([key]) => written.includes(key)) : entries;
  return considered.some(([, value]) => SWITCH_VALUE.test(value));
}

/** The cluster DNS Service's addresses, as far as its Service was read. */
function clusterDnsIps(snapshot: ClusterSnapshot): Set<string> {
  return new Set(
    snapshot.services
      .filter((service) => isClusterDnsService(service, new Set()))
      .flatMap((service) => [service.spec?.clusterIP, ...(service.spec?.clusterIPs ?? [])])
      .filter((ip): ip is string => Boolean(ip)),
  );
}

const withRemediation = (remediation: RemediationProposal | undefined) => (remediation ? { remediation } : {});

/** Pods that run once (restartPolicy Never or OnFailure, as a Job's must), one of them Failed: a failed run. */
const failedRun = (pods: Pod[]): boolean =>
  pods.length > 0 &&
  pods.every((p) => p.spec?.restartPolicy === 'Never' || p.spec?.restartPolicy === 'OnFailure') &&
  pods.some((p) => p.status?.phase === 'Failed');

import { configuredHosts, looksClusterInternal, serviceNameOf } from '../evidence/hosts.ts';
import { readInFull } from '../evidence/completeness.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { type EvidenceGraph, type Service, similar } from '../evidence/graph.ts';
import { looksLikeError, RESOLVE_ERROR } from '../evidence/log-line.ts';
import { hasRestarted, isPodReady } from '../evidence/pod-state.ts';
import { standingSince } from '../evidence/standing-trouble.ts';
import { lastDistinct, logEvidence, logLinesOf, logsRead } from '../evidence/logs.ts';
import { type NamedPort, portMeant } from '../evidence/port-names.ts';
import { revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { lastChange } from '../evidence/time.ts';
import { symptomOnset } from '../evidence/onset.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

interface Problem {
  env: string;
  value: string;
  host: string;
  why: string;
  hint?: string;
  /** No Service answers to the host (as opposed to a Service on the wrong port). */
  unknown?: boolean;
  /** The host's namespace does not exist. */
  noNamespace?: boolean;
}

const JOB_KINDS = new Set(['Job', 'CronJob']);

const ADDRESS_NAME = /ADDR|HOST|URL|URI|ENDPOINT|SERVER|SERVICE|DSN|BROKER|PEER|UPSTREAM|BACKEND/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The pods' own errors name the host it points at (a failed lookup, a failed call): the spec and errors agree. */
  failing: 0.9,
  /** A Service's port it does not expose, or a host with a near-miss name: the spec is wrong, the errors are silent. */
  wrongAddress: 0.8,
  /** Only hosts that do not exist, with no near-miss name to say what was meant, and no error naming them. */
  unknownHost: 0.6,
} as const;

/**
 * An env value that names a peer the cluster cannot serve: a Service on a port it does not expose or that speaks
 * another protocol than the setting names (a GRPC address on the HTTP port, port-names.ts), or a cluster-internal host that is no Service (a typo, or a namespace that does not exist). The workload's own spec is
 * the fault.
 */
export const badEnv: Detector = {
  id: 'bad-env',
  faultTypes: ['bad-env', 'dns', 'job-failure'],
  detect(snapshot, graph, alert) {
    const findings: Finding[] = [];
    const onset = symptomOnset(snapshot, alert?.startsAt).at;
    for (const workload of graph.workloads) {
      // A CronJob's Job runs the CronJob's template: its fault is stated once, at the CronJob the next run comes from.
      const cronJob = workload.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
      if (cronJob && graph.workload({ kind: 'CronJob', namespace: workload.ref.namespace ?? '', name: cronJob.name }))
        continue;
      const namespace = workload.ref.namespace ?? '';
      const spec = graph.podSpecOf(workload.ref);
      const problems = addressProblems(snapshot, graph, spec, namespace);
      if (problems.length === 0) continue;
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = logLinesOf(snapshot, namespace, pods);
      const resolveErrors = lastDistinct(
        lines,
        (t) => RESOLVE_ERROR.test(t) && problems.some((p) => t.includes(p.host)),
        2,
      );
      const peerErrors = lastDistinct(lines, (t) => problems.some((p) => t.includes(p.host)), 2);
      const first = problems[0] as (typeof problems)[number];
      const unknownHost = problems.every((p) => p.unknown);
      const [, previous] = workload.ref.kind === 'Deployment' ? revisions(snapshot, workload.ref) : [];
      const before = previous?.spec?.template?.spec?.containers
        .flatMap((c) => c.env ?? [])
        .find((e) => e.name === first.env);
      // A name the newest revision introduced is a configuration fault even when its lookups fail; failed lookups of
      // a name the workload always used point at name resolution, unless its namespace does not exist at all.
      const introduced = previous !== undefined && before?.value !== first.value;
      // A setting the newest revision introduced, in pods erring since: the errors need not quote the host to be its.
      const erringSinceIntroduced = introduced && lines.some((l) => looksLikeError(l.text));
      const podsOf = graph.podsOf(workload.ref);
      const unexercised =
        !introduced &&
        peerErrors.length === 0 &&
        podsOf.length > 0 &&
        podsOf.every(isPodReady) &&
        (logsRead(snapshot, namespace, pods) || servedThroughout(podsOf, onset));
      // A setting that stood before the newest revision, in pods all ready whose logs read speak of other things, none
      // of them the host — or, logs unread, in pods that have run ready without a restart since days before the
      // symptom began: wrong on paper but not hurting, whatever it names is served somehow (or not used); what stood
      // through days without the symptom does not explain its onset. No finding: standing, it would stop the walk
      // along the symptom's dependencies that finds what does hurt.
      if (unexercised) continue;
      const found: Finding = finding(badEnv, {
        // A Job's own spec that makes it fail is what the fault types call a job-failure; the env is the detail.
        faultType: JOB_KINDS.has(workload.ref.kind)
          ? 'job-failure'
          : resolveErrors.length > 0 && !introduced && !first.noNamespace
            ? 'dns'
            : 'bad-env',
        entity: workload.ref,
        affects: [workload.ref],
        strength:
          resolveErrors.length > 0 || peerErrors.length > 0 || erringSinceIntroduced
            ? STRENGTH.failing
            : unknownHost && !first.hint
              ? STRENGTH.unknownHost
              : STRENGTH.wrongAddress,
        summary: `${workload.ref.kind} ${workload.ref.name}: env ${first.env}=${first.value} — ${first.why}`,
        evidence: [
          ...problems.map((p) => ({
            source: 'spec' as const,
            ref: workload.ref,
            text: `env ${p.env}=${p.value}: ${p.why}`,
          })),
          ...(resolveErrors.length > 0
            ? resolveErrors
            : peerErrors.length > 0 || !erringSinceIntroduced
              ? peerErrors
              : lastDistinct(lines, looksLikeError, 2)
          ).map(logEvidence),
        ],
      });
      const changed = lastChange(workload.metadata);
      if (changed) found.changedAt = changed;
      if (before && before.value !== first.value) {
        const remediation = rollbackProposal(snapshot, workload.ref, `${first.env} was ${before.value ?? 'unset'}`);
        if (remediation) found.remediation = remediation;
      }
      findings.push(found);
    }
    return findings;
  },
};

/** Pods that have all run, none restarted, since over a day before the symptom began (standing-trouble.ts). */
const servedThroughout = (pods: ReturnType<EvidenceGraph['podsOf']>, onset: number): boolean =>
  pods.every((pod) => !hasRestarted(pod) && standingSince(pod.metadata?.creationTimestamp, onset));

type PodSpec = ReturnType<EvidenceGraph['podSpecOf']>;
type EnvVar = { name: string; value: string };

/** Every env value of the pod spec that names a peer the cluster cannot serve as written. */
function addressProblems(snapshot: ClusterSnapshot, graph: EvidenceGraph, spec: PodSpec, namespace: string): Problem[] {
  const problems: Problem[] = [];
  for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const env of container.env ?? []) {
      if (!env.value) continue;
      for (const mention of configuredHosts(env.value)) {
        const service = graph.serviceByHost(mention.host, namespace);
        if (service) {
          const problem = portProblem(graph, service, { name: env.name, value: env.value }, mention);
          if (problem) problems.push(problem);
          continue;
        }
        const target = serviceNameOf(mention.host, namespace);
        if (!target || !looksClusterInternal(mention.host) || !ADDRESS_NAME.test(env.name)) continue;
        if (governsStatefulSet(snapshot, target)) continue;
        const absence = absent(snapshot, target, namespace);
        if (!absence) continue;
        problems.push({ env: env.name, value: env.value, host: mention.host, unknown: true, ...absence });
      }
    }
  }
  return problems;
}

/** A Service the setting names on a port it does not expose, or on a port that speaks another protocol than meant. */
function portProblem(
  graph: EvidenceGraph,
  service: Service,
  env: EnvVar,
  mention: { host: string; port?: number },
): Problem | undefined {
  // A headless Service resolves to the pods themselves: any port they serve is reachable.
  const headless = service.spec?.clusterIP === 'None';
  const named: NamedPort[] = headless
    ? graph
        .podsSelectedBy(service)
        .flatMap((p) => p.spec?.containers ?? [])
        .flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, name: p.name })))
    : (service.spec?.ports ?? []).map((p) => ({ port: p.port, name: p.name, appProtocol: p.appProtocol }));
  const ports = named.map((p) => p.port);
  if (mention.port === undefined) return undefined;
  if (ports.length > 0 && !ports.includes(mention.port)) {
    return {
      env: env.name,
      value: env.value,
      host: mention.host,
      why: `Service ${service.metadata?.name} exposes port ${ports.join(', ')}, not ${mention.port}`,
      hint: String(ports[0]),
    };
  }
  const wrongPort = portMeant(env.name, env.value, named, mention.port);
  if (!wrongPort) return undefined;
  return {
    env: env.name,
    value: env.value,
    host: mention.host,
    why: `Service ${service.metadata?.name} serves ${wrongPort.meant.name ?? wrongPort.meant.appProtocol} on port ${wrongPort.meant.port}; its port ${wrongPort.given.port} is ${wrongPort.given.name ?? wrongPort.given.appProtocol}`,
    hint: String(wrongPort.meant.port),
  };
}

/**
 * Whether the name is the governing Service a StatefulSet declares (`spec.serviceName`): its members' stable names
 * (`db-0.db-headless.data.svc`) are the StatefulSet's own plumbing, which its chart creates beside it; a list that
 * lacks it says less than the members that run on those names. Their lookups failing would say more (dns).
 */
const governsStatefulSet = (snapshot: ClusterSnapshot, target: { name: string; namespace: string }): boolean =>
  snapshot.statefulSets.some(
    (set) => set.metadata?.namespace === target.namespace && set.spec?.serviceName === target.name,
  );

/**
 * Why a cluster-internal host the cluster has no Service for cannot resolve, when the evidence allows saying so: a
 * namespace the Namespace list lacks, or a Service missing from a namespace that was read (it holds other objects).
 * A namespace never read says nothing, and neither does a list cut short: the Service may be in the part not read.
 */
function absent(
  snapshot: ClusterSnapshot,
  target: { name: string; namespace: string },
  from: string,
): Pick<Problem, 'why' | 'hint' | 'noNamespace'> | undefined {
  const inTarget = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace === target.namespace;
  if (!readInFull(snapshot, 'Service', target.namespace)) return undefined;
  if (target.namespace !== from) {
    const known = snapshot.namespaces.length > 0 && readInFull(snapshot, 'Namespace');
    if (known && !snapshot.namespaces.some((n) => n.metadata?.name === target.namespace)) {
      const elsewhere = snapshot.services.find((s) => s.metadata?.name === target.name);
      const hint = elsewhere ? `${target.name}.${elsewhere.metadata?.namespace}` : undefined;
      return {
        why: `namespace ${target.namespace} does not exist${hint ? ` (did it mean ${hint}?)` : ''}`,
        noNamespace: true,
        ...(hint ? { hint } : {}),
      };
    }
    // Its pods or Services, not its Endpoints: those alone are read to see whether a called namespace has ready
    // addresses, and say nothing of which Services exist there.
    const read = [snapshot.pods, snapshot.services].some((objects) => objects.some(inTarget));
    if (!read) return undefined;
  }
  const near = snapshot.services.find((s) => inTarget(s) && similar(s.metadata?.name, target.name));
  const hint = near?.metadata?.name;
  return {
    why: `no Service ${target.name} exists in ${target.namespace}${hint ? ` (did it mean ${hint}?)` : ''}`,
    ...(hint ? { hint } : {}),
  };
}

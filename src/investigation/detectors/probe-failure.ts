import { isCustomOwner } from '../evidence/custom-owners.ts';
import { endpointsOf, readyAddresses } from '../evidence/endpoints.ts';
import { eventEvidence, eventNamespace, eventTime } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { hasRestarted, isBetweenRestarts, isPodReady } from '../evidence/pod-state.ts';
import { revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { HOUR, lastChange, toMs, snapshotNow } from '../evidence/time.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Container, Pod } from '../evidence/workloads.ts';
import type { Evidence, FaultType, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { generatedSiblings } from './crashing.ts';
import { scaledDown } from './dependency-down.ts';
import { type Detector, finding } from './detector.ts';

type ProbeKind = 'liveness' | 'readiness' | 'startup';

// `failed`: the probe ran and the container answered wrong; `errored`: the kubelet could not run it at all (an exec
// probe's command missing from the image) — the probe's own fault.
const PROBE_FAILED = /^(Liveness|Readiness|Startup) probe (?:failed|errored): (.*)$/s;
// A wrong path or port fails the same way every time; timeouts and 5xx can be a slow or broken dependency.
const CONFIG_SIGNAL = /statuscode: 404|no such file|not found|executable file not found|unknown service|Unimplemented/i;
// The kubelet's own word that it restarted a container because its liveness probe failed.
const KILLED_BY_LIVENESS = /failed (its )?liveness probe/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The probe's port is one the container does not declare: the spec states the mismatch. */
  portNotDeclared: 0.95,
  /** The probe's failures say its path or port does not match what the container serves (404, not found…). */
  probeMismatch: 0.9,
  /**
   * The probe fails as the newest revision rewrote it (path, port, timeout or thresholds) while the previous revision's
   * probe was the one in use before: the change to the probe is the mechanism, whatever else the rollout changed.
   */
  changedWithRollout: 0.85,
  /** The kubelet restarts the container for its failing liveness probe: the mechanism, whatever made the probe fail. */
  restartedByProbe: 0.8,
  /** The probe fails and it hurts, nothing says why: the application may be what is slow or broken. */
  failing: 0.55,
} as const;

/** Probes that fail: the probe's port or path does not match what the container serves. */
export const probeFailure: Detector = {
  id: 'probe-failure',
  faultTypes: ['liveness-probe', 'readiness-probe'],
  detect(snapshot, graph) {
    const now = snapshotNow(snapshot);
    const found = new Map<string, { finding: Finding; configSignal: boolean; staticMismatch: boolean }>();
    // Workloads whose containers the kubelet restarted for failing their liveness probe.
    const killed = new Map<string, Evidence>();
    const add = (
      workload: Finding['entity'],
      kind: ProbeKind,
      evidence: Evidence,
      configSignal: boolean,
      staticMismatch: boolean,
    ) => {
      const faultType: FaultType = kind === 'readiness' ? 'readiness-probe' : 'liveness-probe';
      const key = `${refKey(workload)}#${faultType}`;
      const entry = found.get(key);
      if (entry) {
        if (entry.finding.evidence.length < 6 && !entry.finding.evidence.some((e) => e.text === evidence.text))
          entry.finding.evidence.push(evidence);
        entry.configSignal ||= configSignal;
        entry.staticMismatch ||= staticMismatch;
        return;
      }
      const first = finding(probeFailure, {
        faultType,
        entity: workload,
        affects: [workload],
        strength: 0,
        summary: '',
        evidence: [evidence],
      });
      const changed = lastChange(graph.workload(workload)?.metadata);
      if (changed) first.changedAt = changed;
      found.set(key, { finding: first, configSignal, staticMismatch });
    };

    // Workloads with a pod between restarts: the replicas still running cannot be ready without the ones that crash
    // (a quorum, a cluster waiting for its members), so their readiness failures are that crash too.
    const crashing = new Set(snapshot.pods.filter(isBetweenRestarts).map((pod) => refKey(graph.workloadOf(pod))));
    const recent = snapshot.events.filter(
      (event) => event.involvedObject?.kind === 'Pod' && now - (toMs(eventTime(event)) ?? now) <= 2 * HOUR,
    );
    for (const event of recent) {
      if (event.reason !== 'Killing' || !KILLED_BY_LIVENESS.test(event.message ?? '')) continue;
      const pod = graph.pod(eventNamespace(event) ?? '', event.involvedObject?.name ?? '');
      if (pod && hasRestarted(pod)) killed.set(refKey(graph.workloadOf(pod)), eventEvidence(event));
    }
    for (const event of recent) {
      if (event.reason !== 'Unhealthy' || !event.involvedObject) continue;
      const match = PROBE_FAILED.exec(event.message ?? '');
      if (!match) continue;
      const pod = graph.pod(
        event.involvedObject.namespace ?? event.metadata?.namespace ?? '',
        event.involvedObject.name ?? '',
      );
      if (!pod) continue;
      const kind = (match[1] as string).toLowerCase() as ProbeKind;
      // Only a failure that still hurts counts, the way that probe hurts: a readiness probe takes the pod out of its
      // Services (not ready now), a liveness probe gets the container restarted, a startup probe does either.
      const outOfService = !isPodReady(pod) || outOfEndpoints(snapshot, graph, pod);
      const restarted = hasRestarted(pod);
      const hurting = kind === 'readiness' ? outOfService : kind === 'liveness' ? restarted : outOfService || restarted;
      if (!hurting) continue;
      // A readiness probe of a container that keeps exiting cannot pass while it is down, nor its siblings' while they
      // wait for it: the crash is the fault (and whatever it depends on), their readiness failures a consequence —
      // unless the probe is wrong on paper.
      const configSignal = CONFIG_SIGNAL.test(match[2] ?? '');
      // So are those of a workload generated with it from the same resource (a proxy in front of crashing members).
      const system = [graph.workloadOf(pod), ...generatedSiblings(graph, graph.workloadOf(pod))];
      if (kind === 'readiness' && !configSignal && system.some((ref) => crashing.has(refKey(ref)))) continue;
      // Nor can the members a scale-down left behind, when the removed ones held part of the quorum.
      const members = graph.workloadOf(pod);
      const replicas = graph.workload(members)?.desiredReplicas ?? 0;
      if (kind === 'readiness' && !configSignal && replicas > 0 && scaledDown(snapshot, members, replicas)) continue;
      // A container that exits by itself (an error code of its own, not the kubelet's SIGKILL/SIGTERM) and that the
      // kubelet never restarted for its probe fails its liveness or startup probe only while it is down or starting
      // again: the crash is the fault, the probe's failures its shadow.
      if (kind !== 'readiness' && !configSignal && exitsByItself(pod) && !killed.has(refKey(graph.workloadOf(pod))))
        continue;
      add(graph.workloadOf(pod), kind, eventEvidence(event), configSignal, false);
    }
    for (const { workload, kind, mismatch } of undeclaredProbePorts(graph, now))
      add(workload, kind, { source: 'spec', ref: workload, text: mismatch }, true, true);

    const restartedByLiveness = (result: Finding) =>
      result.faultType === 'liveness-probe' && killed.has(refKey(result.entity));
    const entries = [...found.values()].filter(
      ({ finding, staticMismatch }) =>
        // A container restarted by its liveness probe is not ready while it starts again: its readiness failures are a
        // consequence, not a second fault (unless the readiness probe is itself wrong on paper).
        finding.faultType !== 'readiness-probe' ||
        staticMismatch ||
        !found.get(`${refKey(finding.entity)}#liveness-probe`) ||
        !killed.has(refKey(finding.entity)),
    );
    return entries.map(({ finding, configSignal, staticMismatch }) => {
      const kind = finding.faultType === 'readiness-probe' ? 'readiness' : 'liveness';
      const kill = restartedByLiveness(finding) ? killed.get(refKey(finding.entity)) : undefined;
      if (kill) finding.evidence.unshift(kill);
      finding.strength = staticMismatch
        ? STRENGTH.portNotDeclared
        : configSignal
          ? STRENGTH.probeMismatch
          : probeRewritten(snapshot, finding.entity, kind)
            ? STRENGTH.changedWithRollout
            : kill
              ? STRENGTH.restartedByProbe
              : STRENGTH.failing;
      // An operator writes the probes of what it generates (a database's members) as checks of the server itself: failing
      // unchanged, with nothing that says the probe is wrong, they say the server is down, not that the probe is.
      if (finding.strength === STRENGTH.failing && kind === 'readiness' && operatorWritten(graph, finding.entity))
        finding.namedAs = 'dependency-down';
      finding.summary = `${finding.entity.kind} ${finding.entity.name}: ${kind} probe fails${configSignal ? ' (its port or path does not match what the container serves)' : kill ? ' and the kubelet restarts the container for it' : finding.namedAs ? ", its operator's own check of the server: the server is down" : ''} — ${finding.evidence.find((e) => e !== kill)?.text.slice(0, 160)}`;
      const remediation = rollbackProposal(snapshot, finding.entity, `the probe before the change`);
      if (remediation) finding.remediation = remediation;
      return finding;
    });
  },
};

/** Whether an operator generates the workload (its controller is a custom resource), and with it the pods' probes. */
const operatorWritten = (graph: EvidenceGraph, workload: Finding['entity']): boolean =>
  (graph.workload(workload)?.metadata?.ownerReferences ?? []).some((owner) => owner.controller && isCustomOwner(owner));

/**
 * Probes whose port the container does not declare (only when the container declares its ports at all), of a
 * container that is itself unready or restarted lately: declared ports are informational, and a container that
 * passes its probe (a mesh sidecar probed on a status port it does not list) shows the probe reaches what it
 * should. A wrong liveness probe restarts its container every few periods, so one running and ready for longer
 * than the incident (an old restart long behind it) passes the probe it has.
 */
function undeclaredProbePorts(
  graph: EvidenceGraph,
  now: number,
): { workload: Finding['entity']; kind: ProbeKind; mismatch: string }[] {
  const found: { workload: Finding['entity']; kind: ProbeKind; mismatch: string }[] = [];
  for (const workload of graph.workloads) {
    const statuses = graph.podsOf(workload.ref).flatMap((p) => p.status?.containerStatuses ?? []);
    const restartedLately = (c: (typeof statuses)[number]) =>
      (c.restartCount ?? 0) > 0 && now - (toMs(c.state?.running?.startedAt) ?? now) <= 2 * HOUR;
    // A container down because its own process keeps exiting with an error never runs long enough to be probed: its
    // probe's port on paper says nothing about why it is not ready (a wrong liveness port gets it killed instead).
    const failing = (name: string) =>
      statuses.some((c) => c.name === name && (!c.ready || restartedLately(c)) && !downByItsOwnExit(c));
    for (const container of graph.podSpecOf(workload.ref)?.containers ?? []) {
      if (!failing(container.name)) continue;
      for (const kind of ['liveness', 'readiness', 'startup'] as const) {
        // The same probe passing in a replica that runs ready reaches what it should, whatever the ports declare.
        if (passesElsewhere(graph.podsOf(workload.ref), container, kind, now)) continue;
        const mismatch = probePortMismatch(container, kind);
        if (mismatch) found.push({ workload: workload.ref, kind, mismatch });
      }
    }
  }
  return found;
}

/**
 * Whether the workload's newest revision changed this kind of probe of a container from what the previous revision ran
 * (a revision without that container says nothing): the probe that fails is a new one.
 */
function probeRewritten(snapshot: ClusterSnapshot, workload: Finding['entity'], kind: ProbeKind): boolean {
  const [newest, previous] = revisions(snapshot, workload);
  if (!newest || !previous) return false;
  const before = previous.spec?.template?.spec?.containers ?? [];
  return (newest.spec?.template?.spec?.containers ?? []).some((container) => {
    const old = before.find((c) => c.name === container.name);
    const probe = probeOf(container, kind);
    return (
      old !== undefined && probe !== undefined && JSON.stringify(probe) !== JSON.stringify(probeOf(old, kind) ?? null)
    );
  });
}

const probeOf = (container: Container | undefined, kind: ProbeKind) =>
  kind === 'liveness'
    ? container?.livenessProbe
    : kind === 'readiness'
      ? container?.readinessProbe
      : container?.startupProbe;

// Exit codes of a container the kubelet stopped (SIGKILL, SIGTERM), as opposed to one that exited by itself.
const STOPPED_BY_KUBELET = new Set([137, 143]);

/** Whether an instance ended in an error exit of its own process: not zero, not the kubelet's stop, not an OOM kill. */
const endedByItsOwnError = (ended: { exitCode: number; reason?: string }): boolean =>
  ended.exitCode !== 0 && !STOPPED_BY_KUBELET.has(ended.exitCode) && ended.reason !== 'OOMKilled';

/** Whether a container is down (not running) after its process exited by itself with an error (not the kubelet's kill). */
function downByItsOwnExit(status: NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number]): boolean {
  if (status.state?.running) return false;
  const ended = status.state?.terminated ?? status.lastState?.terminated;
  return ended !== undefined && endedByItsOwnError(ended);
}

/** Whether the pod's containers that restarted last ended on their own: an error exit of the process, not a kill. */
function exitsByItself(pod: Pod): boolean {
  const ended = (pod.status?.containerStatuses ?? [])
    .filter((status) => (status.restartCount ?? 0) > 0)
    .map((status) => status.lastState?.terminated ?? status.state?.terminated)
    .filter((terminated) => terminated !== undefined);
  return ended.length > 0 && ended.every(endedByItsOwnError);
}

/**
 * Whether a pod running this very probe (same spec) has the container ready and not restarted lately: the probe
 * passes there, so it is not the probe that is wrong.
 */
function passesElsewhere(pods: Pod[], container: Container, kind: ProbeKind, now: number): boolean {
  const probe = JSON.stringify(probeOf(container, kind) ?? null);
  if (probe === 'null') return false;
  return pods.some((pod) => {
    const own = pod.spec?.containers.find((c) => c.name === container.name);
    if (JSON.stringify(probeOf(own, kind) ?? null) !== probe) return false;
    const status = pod.status?.containerStatuses?.find((c) => c.name === container.name);
    const restartedLately =
      (status?.restartCount ?? 0) > 0 && now - (toMs(status?.state?.running?.startedAt) ?? now) <= 2 * HOUR;
    return status?.ready === true && !restartedLately;
  });
}

function probePortMismatch(container: Container, kind: ProbeKind): string | undefined {
  const probe = probeOf(container, kind);
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
  const declared = container.ports ?? [];
  if (port === undefined || declared.length === 0) return undefined;
  const matches =
    typeof port === 'number' || /^\d+$/.test(String(port))
      ? declared.some((p) => p.containerPort === Number(port))
      : declared.some((p) => p.name === port);
  return matches
    ? undefined
    : `${kind} probe of container ${container.name} targets port ${port}, which the container does not expose (${declared.map((p) => p.name ?? p.containerPort).join(', ')})`;
}

/**
 * Whether the Services that select the pod leave it out of their ready addresses (listed not ready, or absent from
 * Endpoints that list addresses by pod).
 */
function outOfEndpoints(snapshot: ClusterSnapshot, graph: EvidenceGraph, pod: Pod): boolean {
  const name = pod.metadata?.name;
  return snapshot.services
    .filter((service) => graph.podsSelectedBy(service).includes(pod))
    .some((service) => {
      const endpoints = endpointsOf(snapshot.endpoints, service);
      const ready = readyAddresses(endpoints);
      const notReady = (endpoints?.subsets ?? []).flatMap((subset) => subset.notReadyAddresses ?? []);
      if (notReady.some((address) => address.targetRef?.name === name)) return true;
      const byPod = [...ready, ...notReady].some((address) => address.targetRef?.kind === 'Pod');
      return byPod && !ready.some((address) => address.targetRef?.name === name);
    });
}

import { configObject } from '../evidence/config-change.ts';
import { hostMentions, serviceNameOf, tokens } from '../evidence/hosts.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import type { ConfigMap } from '../evidence/config-change.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';

/**
 * Name resolution failures: the cluster DNS workload is down (pods labelled k8s-app=kube-dns), or a ConfigMap names a
 * cluster host that does not exist. (A bad host in env is the bad-env detector's.)
 */
export const dns: Detector = {
  id: 'dns',
  faultTypes: ['dns'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const failing = new Map<string, { workload: EntityRef; lines: ReturnType<typeof logLinesOf> }>();
    for (const workload of graph.workloads) {
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = lastDistinct(
        logLinesOf(snapshot, workload.ref.namespace ?? '', pods),
        (t) => RESOLVE_ERROR.test(t),
        3,
      );
      if (lines.length > 0) failing.set(refKey(workload.ref), { workload: workload.ref, lines });
    }

    const dnsPods = snapshot.pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns');
    const dnsWorkloads = new Map(dnsPods.map((p) => [refKey(graph.workloadOf(p)), graph.workloadOf(p)]));
    for (const workload of dnsWorkloads.values()) {
      const pods = graph.podsOf(workload);
      const ready = pods.filter(isPodReady).length;
      const desired = graph.workload(workload)?.desiredReplicas;
      if (ready > 0 && (desired === undefined || ready >= desired)) continue;
      findings.push({
        detector: 'dns',
        faultType: 'dns',
        entity: workload,
        affects: [workload, ...[...failing.values()].map((f) => f.workload)],
        strength: failing.size > 0 || ready === 0 ? 0.92 : 0.7,
        summary: `Cluster DNS ${workload.kind} ${workload.name} has ${ready}/${desired ?? pods.length} ready pods`,
        evidence: [
          { source: 'status', ref: workload, text: `${ready} of ${pods.length} DNS pods ready` },
          ...[...failing.values()].slice(0, 2).flatMap((f) => f.lines.slice(0, 1).map(logEvidence)),
        ],
      });
    }

    for (const { workload, lines } of failing.values()) {
      const namespace = workload.namespace ?? '';
      // The pod's own resolver settings: dnsPolicy None or explicit nameservers replace the cluster DNS.
      const spec = graph.podSpecOf(workload);
      if (spec?.dnsPolicy === 'None' || (spec?.dnsConfig?.nameservers ?? []).length > 0) {
        findings.push({
          detector: 'dns',
          faultType: 'dns',
          entity: workload,
          affects: [workload],
          strength: 0.9,
          summary: `${workload.kind} ${workload.name} resolves names through its own DNS settings (dnsPolicy ${spec?.dnsPolicy ?? 'ClusterFirst'}, nameservers ${(spec?.dnsConfig?.nameservers ?? []).join(', ') || 'none'}) and its lookups fail`,
          evidence: [
            {
              source: 'spec',
              ref: workload,
              text: `dnsPolicy ${spec?.dnsPolicy ?? 'ClusterFirst'}, dnsConfig ${JSON.stringify(spec?.dnsConfig ?? {})}`,
            },
            ...lines.slice(0, 2).map(logEvidence),
          ],
          ...(lastChange(graph.workload(workload)?.metadata)
            ? { changedAt: lastChange(graph.workload(workload)?.metadata) as string }
            : {}),
        });
        continue;
      }
      const hosts = new Set(
        lines.flatMap((l) => [
          ...hostMentions(l.text).map((m) => m.host),
          ...tokens(l.text).map((t) => t.toLowerCase()),
        ]),
      );
      for (const reference of graph.referencesOf(workload)) {
        if (reference.target.kind !== 'ConfigMap') continue;
        const configMap = configObject(snapshot, reference.target) as ConfigMap | undefined;
        const data = Object.values(configMap?.data ?? {}).join('\n');
        const bad = [...hosts].find((h) => {
          const target = serviceNameOf(h, namespace);
          return (
            target?.namespace === namespace &&
            h.length > 2 &&
            data.includes(h) &&
            !graph.service(namespace, target.name) &&
            hostMentions(data).some((m) => m.host === h)
          );
        });
        if (!bad) continue;
        findings.push({
          detector: 'dns',
          faultType: 'dns',
          entity: reference.target,
          affects: [workload],
          strength: 0.85,
          summary: `ConfigMap ${reference.target.name} points ${workload.name} at ${bad}, which no Service answers`,
          evidence: [
            { source: 'spec', ref: reference.target, text: `names host ${bad}; no Service ${bad} in ${namespace}` },
            ...lines.slice(0, 2).map(logEvidence),
          ],
        });
      }
    }
    return findings;
  },
};

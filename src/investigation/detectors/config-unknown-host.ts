import { configObject, type ConfigMap } from '../evidence/config-change.ts';
import { hostMentions, serviceNameOf, tokens } from '../evidence/hosts.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { stateEvidence } from '../evidence/pod-state.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { crashingWorkloads } from './crashing.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The reader crashes on it: the configuration's fault is the reader's whole story. */
  readerCrashes: 0.9,
  /** The configuration names a Service its namespace does not hold, and lookups of it fail. */
  namesNoService: 0.85,
} as const;

/**
 * A ConfigMap that points its reader at a cluster host no Service answers, and the reader's lookups of that host fail.
 * The lookup failing is name resolution working correctly (the name does not exist): the fault is the address in the
 * configuration, a bad-config fault of the ConfigMap, not a dns one. (The same in env is the bad-env detector's.)
 */
export const configUnknownHost: Detector = {
  id: 'config-unknown-host',
  faultTypes: ['crashloop-bad-config'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const crashing = new Map(crashingWorkloads(snapshot, graph).map((crash) => [refKey(crash.workload), crash]));
    for (const workload of graph.workloads) {
      const namespace = workload.ref.namespace ?? '';
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = lastDistinct(logLinesOf(snapshot, namespace, pods), (t) => RESOLVE_ERROR.test(t), 3);
      if (lines.length === 0) continue;
      const hosts = new Set(
        lines.flatMap((l) => [
          ...hostMentions(l.text).map((m) => m.host),
          ...tokens(l.text).map((t) => t.toLowerCase()),
        ]),
      );
      for (const reference of graph.referencesOf(workload.ref)) {
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
        const crash = crashing.get(refKey(workload.ref));
        findings.push(
          finding(configUnknownHost, {
            entity: reference.target,
            affects: [workload.ref],
            strength: crash ? STRENGTH.readerCrashes : STRENGTH.namesNoService,
            summary: `ConfigMap ${reference.target.name} points ${workload.ref.name} at ${bad}, which no Service answers${crash ? `; ${workload.ref.name} crashes on it` : ''}`,
            evidence: [
              { source: 'spec', ref: reference.target, text: `names host ${bad}; no Service ${bad} in ${namespace}` },
              ...lines.slice(0, 2).map(logEvidence),
              ...(crash?.states.slice(0, 1).map(stateEvidence) ?? []),
            ],
          }),
        );
      }
    }
    return findings;
  },
};

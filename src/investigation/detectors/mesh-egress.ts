import { EGRESS_REFUSED } from '../evidence/mesh-proxy-logs.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { type ReplicaSet, revisionOf } from '../evidence/revisions.ts';
import { recentRollouts, rollbackProposal } from '../evidence/rollout.ts';
import { toMs } from '../evidence/time.ts';
import { servedVersion } from '../evidence/routing-objects.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

const HOST = /\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})\b/gi;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The new revision's template changed a setting (env, args) and its proxy now refuses calls out. */
  newSettingRefused: 0.8,
  /** The new revision's proxy refuses calls out, with no setting seen to explain the new calls. */
  rolloutRefused: 0.6,
  /** Added when no ServiceEntry registers the refused hosts: the refusal is the registry's, as expected. */
  unregistered: 0.05,
  /** Added (negative) when one registers them: the refusal comes from elsewhere (exportTo, a Sidecar). */
  registered: -0.2,
} as const;

/**
 * A rollout that makes a workload call out where the mesh does not let it: since its newest revision, the proxy
 * injected into its pods drops calls to a host outside the mesh's registry. The egress policy stood before the rollout
 * and the calls did not; the revision's change is the fault (`bad-env` when it changed the environment, the setting
 * that switches such calls on, else `bad-rollout`), not the policy.
 */
export const meshEgress: Detector = {
  id: 'mesh-egress',
  faultTypes: ['bad-env', 'bad-rollout'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const { workload, current, previous } of recentRollouts(snapshot, graph)) {
      const since = toMs(current.metadata?.creationTimestamp) ?? 0;
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const refused = logLinesOf(snapshot, workload.ref.namespace ?? '', pods).filter(
        (line) => EGRESS_REFUSED.test(line.text) && (toMs(line.at) ?? since) >= since,
      );
      if (refused.length === 0) continue;
      const hosts = [...new Set(refused.flatMap((line) => [...line.text.matchAll(HOST)].map((m) => m[1] as string)))]
        .filter((host) => !/^\d/.test(host))
        .slice(0, 3);
      const changes = envChanges(previous, current);
      const registry = registryEvidence(snapshot, hosts, workload.ref);
      const evidence: Evidence[] = [
        ...changes.slice(0, 3).map((change) => ({
          source: 'change' as const,
          ref: workload.ref,
          text: `revision ${revisionOf(current)}: ${change}`,
          ...(current.metadata?.creationTimestamp ? { at: current.metadata.creationTimestamp } : {}),
        })),
        ...lastDistinct(refused, (text) => EGRESS_REFUSED.test(text), 2).map(logEvidence),
        ...registry.evidence,
      ];
      const found: Finding = finding(meshEgress, {
        faultType: changes.length > 0 ? 'bad-env' : 'bad-rollout',
        entity: workload.ref,
        affects: [workload.ref],
        strength: (changes.length > 0 ? STRENGTH.newSettingRefused : STRENGTH.rolloutRefused) + registry.strength,
        summary: `${workload.ref.name} revision ${revisionOf(current)}${changes.length > 0 ? ` (${changes[0]})` : ''} calls ${hosts.join(', ') || 'hosts outside the mesh'}, which the mesh's egress policy does not let out (its proxy drops them into BlackHoleCluster ${refused.length} times since the rollout)`,
        evidence,
        ...(current.metadata?.creationTimestamp ? { changedAt: current.metadata.creationTimestamp } : {}),
      });
      const remediation = rollbackProposal(snapshot, workload.ref, 'before it called outside the mesh');
      if (remediation) found.remediation = remediation;
      findings.push(found);
    }
    return findings;
  },
};

/**
 * What the mesh's registry of outside hosts (its ServiceEntries, read when a proxy refuses calls out) says of the hosts
 * refused: none registered confirms the refusal is the registry's (the calls are new, not the policy); one registered
 * means the refusal comes from elsewhere (its exportTo, a Sidecar narrowing egress), so the rollout is less certain.
 */
function registryEvidence(
  snapshot: ClusterSnapshot,
  hosts: string[],
  caller: EntityRef,
): { evidence: Evidence[]; strength: number } {
  const read =
    servedVersion(snapshot.apiGroups, 'ServiceEntry') !== undefined &&
    !snapshot.incomplete.some((list) => list.kind === 'ServiceEntry');
  if (!read || hosts.length === 0) return { evidence: [], strength: 0 };
  const registering = snapshot.serviceEntries.filter((entry) =>
    hosts.some((host) => (entry.spec?.hosts ?? []).some((pattern) => hostMatches(pattern, host))),
  );
  const entry = registering[0];
  if (!entry) {
    return {
      evidence: [
        {
          source: 'spec',
          ref: caller,
          text: `no ServiceEntry registers ${hosts.join(', ')} (${snapshot.serviceEntries.length} read), and the mesh lets only registered hosts out`,
        },
      ],
      strength: STRENGTH.unregistered,
    };
  }
  const ref = { kind: 'ServiceEntry', namespace: entry.metadata?.namespace ?? '', name: entry.metadata?.name ?? '' };
  return {
    evidence: [
      {
        source: 'spec',
        ref,
        text: `ServiceEntry ${ref.name} registers ${(entry.spec?.hosts ?? []).join(', ')}${entry.spec?.exportTo ? ` (exportTo ${entry.spec.exportTo.join(', ')})` : ''}: the refusal comes from where it is visible, or a Sidecar's egress`,
      },
    ],
    strength: STRENGTH.registered,
  };
}

/** A ServiceEntry host (`api.example.com`, or `*.example.com` for any name below it) matching a called host. */
const hostMatches = (pattern: string, host: string): boolean =>
  pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));

/**
 * `NAME: "old" → "new"` for each env value the newest revision set differently — short values too (changed-env skips
 * them because logs quote them by chance; here no quote is needed, and `ENABLE_X=1` is the typical switch).
 */
function envChanges(previous: ReplicaSet, current: ReplicaSet): string[] {
  const envOf = (rs: ReplicaSet) =>
    new Map(
      (rs.spec?.template?.spec?.containers ?? []).flatMap((c) =>
        (c.env ?? []).map((e) => [`${c.name}/${e.name}`, e.value ?? JSON.stringify(e.valueFrom ?? null)] as const),
      ),
    );
  const before = envOf(previous);
  const after = envOf(current);
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .filter((key) => before.get(key) !== after.get(key))
    .map((key) => `env ${key.split('/')[1]}: "${before.get(key) ?? ''}" → "${after.get(key) ?? ''}"`);
}

import { fieldsChangedAt } from '../evidence/changed-fields.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { errorsBeganAfter, lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { type EntityRef, type Finding, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The alias was repointed shortly before, and its callers' errors all began after that: circumstantial but tight —
   * the host they reach changed under them with nothing changed in them.
   */
  repointed: 0.65,
} as const;

/**
 * An ExternalName Service is an alias: its callers reach whatever host `spec.externalName` names. Someone repointing it
 * (managedFields records the edit of that field, or an edit after its creation that wrote no field set) moves every
 * caller to another host at once — a read replica, another region, a decommissioned server — with nothing changed in
 * them. When the callers' errors all began after that edit, the alias is where the fault is set, even when the
 * errors never name the host (the new host answers, just not as the callers need). The catalogue has no type for it:
 * other.
 */
export const externalNameRepointed: Detector = {
  id: 'external-name-repointed',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const service of snapshot.services) {
      if (service.spec?.type !== 'ExternalName' || !service.spec.externalName) continue;
      const repointedAt = repointTime(service.metadata);
      const at = toMs(repointedAt);
      if (!repointedAt || at === undefined || !changedBeforeOnset(at, onset)) continue;
      const ref = refOf('Service', service.metadata);
      const calling = new Set(graph.callersOf(ref).map((edge) => refKey(edge.from)));
      const callers = graph.workloads.filter((w) => calling.has(refKey(w.ref)));
      const failing = callers.flatMap((caller) => {
        const namespace = caller.ref.namespace ?? '';
        const pods = graph.podsOf(caller.ref).map((p) => p.metadata?.name ?? '');
        // The caller's log read reaches back before the edit, and its errors all came after it.
        if (!errorsBeganAfter(snapshot, namespace, pods, at)) return [];
        const errors = logLinesOf(snapshot, namespace, pods, (log) => !log.previous);
        return lastDistinct(errors, looksLikeError, 1).map((line) => ({ caller: caller.ref, line }));
      });
      if (failing.length === 0) continue;
      const affects: EntityRef[] = failing.map((f) => f.caller);
      findings.push(
        finding(externalNameRepointed, {
          entity: ref,
          affects,
          strength: STRENGTH.repointed,
          summary: `Service ${ref.name} is an alias (ExternalName) of ${service.spec.externalName}, repointed at ${repointedAt}; ${affects.map((a) => a.name).join(', ')} began failing after that ("${failing[0]?.line.text.slice(0, 160)}"): every call through the alias now reaches that host. To confirm: check that ${service.spec.externalName} is the host its callers need (a primary, not a replica; the right region), and restore the previous target`,
          evidence: [
            {
              source: 'spec',
              ref,
              text: `Service ${ref.name} is type ExternalName, an alias of ${service.spec.externalName}`,
            },
            changeEvidence(ref, repointedAt, 'externalName changed'),
            ...failing.slice(0, 2).map(({ line }) => logEvidence(line)),
          ],
          changedAt: repointedAt,
        }),
      );
    }
    return findings;
  },
};

/**
 * When the alias's target was last edited: the latest change whose recorded fields include `spec.externalName`, or,
 * when the change recorded no field set, the last change made after the Service was created. Its creation is no
 * repointing.
 */
function repointTime(metadata: Parameters<typeof lastChange>[0]): string | undefined {
  const changed = lastChange(metadata);
  if (!changed || changed === metadata?.creationTimestamp) return undefined;
  const created = toMs(metadata?.creationTimestamp);
  if (created !== undefined && (toMs(changed) ?? 0) <= created) return undefined;
  const fields = fieldsChangedAt(metadata, changed);
  if (fields.length === 0 || fields.some((field) => field === 'spec.externalName')) return changed;
  return undefined;
}

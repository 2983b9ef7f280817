import { eventEvidence } from '../evidence/events.ts';
import { evictorWorkloads, outsideEvictions, templateConfigMaps } from '../evidence/outside-evictions.ts';
import { configObject } from '../evidence/config-change.ts';
import { SUSPECT_CHANGE_WINDOW } from '../evidence/onset.ts';
import { lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import { owningWorkload } from '../focus.ts';
import { type EntityRef, type Finding, uniqueRefs } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The evicted pods' events name the evictor, its workload mounts the configuration, and that changed shortly before
   * the evictions began: what it evicts was just set there. The spec is not read against the evictions: below a
   * finding whose spec shows the fault and errors agree (0.85–0.92), above a symptom.
   */
  configChanged: 0.75,
  /** The evictor's own template (its arguments) changed shortly before instead. */
  evictorChanged: 0.7,
} as const;

/**
 * Pods evicted from outside (evidence/outside-evictions.ts) by a component whose workload, or the configuration it
 * mounts, changed shortly before the evictions began: the evictions — restarts of members that must stay up, a
 * leader lost, caches emptied — are that setting's doing, and the evicted workloads its victims. The catalogue has no
 * type for an eviction policy: other.
 */
export const outsideEviction: Detector = {
  id: 'outside-eviction',
  faultTypes: ['other'],
  detect(snapshot) {
    const now = snapshotNow(snapshot);
    const findings: Finding[] = [];
    for (const evictions of outsideEvictions(snapshot)) {
      const first = toMs(evictions.first) as number;
      const recent = (at: string | undefined) => {
        const ms = toMs(at);
        return ms !== undefined && ms <= first && now - ms <= SUSPECT_CHANGE_WINDOW;
      };
      const victims = uniqueRefs(
        evictions.events.flatMap((event) => {
          const ref = owningWorkload(
            event.involvedObject?.name ?? '',
            event.involvedObject?.namespace ?? event.metadata?.namespace ?? '',
            snapshot,
          );
          return ref ? [ref] : [];
        }),
      );
      for (const workload of evictorWorkloads(snapshot, evictions)) {
        const where = workload.metadata.namespace ?? '';
        const config = templateConfigMaps(workload.template)
          .map((name) => configObject(snapshot, { kind: 'ConfigMap', namespace: where, name }))
          .find((c) => c && recent(lastChange(c.metadata)));
        const workloadRef: EntityRef = { kind: workload.kind, namespace: where, name: workload.metadata.name ?? '' };
        const changedAt = config ? lastChange(config.metadata) : lastChange(workload.metadata);
        if (!config && !recent(changedAt)) continue;
        const entity: EntityRef = config
          ? { kind: 'ConfigMap', namespace: where, name: config.metadata?.name ?? '' }
          : workloadRef;
        const runs = config
          ? `, the configuration ${workload.kind} ${workloadRef.name} runs ${evictions.component} with`
          : ` (it runs ${evictions.component})`;
        const evicted = `${victims
          .slice(0, 4)
          .map((v) => `${v.kind} ${v.name}`)
          .join(', ')}${victims.length > 4 ? '…' : ''}`;
        findings.push(
          finding(outsideEviction, {
            entity,
            affects: [...victims, ...(config ? [workloadRef] : [])],
            strength: config ? STRENGTH.configChanged : STRENGTH.evictorChanged,
            summary: `${entity.kind} ${entity.name} changed at ${changedAt}${runs}; since ${evictions.first} it has evicted ${evictions.events.length} pods of ${evicted}. To confirm: compare it with the previous version (what it now evicts, and how often), and revert the setting there`,
            evidence: [
              {
                source: 'change',
                ref: entity,
                text: `${entity.kind} ${entity.name} last changed at ${changedAt}`,
                ...(changedAt ? { at: changedAt } : {}),
              },
              ...evictions.events.slice(0, 4).map(eventEvidence),
            ],
            ...(changedAt ? { changedAt } : {}),
          }),
        );
        // The component runs from one workload: the first whose configuration or template changed answers for it.
        break;
      }
    }
    return findings;
  },
};

import { changeEvidence } from '../evidence/config-change.ts';
import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import { addressFailures, pluginPools } from '../evidence/sandbox-pools.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Edited shortly before, and its spec scopes it to nodes: the edit can have taken the failing pods' node out of it.
   * Inferred from the timing and the shape; the plugin does not name the pool it no longer finds.
   */
  rescopedPool: 0.85,
  /** Edited shortly before, without a node scope of its own (its range, a flag that disables it). */
  editedPool: 0.7,
} as const;

/** A spec key that scopes a pool to nodes (`nodeSelector`, `nodeAffinity`, `nodes`). */
const NODE_SCOPE = /^node/i;

/**
 * New pods' sandboxes fail because the network plugin finds no address for their node (sandbox-pools.ts): the
 * plugin allocates from its pools, so a pool edited shortly before is where the node lost its addresses — its node
 * scope narrowed, its range moved, or it was disabled. A pool created in that change is not: a new pool takes no
 * address away from any node (it is the change's purpose, not its slip). Pods already running keep their addresses,
 * so only pods created since fail: their workload (whatever rolled it) is the victim. The catalogue has no type for
 * it: other.
 */
export const sandboxAddressPool: Detector = {
  id: 'sandbox-address-pool',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const failures = addressFailures(snapshot.events);
    if (failures.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const found = new Map<string, Finding>();
    for (const { event, plugin } of failures) {
      const about = event.involvedObject;
      const pod = graph.pod(about?.namespace ?? '', about?.name ?? '');
      const victim: EntityRef[] = pod ? [graph.workloadOf(pod)] : [];
      for (const pool of pluginPools(snapshot, plugin)) {
        const changedAt = lastChange(pool.metadata);
        const created = pool.metadata?.creationTimestamp;
        if (!changedAt || toMs(changedAt) === toMs(created) || !changedBeforeOnset(changedAt, onset)) continue;
        const entity = refOf(pool.kind, pool.metadata);
        const held = found.get(refKey(entity));
        if (held) {
          for (const v of victim) if (!held.affects.some((a) => refKey(a) === refKey(v))) held.affects.push(v);
          continue;
        }
        const scoped = Object.keys(pool.spec ?? {}).some((key) => NODE_SCOPE.test(key));
        found.set(
          refKey(entity),
          finding(sandboxAddressPool, {
            entity,
            affects: victim,
            strength: scoped ? STRENGTH.rescopedPool : STRENGTH.editedPool,
            summary: `${pool.kind} ${entity.name} was edited at ${changedAt}, shortly before the ${plugin} network plugin began to find no address for new pods' node${scoped ? ' (it scopes which nodes it serves)' : ''}: their sandboxes cannot be created`,
            evidence: [eventEvidence(event), changeEvidence(entity, changedAt, 'last changed')],
            changedAt,
          }),
        );
      }
    }
    return [...found.values()];
  },
};

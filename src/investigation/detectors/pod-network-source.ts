import { changeEvidence } from '../evidence/config-change.ts';
import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { sandboxFailures, selectsPod } from '../evidence/pod-networks.ts';
import { HOUR, lastChange, toMs } from '../evidence/time.ts';
import { type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The plugin states it cannot give the pods a network, and the resource that says which network they get changed
   * shortly before: the spec is the likeliest fault, though the error does not quote it.
   */
  selectsFailing: 0.7,
} as const;

/** A change this long before the first failure still explains it; older, pods got their network from it since. */
const NEAR = 3 * HOUR;

/**
 * Pods whose sandbox the network plugin cannot set up (evidence/pod-networks.ts), selected by a resource of the
 * plugin's that changed shortly before the failures began: the network it now gives them (an address pool, a subnet
 * with no addresses left) is what fails, with nothing changed in the pods. The pods and their workload are its
 * victims. A resource that did not change, or selects other pods, is not blamed. The catalogue has no type: other.
 */
export const podNetworkSource: Detector = {
  id: 'pod-network-source',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    if (snapshot.customObjects.length === 0) return [];
    const findings = new Map<string, Finding>();
    for (const failure of sandboxFailures(snapshot)) {
      const failedFrom = toMs(failure.since);
      if (failedFrom === undefined) continue;
      for (const object of snapshot.customObjects) {
        const changedAt = lastChange(object.metadata);
        const changed = toMs(changedAt);
        if (changed === undefined || changed > failedFrom || failedFrom - changed > NEAR) continue;
        if (!selectsPod(snapshot, object, failure.pod)) continue;
        const workload = graph.workloadOf(failure.pod);
        const entity = refOf(object.kind, object.metadata);
        const held = findings.get(refKey(entity));
        if (held) {
          seenAgain(held, workload);
          continue;
        }
        findings.set(
          refKey(entity),
          finding(podNetworkSource, {
            entity,
            affects: [workload],
            strength: STRENGTH.selectsFailing,
            summary: `${object.kind} ${entity.name} selects the pods of ${workload.kind} ${workload.name} and gives them their network; it changed at ${changedAt}, and the network plugin fails to set up their sandboxes since ${failure.since}. To confirm: compare what changed in it (its address pools, subnets, security groups) with what the plugin reports, and read the plugin's log on the pods' node`,
            evidence: [changeEvidence(entity, changedAt as string, 'last changed'), eventEvidence(failure.event)],
            changedAt: changedAt as string,
          }),
        );
      }
    }
    return [...findings.values()];
  },
};

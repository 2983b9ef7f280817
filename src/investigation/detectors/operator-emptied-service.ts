import { changeEvidence } from '../evidence/config-change.ts';
import { readInFull } from '../evidence/completeness.ts';
import { eventEvidence, eventTime, type KubeEvent } from '../evidence/events.ts';
import { type StoppedByResource, stoppedByResource } from '../evidence/stopped-by-resource.ts';
import { refOf } from '../evidence/graph.ts';
import { formatLabels } from '../evidence/labels.ts';
import { operatorAddressed, ownerObject } from '../evidence/operator-addressed.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The Service's selector stood unchanged, and the resource that makes the pods it addresses changed shortly before:
   * above service-selector's "matches nothing" (0.6), which cannot say why, below a selector that misses its pods.
   */
  ownerChanged: 0.75,
  /**
   * No pod of the resource is left, and its operator's events since say it acted on it shortly before: the same
   * standing as a resource whose change is read, the operator's own word standing in for the change.
   */
  operatorActed: 0.75,
} as const;

// A change this long before the snapshot still explains pods gone; older, they ran since.
const NEAR = CHANGE_WINDOW;

/**
 * A Service that selects no pod, beside pods an operator's resource makes that carry part of its selector
 * (evidence/operator-addressed.ts), when the Service did not change shortly before and the resource did: the operator
 * took the addressed pods away as the resource now says (a start policy, a replica count of a role). When it took them
 * all (the resource hibernated, halted, paused), no sibling is left to lead to it: then a value of the selector names
 * the resource, and its operator's events about it shortly before say it acted (evidence/stopped-by-resource.ts). The
 * fault lives in the resource; the Service, unchanged, is its victim. The catalogue has no type for it: other.
 */
export const operatorEmptiedService: Detector = {
  id: 'operator-emptied-service',
  faultTypes: ['other'],
  detect(snapshot, _graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const recent = (at: string | undefined) => changedBeforeOnset(at, onset, NEAR);
    const namespaces = new Set(snapshot.services.map((s) => s.metadata?.namespace ?? ''));
    const findings: Finding[] = [];
    for (const namespace of namespaces) {
      // "Selects no pod" needs every pod of the namespace read.
      if (!readInFull(snapshot, 'Pod', namespace)) continue;
      const explained = new Set<string>();
      for (const { service, siblings, owner } of operatorAddressed(snapshot, namespace)) {
        const object = ownerObject(snapshot, namespace, owner);
        const changedAt = lastChange(object?.metadata);
        if (!object || !recent(changedAt) || recent(lastChange(service.metadata))) continue;
        explained.add(service.metadata?.name ?? '');
        const entity = refOf(object.kind, object.metadata);
        const serviceRef = refOf('Service', service.metadata);
        const selector = formatLabels(service.spec?.selector ?? {});
        findings.push(
          finding(operatorEmptiedService, {
            entity,
            affects: [serviceRef],
            strength: STRENGTH.ownerChanged,
            summary: `Service ${serviceRef.name} selects ${selector}, which no pod carries any more, though it did not change; ${object.kind} ${entity.name}, which makes the pods beside it (${siblings.map((p) => p.metadata?.name).join(', ')}), changed at ${changedAt}: its operator runs the pods it now says, without those the Service addresses. To confirm: compare what changed in it (a start policy, a replica count) with the pods the Service needs, and read its operator's log`,
            evidence: [
              changeEvidence(entity, changedAt as string, 'last changed'),
              {
                source: 'spec',
                ref: serviceRef,
                text: `selector ${selector} matches 0 pods; the Service last changed at ${lastChange(service.metadata)}`,
              },
            ],
            changedAt: changedAt as string,
          }),
        );
      }
      for (const stopped of stoppedByResource(snapshot, namespace, recent)) {
        if (explained.has(stopped.service.metadata?.name ?? '') || recent(lastChange(stopped.service.metadata)))
          continue;
        findings.push(stoppedFinding(stopped));
      }
    }
    return findings;
  },
};

/**
 * No pod carries the Service's selector any more, and the resource one of its values names had its operator act on it
 * shortly before (events about it): the operator took its pods away as the resource now says. The operator's first act
 * dates the change (the resource itself need not have been read).
 */
function stoppedFinding({ service, resource, events }: StoppedByResource): Finding {
  const firstAct = eventTime(events[0] as KubeEvent) as string;
  const serviceRef = refOf('Service', service.metadata);
  const selector = formatLabels(service.spec?.selector ?? {});
  return finding(operatorEmptiedService, {
    entity: resource,
    affects: [serviceRef],
    strength: STRENGTH.operatorActed,
    summary: `Service ${serviceRef.name} selects ${selector}, which no pod carries any more, though it did not change; its selector names ${resource.kind} ${resource.name}, whose operator acted on it at ${firstAct} (${events[0]?.reason}): it removed the pods the resource no longer asks for. To confirm: read what changed in the resource (an annotation or field that stops, pauses or empties it, a condition saying so) and revert it there`,
    evidence: [
      ...events.slice(0, 3).map(eventEvidence),
      {
        source: 'spec',
        ref: serviceRef,
        text: `selector ${selector} matches 0 pods; the Service last changed at ${lastChange(service.metadata)}`,
      },
    ],
    changedAt: firstAct,
  });
}

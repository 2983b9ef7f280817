import { eventEvidence, eventSubject } from '../evidence/events.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';

const EXCEEDED = /exceeded quota: ([a-z0-9.-]+)/i;

/** Controllers that cannot create pods because a ResourceQuota is used up: the quota is where it must change. */
export const quotaExceeded: Detector = {
  id: 'quota-exceeded',
  faultTypes: ['quota-exceeded'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const event of snapshot.events) {
      const match = EXCEEDED.exec(event.message ?? '');
      if (!match || !/FailedCreate|Failed/.test(event.reason ?? '')) continue;
      const subject = eventSubject(event);
      const namespace = subject.namespace ?? '';
      const quota = { kind: 'ResourceQuota', namespace, name: match[1] as string };
      const object = snapshot.resourceQuotas.find(
        (q) => q.metadata?.namespace === namespace && q.metadata?.name === quota.name,
      );
      const owner = graph.edges.find((e) => e.kind === 'owns' && refKey(e.to) === refKey(subject))?.from ?? subject;
      const key = refKey(quota);
      const existing = findings.get(key);
      if (existing) {
        if (!existing.affects.some((a) => refKey(a) === refKey(owner))) existing.affects.push(owner);
        existing.evidence.push(eventEvidence(event));
        continue;
      }
      const finding: Finding = {
        detector: 'quota-exceeded',
        faultType: 'quota-exceeded',
        entity: quota,
        affects: [owner],
        strength: 0.95,
        summary: `ResourceQuota ${quota.name} is exhausted: ${owner.kind} ${owner.name} cannot create pods`,
        evidence: [
          eventEvidence(event),
          ...(object
            ? [
                {
                  source: 'status' as const,
                  ref: quota,
                  text: `hard ${JSON.stringify(object.status?.hard ?? object.spec?.hard ?? {})}, used ${JSON.stringify(object.status?.used ?? {})}`,
                },
              ]
            : []),
        ],
      };
      const changed = lastChange(object?.metadata);
      if (changed) finding.changedAt = changed;
      findings.set(key, finding);
    }
    return [...findings.values()];
  },
};

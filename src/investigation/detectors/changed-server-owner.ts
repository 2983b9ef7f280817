import { calledOperatorServers, type CalledServer } from '../evidence/called-server-owners.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { asRecord, type CustomObject } from '../evidence/custom-object.ts';
import { eventEvidence, eventNamespace, eventTime } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import { lastChange, MINUTE, toMs } from '../evidence/time.ts';
import { type EntityRef, type Evidence, type Finding, LOG_TEXT_LIMIT, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The resource changed shortly before, its server's pods were not replaced, and the callers' errors began after the
   * change: above the victims' own readiness and error leads (0.55, 0.3), below a detector that reads the setting
   * against the errors (limit-setting: 0.72–0.9).
   */
  changed: 0.62,
  /** The same, with the operator's own word since the change (an event about the resource, a condition not True). */
  confirmed: 0.7,
} as const;

/** The callers' errors may precede the change they follow by this much (clocks, a log line's own rounding). */
const SLACK = MINUTE;

/** A condition of a resource's status that says it is not as its spec asks (type Ready/Synced… with status not True). */
interface NotTrue {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function conditionsNotTrue(object: CustomObject): NotTrue[] {
  const conditions = asRecord(object.status).conditions;
  if (!Array.isArray(conditions)) return [];
  return conditions
    .map(asRecord)
    .filter((c) => typeof c.type === 'string' && typeof c.status === 'string' && c.status !== 'True')
    .map((c) => c as unknown as NotTrue);
}

interface Held {
  top: CustomObject;
  changedAt: string;
  calls: CalledServer[];
}

/**
 * A server that workloads call, whose pods an operator generates from a custom resource (ownerReferences: the resource →
 * its Deployment or StatefulSet → the pods), and that resource's spec changed shortly before the callers' errors began,
 * while the server's pods were not replaced: the operator enforces what the resource now says on the running server
 * (it pauses it, lowers a limit, changes who may do what), so the server's pods stay Ready and unchanged while they
 * hang or refuse the callers. The setting lives in the resource, not in the generated objects (the operator would undo
 * a change there) nor in the callers, which are victims. A resource unchanged for long, or changed only after the
 * callers' errors began, explains nothing here. The catalogue has no type for it: other.
 */
export const changedServerOwner: Detector = {
  id: 'changed-server-owner',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const byTop = new Map<string, Held>();
    for (const call of calledOperatorServers(snapshot, graph)) {
      const top = call.chain.at(-1);
      const changedAt = top && lastChange(top.metadata);
      const at = toMs(changedAt);
      const made = toMs(top?.metadata?.creationTimestamp);
      if (!top || !changedAt || at === undefined || made === undefined || at <= made) continue;
      if (!changedBeforeOnset(at, onset, CHANGE_WINDOW)) continue;
      // Pods made since the change are operator-resource's: the change reached them by replacing them.
      if (call.servers.some((pod) => (toMs(pod.metadata?.creationTimestamp) ?? 0) >= at)) continue;
      // The callers failed before: the change did not start it.
      if (call.firstError !== undefined && call.firstError < at - SLACK) continue;
      const key = refKey(refOf(top.kind, top.metadata));
      const held = byTop.get(key) ?? { top, changedAt, calls: [] };
      held.calls.push(call);
      byTop.set(key, held);
    }
    return [...byTop.values()].map((held) => findingOf(snapshot, held));
  },
};

function findingOf(snapshot: ClusterSnapshot, { top, changedAt, calls }: Held): Finding {
  const entity = refOf(top.kind, top.metadata);
  const since = toMs(changedAt) ?? 0;
  // What the operator said of the resource since the change (it paused, reconciled, refused).
  const said = snapshot.events.filter(
    (event) =>
      (toMs(eventTime(event)) ?? 0) >= since &&
      event.involvedObject?.kind === top.kind &&
      event.involvedObject?.name === top.metadata?.name &&
      eventNamespace(event) === top.metadata?.namespace,
  );
  const notTrue = conditionsNotTrue(top);
  const unique = (refs: EntityRef[]) => [...new Map(refs.map((ref) => [refKey(ref), ref])).values()];
  const generated = unique(
    calls.flatMap((call) => [...call.generated, ...call.chain.slice(0, -1)].map((g) => refOf(g.kind, g.metadata))),
  );
  const services = unique(calls.map((call) => call.service));
  const callers = unique(calls.map((call) => call.caller));
  const evidence: Evidence[] = [
    changeEvidence(entity, changedAt, 'last changed'),
    ...said.slice(0, 2).map(eventEvidence),
    ...notTrue.slice(0, 1).map(
      (c): Evidence => ({
        source: 'status',
        ref: entity,
        text: `condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
      }),
    ),
    ...calls
      .slice(0, 1)
      .map((call): Evidence => ({ source: 'log', ref: call.caller, text: call.line.slice(0, LOG_TEXT_LIMIT) })),
  ];
  const servers = services.map((s) => `${s.name}.${s.namespace}`).join(', ');
  return finding(changedServerOwner, {
    entity,
    affects: [...generated, ...services, ...callers],
    strength: said.length > 0 || notTrue.length > 0 ? STRENGTH.confirmed : STRENGTH.changed,
    summary: `${top.kind} ${entity.name} changed at ${changedAt}, shortly before ${callers.map((c) => c.name).join(', ')} began to fail calling ${servers}, whose pods its operator generates from it (${generated.map((g) => `${g.kind} ${g.name}`).join(', ') || 'directly'}) and did not replace: the operator enforces the resource's new spec on the running server. To confirm: compare its spec with the previous one and revert the setting there — not in the generated objects, which the operator rewrites`,
    evidence,
    changedAt,
  });
}

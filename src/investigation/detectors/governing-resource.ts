import { REFUSALS, refusalsIn, specStrings } from '../evidence/governing-resources.ts';
import { refOf } from '../evidence/graph.ts';
import { logEvidence, logLinesOf } from '../evidence/logs.ts';
import { HOUR, lastChange, snapshotNow, SUSPECT_CHANGE_WINDOW, toMs } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before, and it names what the refused client is or asks for: the rule behind the refusal. */
  namesRefused: 0.8,
  /**
   * Changed shortly before, of a kind that holds such rules, where the refused client or what refuses it lives, but
   * naming neither (a rule that no longer names the client says so by its absence): circumstantial.
   */
  changedNear: 0.5,
} as const;

/** A rule changed this long before the snapshot, naming nothing refused, is still a suspect; older, it stood without harm. */
const NEAR = 3 * HOUR;

/**
 * What a refused request can name: an object's name (`invoices.issued`, `geo-lookup`), lower-case with a separator —
 * not a word of the spec (`Service`, `deny`) that an error message may hold by chance.
 */
const OBJECT_NAME = /^[a-z0-9]+(?:[-._][a-z0-9]+)+$/;

/** Names shorter than this match too much by chance (`a`, `db`). */
const MIN_NAME = 4;

/**
 * A dependency refuses the victims on its own authority (authorization denied, a limit reached) and a custom resource
 * read near them, which can hold such a rule, changed shortly before and names what is refused — the client's own name
 * or configured identity, or something its refused requests name (a topic, a queue): that resource sets the rule. The
 * catalogue has no type for it: other.
 */
export const governingResource: Detector = {
  id: 'governing-resource',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    if (snapshot.customObjects.length === 0) return [];
    const now = snapshotNow(snapshot);
    // The refused clients: workloads whose error lines read are refusals, with those lines.
    const refused = new Map<string, { workload: EntityRef; lines: ReturnType<typeof logLinesOf> }>();
    for (const log of snapshot.logs) {
      const pod = graph.pod(log.namespace, log.pod);
      if (!pod) continue;
      const lines = logLinesOf(snapshot, log.namespace, [log.pod]).filter((line) => refusalsIn([line.text]).length > 0);
      if (lines.length === 0) continue;
      const workload = graph.workloadOf(pod);
      const held = refused.get(refKey(workload)) ?? { workload, lines: [] };
      held.lines.push(...lines);
      refused.set(refKey(workload), held);
    }
    if (refused.size === 0) return [];
    const clients = [...refused.values()];
    // What the refused clients are (their names, the identities their settings give) and what their refusals name.
    const identities = new Set(
      clients.flatMap(({ workload }) => [
        workload.name,
        ...(graph.podSpecOf(workload)?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.value ?? '')),
      ]),
    );
    const refusalText = clients.flatMap(({ lines }) => lines.map((line) => line.text)).join('\n');
    const findings: Finding[] = [];
    for (const object of snapshot.customObjects) {
      const changedAt = lastChange(object.metadata);
      const at = toMs(changedAt);
      if (at === undefined || now - at > SUSPECT_CHANGE_WINDOW) continue;
      const name = object.metadata?.name ?? '';
      const named = [name, ...specStrings(object.spec)].filter((text) => text.length >= MIN_NAME);
      const identity = named.find((text) => identities.has(text));
      const quoted = identity ? undefined : named.find((text) => OBJECT_NAME.test(text) && refusalText.includes(text));
      const match = identity ?? quoted;
      if (!match && now - at > NEAR) continue;
      const entity = refOf(object.kind, object.metadata);
      const kinds = Object.keys(REFUSALS).filter((refusal) =>
        REFUSALS[refusal as keyof typeof REFUSALS].test(refusalText),
      );
      findings.push(
        finding(governingResource, {
          entity,
          affects: clients.map(({ workload }) => workload),
          strength: match ? STRENGTH.namesRefused : STRENGTH.changedNear,
          summary: `${object.kind} ${name} changed at ${changedAt}${match ? ` and ${identity ? `names ${match}, which ${clients.map((c) => c.workload.name).join(', ')} ${identity === clients[0]?.workload.name ? 'is' : 'connects as'}` : `names ${match}, which the refused requests name`}` : ''}; since then ${clients.map((c) => c.workload.name).join(', ')} ${clients.length > 1 ? 'are' : 'is'} refused (${kinds.join(', ')}): ${match ? 'the rule it sets refuses them' : `the likeliest rule behind the refusals. To confirm: compare what it admits with who ${clients[0]?.workload.name} connects as`}`,
          evidence: [
            {
              source: 'change',
              ref: entity,
              text: `${object.kind} ${name} last changed at ${changedAt}`,
              at: changedAt as string,
            },
            ...clients
              .flatMap(({ lines }) => lines.slice(-2))
              .slice(0, 3)
              .map(logEvidence),
          ],
          changedAt: changedAt as string,
        }),
      );
    }
    return findings;
  },
};

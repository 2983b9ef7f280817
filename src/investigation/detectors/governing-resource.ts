import { type Refusal, refusalsIn, rulesSpokenOf, specStrings } from '../evidence/governing-resources.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { calleesOf, refOf } from '../evidence/graph.ts';
import { logEvidence, logLinesOf, type PodLogLine } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import { DATA_PLANE_REFUSAL, proxyContainerOf } from '../evidence/mesh-proxy-logs.ts';
import { podControllers } from '../evidence/peer-namespaces.ts';
import { admitsIdentity, governedWorkloads, type PodIdentity } from '../evidence/policy-targets.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before, and it names what the refused client is or asks for: the rule behind the refusal. */
  namesRefused: 0.8,
  /**
   * Changed shortly before and naming the refused party, but its spec neither speaks of the refusal seen (a message
   * time-to-live where publishes are refused for length) nor scopes a pattern that takes in what the refusals name:
   * beside a rule that does (changed in the same sync), the lesser suspect.
   */
  namesOnly: 0.7,
  /**
   * A standing limit (a rate, a size) that names the refused server or client and speaks of that very limit: nothing
   * changed in it, the load grew into it (a peak, bigger requests). The rule still is what refuses, and where the fix
   * goes; below a change shortly before, which explains the onset as well.
   */
  standingLimit: 0.6,
  /**
   * Changed shortly before, of a kind that holds such rules, where the refused client or what refuses it lives, but
   * naming neither (a rule that no longer names the client says so by its absence): circumstantial.
   */
  changedNear: 0.5,
} as const;

// A rule changed this long before the snapshot, naming nothing refused, is still a suspect; older, it stood without harm.
const NEAR = CHANGE_WINDOW;

/**
 * What a refused request can name: an object's name (`invoices.issued`, `geo-lookup`), lower-case with a separator —
 * not a word of the spec (`Service`, `deny`) that an error message may hold by chance.
 */
const OBJECT_NAME = /^[a-z0-9]+(?:[-._][a-z0-9]+)+$/;

/** Names shorter than this match too much by chance (`a`, `db`). */
const MIN_NAME = 4;

/**
 * Where a compound reference names an object among other parts: a mesh's service name (`cart_shop_svc_80`), an
 * identity (`cart.shop.serviceaccount.identity…`), a principal (`User:cart`).
 */
const NAME_PARTS = /[_/:@,\s]+|\.(?=[a-z])/;

/** The object names a refusal text may quote (`transcode.jobs`, `booking.confirmed`), as OBJECT_NAME reads them. */
const QUOTED_NAME = /[a-z0-9]+(?:[-._][a-z0-9]+)+/g;

/** The wildcards of a spec's match patterns: a regular expression's, a glob's, a topic's (`#`, `*`, NATS' `>`). */
const WILDCARD = /[*#>^$\\]|\.\*|\.\+/;

/**
 * The name among `names` a pattern of the spec takes in — a regular expression (`^transcode\.`), a glob or topic
 * pattern (`booking.#`, `orders-*`) — when its literal part is an object name of its own, not a catch-all (`#`, `.*`):
 * the rule is scoped to what the refusals name.
 */
export function scopedName(strings: readonly string[], names: readonly string[]): string | undefined {
  for (const pattern of strings) {
    if (!WILDCARD.test(pattern) || pattern.length > 200) continue;
    const literal = pattern.replace(/\\(.)/g, '$1').replace(/[\^$*#>+?()[\]{}|]|\.\*|\.\+/g, '');
    if (literal.replace(/[-._]+$/, '').length < MIN_NAME) continue;
    const matcher = patternMatcher(pattern);
    const name = matcher && names.find((n) => matcher.test(n));
    if (name) return name;
  }
  return undefined;
}

/** A regular expression (anchored or escaped: `^…`, `…$`, `\.`) as written, else a glob or topic pattern. */
function patternMatcher(pattern: string): RegExp | undefined {
  try {
    if (/^\^|\$$|\\/.test(pattern)) return new RegExp(pattern);
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/[*#>]/g, '.*');
    return new RegExp(`^${escaped}$`);
  } catch {
    return undefined;
  }
}

/** Limits that load alone can reach, with nothing changed: a rate, a size. An authorisation never is. */
const LOAD_BOUND: readonly Refusal[] = ['limit', 'size'];

/** The refused (or refusing) workloads whose error lines read are refusals, with those lines. */
interface Refused {
  workload: EntityRef;
  lines: PodLogLine[];
}

/**
 * A dependency refuses the victims on its own authority (authorization denied, a limit reached, a body too large) and
 * a custom resource that can hold such a rule sets it: changed shortly before and naming what is refused — the
 * client's own name or configured identity, the server it calls, or something its refused requests name (a topic, a
 * queue) — or changed shortly before naming nothing, or standing for long but naming the refused party and speaking
 * of the very limit reached (a rate, a size: load grew into it). The refused caller is a victim. The catalogue has no
 * type for it: other.
 *
 * A mesh or a gateway refuses in its data plane, in front of the server's application (which never sees the request):
 * the policies that govern it are those that select the server's pods by their shape — a pod selector, a targetRef to
 * its Service, to a route to it or to an object that selects its pods, or an object such a policy requires by kind and
 * name (evidence/policy-targets.ts). Such a policy, changed shortly before, governs the refusals when the server's
 * proxy logs them or a caller quotes the data plane's own words; it governs none when the server's application answers
 * the refusal itself; and an allow-list that names the refused caller's identity admits it: another rule refuses.
 */
export const governingResource: Detector = {
  id: 'governing-resource',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const clients = refusedWorkloads(snapshot, graph);
    if (clients.length === 0) return [];
    // What the refused are (their names, the identities their settings give) and what their refusals name.
    const identities = new Set(
      clients.flatMap(({ workload }) => [
        workload.name,
        ...(graph.podSpecOf(workload)?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.value ?? '')),
      ]),
    );
    const refusalText = clients.flatMap(({ lines }) => lines.map((line) => line.text)).join('\n');
    const called = refusingServers(graph, clients, refusalText);
    const refusals = refusalsIn([refusalText]);
    const quotedNames = [...new Set(refusalText.match(QUOTED_NAME) ?? [])];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const { refusedInDataPlane, refusedByApp, callers } = whereRefused(snapshot, graph, clients);
    const findings: Finding[] = [];
    for (const object of snapshot.customObjects) {
      const changedAt = lastChange(object.metadata);
      const at = toMs(changedAt);
      const recent = changedBeforeOnset(at, onset);
      const name = object.metadata?.name ?? '';
      const named = [name, ...specStrings(object.spec)].flatMap((text) => [text, ...text.split(NAME_PARTS)]);
      const long = named.filter((text) => text.length >= MIN_NAME);
      const identity = long.find((text) => identities.has(text));
      const server = identity ? undefined : long.find((text) => called.has(text) && OBJECT_NAME.test(text));
      const quoted =
        identity || server ? undefined : long.find((text) => OBJECT_NAME.test(text) && refusalText.includes(text));
      const scoped = scopedName(specStrings(object.spec), quotedNames);
      // A policy the data plane applies to the pods it selects (its shape: a selector, a targetRef): it governs the
      // server whose proxy refuses; it governs nothing refused when the refusing server's own application answers.
      const governed = governedWorkloads(object, snapshot, graph);
      const selected = governed.find((workload) => refusedInDataPlane.has(refKey(workload)))?.name;
      if (!selected && governed.some((workload) => refusedByApp.has(refKey(workload)))) continue;
      // An allow-list on the refusing server that names the refused callers' identities admits them: not the rule.
      if (selected && admitsIdentity(object, callers)) continue;
      const match = identity ?? server ?? quoted ?? scoped ?? selected;
      const spoken = rulesSpokenOf(object.spec).filter((rule) => refusals.includes(rule));
      const limits = spoken.filter((rule) => LOAD_BOUND.includes(rule));
      const explains = spoken.length > 0 || scoped !== undefined;
      const strength = recent
        ? match
          ? explains
            ? STRENGTH.namesRefused
            : STRENGTH.namesOnly
          : changedBeforeOnset(at, onset, NEAR)
            ? STRENGTH.changedNear
            : undefined
        : match && limits.length > 0
          ? STRENGTH.standingLimit
          : undefined;
      if (strength === undefined) continue;
      const entity = refOf(object.kind, object.metadata);
      const who = clients.map((c) => c.workload.name).join(', ');
      const what = !match
        ? ''
        : match === selected && !identity && !server && !quoted && !scoped
          ? `selects ${selected}, whose proxy refuses requests on its behalf`
          : `names ${match}, which ${identity ? (identity === clients[0]?.workload.name ? `${who} is` : `${who} connects as`) : server ? `${who} calls` : 'the refused requests name'}`;
      const summary = recent
        ? `${object.kind} ${name} changed at ${changedAt}${what ? ` and ${what}` : ''}; since then ${who} ${clients.length > 1 ? 'log' : 'logs'} refusals (${refusals.join(', ')}): ${match ? (explains ? 'the rule it sets refuses them' : 'but it sets nothing of the kind refused, nor scopes what the refusals name: a lesser suspect') : 'the likeliest rule behind the refusals. To confirm: compare what it admits with what is refused, and who asks'}`
        : `${object.kind} ${name} ${what} and sets a ${limits.join(' and ')} rule; ${who} ${clients.length > 1 ? 'are' : 'is'} refused by it (${refusals.join(', ')}): unchanged since ${changedAt ?? 'it was made'}, the load has grown into it. Raise the limit (or shed the load) there, not in the refused callers`;
      findings.push(
        finding(governingResource, {
          entity,
          affects: clients.map(({ workload }) => workload),
          strength,
          summary,
          evidence: evidenceOf(entity, object.kind, name, changedAt, recent, clients),
          ...(recent ? { changedAt: changedAt as string } : {}),
        }),
      );
    }
    return findings;
  },
};

/**
 * The server whose rule refuses the clients, as their configuration names what they call (the graph's dependencies):
 * those of them the refusals name, else the one server they call, if they call one. A rule set on that server names
 * it, whether or not the refused requests do.
 */
function refusingServers(graph: EvidenceGraph, clients: Refused[], refusalText: string): Set<string> {
  const called = new Set(
    clients.flatMap(({ workload }) =>
      graph
        .dependenciesOf(workload)
        .filter((edge) => edge.kind === 'depends-on')
        .map((edge) => edge.to.name),
    ),
  );
  const named = [...called].filter((name) => refusalText.includes(name));
  return new Set(named.length > 0 ? named : called.size === 1 ? called : []);
}

/**
 * Where the refusals were answered. In the data plane: by a workload's own proxy (a line of the container beside its
 * application), or in a data plane's own words a caller quotes (DATA_PLANE_REFUSAL) — then by the servers that caller
 * calls. By the application: a workload whose refusal lines all come from its application and say nothing of a data
 * plane (a service's own 403).
 */
function whereRefused(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  clients: Refused[],
): { refusedInDataPlane: Set<string>; refusedByApp: Set<string>; callers: PodIdentity[] } {
  const controllers = podControllers(snapshot);
  const byProxy = (line: PodLogLine) => {
    const pod = graph.pod(line.namespace, line.pod);
    return pod !== undefined && proxyContainerOf(pod, controllers) === line.container;
  };
  const refusedInDataPlane = new Set<string>();
  const refusedByApp = new Set<string>();
  for (const { workload, lines } of clients) {
    if (lines.some(byProxy)) refusedInDataPlane.add(refKey(workload));
    const quoted = lines.some((line) => !byProxy(line) && DATA_PLANE_REFUSAL.test(line.text));
    if (quoted) for (const server of calleesOf(graph, workload)) refusedInDataPlane.add(refKey(server));
    if (!lines.some(byProxy) && !quoted) refusedByApp.add(refKey(workload));
  }
  for (const key of refusedInDataPlane) refusedByApp.delete(key);
  // The refused callers: the workloads that log the refusals themselves, and the pods whose addresses the refusing
  // proxies log.
  const proxyLines = clients.flatMap(({ lines }) => lines.filter(byProxy)).map((line) => line.text);
  const addresses = new Set(proxyLines.flatMap((text) => text.match(IPV4) ?? []));
  const callerPods = [
    ...clients
      .filter(({ workload }) => !refusedInDataPlane.has(refKey(workload)))
      .flatMap(({ workload }) => graph.podsOf(workload)),
    ...snapshot.pods.filter(
      (pod) =>
        pod.status?.podIP &&
        addresses.has(pod.status.podIP) &&
        // The proxy's line holds its own pod's address beside the caller's.
        !refusedInDataPlane.has(refKey(graph.workloadOf(pod))),
    ),
  ];
  const callers = callerPods.map((pod) => ({
    namespace: pod.metadata?.namespace ?? '',
    serviceAccount: pod.spec?.serviceAccountName ?? 'default',
  }));
  return { refusedInDataPlane, refusedByApp, callers };
}

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/** Workloads whose error lines read are refusals (a client refused, or a server or its proxy refusing), with them. */
function refusedWorkloads(snapshot: ClusterSnapshot, graph: EvidenceGraph): Refused[] {
  const refused = new Map<string, Refused>();
  for (const log of snapshot.logs) {
    const pod = graph.pod(log.namespace, log.pod);
    if (!pod) continue;
    const lines = logLinesOf(snapshot, log.namespace, [log.pod]).filter((line) => refusalsIn([line.text]).length > 0);
    if (lines.length === 0) continue;
    const workload = graph.workloadOf(pod);
    const held = refused.get(refKey(workload)) ?? { workload, lines: [] };
    held.lines.push(...lines.filter((line) => !held.lines.some((h) => h.text === line.text)));
    refused.set(refKey(workload), held);
  }
  return [...refused.values()];
}

function evidenceOf(
  entity: EntityRef,
  kind: string,
  name: string,
  changedAt: string | undefined,
  recent: boolean,
  clients: Refused[],
): Evidence[] {
  const change: Evidence[] =
    recent && changedAt
      ? [{ source: 'change', ref: entity, text: `${kind} ${name} last changed at ${changedAt}`, at: changedAt }]
      : [];
  return [
    ...change,
    ...clients
      .flatMap(({ lines }) => lines.slice(-2))
      .slice(0, 3)
      .map(logEvidence),
  ];
}

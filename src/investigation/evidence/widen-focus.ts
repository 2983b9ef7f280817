import type { Alert } from '../../alert/alert.ts';
import { alertText } from '../focus.ts';
import { troubleOfClients } from './client-trouble.ts';
import { creatorElsewhere, creatorsOf } from './creator-elsewhere.ts';
import { saysOutputMissing } from './missing-output.ts';
import { listObjects } from '../tools/list-objects.ts';
import { applicationNamespaces, restartTroubleSince } from './application-namespaces.ts';
import { readInFull } from './completeness.ts';
import type { Located } from './locate-namespace.ts';
import { UNHEALTHY_PODS, WARNINGS } from './namespace-trouble.ts';
import {
  soleTrouble,
  troubleMatchingAlert,
  troubleSince,
  troubleWindowStart,
  widenedAssumption,
} from './recent-trouble.ts';
import type { ToolBase } from './snapshot-reader.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { eventsReadWhole, narrowedFromWhole } from './whole-list.ts';

/** How far back a run that should have produced the output may have failed: a daily schedule's day, and some. */
const MISSED_RUN_MS = 26 * 60 * 60_000;

/**
 * The alert says output is missing, and no trouble around its onset carries its words: trouble that began since a
 * day before the onset (a nightly run that failed and stopped) and carries them is where to look next — or, when none
 * carries them (the alert speaks of the data, the run is named for its work), the only namespace where trouble began
 * in that day: the run that should have made the output is the one that failed.
 */
export function missedRun(
  alert: Alert,
  listed: Pick<ClusterSnapshot, 'pods' | 'events'>,
  from: string,
): { choice: ReturnType<typeof troubleMatchingAlert>; since: string } | undefined {
  const text = alertText(alert);
  if (!saysOutputMissing(alert) || !alert.startsAt) return undefined;
  const since = new Date(Date.parse(alert.startsAt) - MISSED_RUN_MS).toISOString();
  const day = troubleSince(listed, since);
  const choice = troubleMatchingAlert(text, day, from) ?? soleTrouble(day, from);
  return choice ? { choice, since } : undefined;
}

export interface Widened {
  /** Where to look next, when some namespace's recent trouble carries the alert's words. */
  located?: Located;
  requests: number;
  /**
   * The next look goes to another namespace of the application only because a container there restarted shortly
   * before the onset: nothing links it to the symptom, so what it finds there is a lead, not a finding.
   */
  tentative?: true;
}

/**
 * The place the alert pointed at shows nothing abnormal: instead of giving up, one cluster-wide read of Warning events
 * and one of pods not running (none when locating the namespace read them already), and the namespace whose trouble
 * since shortly before the onset carries the alert's words is examined next — or, when none does, the only namespace
 * where trouble began at all; with neither, and nothing explained (`unexplained`), the application's other namespaces
 * (siblingTrouble). What was examined first stays read: its nodes and the served APIs are not asked for again.
 */
export async function widenFocus(
  alert: Alert,
  examined: ClusterSnapshot,
  located: Located,
  base: ToolBase,
  unexplained = true,
): Promise<Widened> {
  const from = located.namespace;
  if (located.leftNamed && located.leftNamed !== from) return backToNamed(examined, located, located.leftNamed);
  const reason = `nothing abnormal explains the alert in ${from}: where in the cluster trouble began around its onset`;
  const known = located.clusterTrouble;
  // The events read whole when a page holds them: the namespace examined next then has its events read already.
  const [pods, events] = await Promise.all([
    known?.pods
      ? { items: known.pods, requests: 0 }
      : listObjects.run({ kind: 'Pod', fieldSelector: UNHEALTHY_PODS, limit: 500 }, { ...base, reason }),
    known?.events ? { items: known.events, requests: 0 } : narrowedFromWhole('Event', WARNINGS, 500, base, reason),
  ]);
  const wholeInstead = {
    ...located.wholeInstead,
    ...eventsReadWhole(events).wholeInstead,
  };
  const requests = pods.requests + events.requests;
  // `located.requests` is what the first look spent: the second starts from it, within one budget.
  const since = troubleWindowStart(alert.startsAt, examined.now);
  const trouble = troubleSince(
    { pods: pods.items as ClusterSnapshot['pods'], events: events.items as ClusterSnapshot['events'] },
    since,
  );
  // Trouble that began earlier but goes on counts only when it carries the alert's words: an alert on missing output
  // fires long after its cause began, while standing failures elsewhere are many.
  const listed = { pods: pods.items as ClusterSnapshot['pods'], events: events.items as ClusterSnapshot['events'] };
  // Output missing: the run that should have made it may have failed hours before, at its schedule — trouble since a
  // day before that carries the alert's words says more than the only trouble near the onset that carries none.
  const recent = troubleMatchingAlert(alertText(alert), trouble, from);
  const missed = recent ? undefined : missedRun(alert, listed, from);
  const clients = recent || missed ? undefined : troubleOfClients(trouble, listed.pods, from);
  const creators = recent || missed || clients ? new Set<string>() : creatorsOf(examined, from);
  const writers = creators.size > 0 ? await workloadsEverywhere(located, base, reason) : { items: [], requests: 0 };
  const creator = creatorElsewhere(creators, writers.items, from);
  if (creator) {
    const assumption = `namespace ${creator.namespace}: nothing in ${from} fails, and what runs there is created by ${creator.creator}, which runs in ${creator.namespace}`;
    const spent = requests + writers.requests;
    return {
      requests: spent,
      located: nextLook(examined, { ...located, wholeInstead }, creator.namespace, assumption, spent),
    };
  }
  const found =
    recent ??
    missed?.choice ??
    clients ??
    soleTrouble(trouble, from) ??
    troubleMatchingAlert(alertText(alert), troubleSince(listed, since, true, saysOutputMissing(alert)), from);
  // Only with no answer at all: a weak one (a healthy rollout) is no reason to read more namespaces.
  if (!found && !unexplained) return { requests };
  if (!found) return siblingTrouble(examined, located, base, reason, since, requests, wholeInstead);
  const assumption = clients
    ? `namespace ${found.trouble.namespace}: nothing in ${from} fails, while trouble began among pods configured to call into it there (${found.trouble.examples.join('; ')})`
    : widenedAssumption(found, from, missed?.since ?? since, 'examined first');
  return {
    requests,
    located: nextLook(examined, { ...located, wholeInstead }, found.trouble.namespace, assumption, requests),
  };
}

/**
 * Nothing the cluster-wide reads show points anywhere: the application's other namespaces not read yet
 * (applicationNamespaces) have their pods read — one request each — and the only one where a container was killed and
 * restarted shortly before the onset is examined next. A restart running again between kills shows in neither
 * `status.phase` nor an event.
 */
async function siblingTrouble(
  examined: ClusterSnapshot,
  located: Located,
  base: ToolBase,
  reason: string,
  since: string,
  spent: number,
  wholeInstead: Located['wholeInstead'],
): Promise<Widened> {
  const from = located.namespace;
  let requests = spent;
  let namespaces = examined.namespaces.length > 0 ? examined.namespaces : (located.namespaces ?? []);
  if (namespaces.length === 0) {
    const listed = await listObjects.run({ kind: 'Namespace' }, { ...base, reason });
    namespaces = listed.items as ClusterSnapshot['namespaces'];
    requests += listed.requests;
  }
  const read = new Set(examined.pods.map((pod) => pod.metadata?.namespace ?? ''));
  const siblings = applicationNamespaces(namespaces, from, read);
  if (siblings.length === 0) return { requests };
  const pods = await Promise.all(
    siblings.map((namespace) => listObjects.run({ kind: 'Pod', namespace, limit: 500 }, { ...base, reason })),
  );
  requests += pods.reduce((sum, list) => sum + list.requests, 0);
  const trouble = restartTroubleSince(
    pods.flatMap((list) => list.items as ClusterSnapshot['pods']),
    since,
  );
  const found = soleTrouble(trouble, from);
  if (!found) return { requests };
  const { namespace, examples } = found.trouble;
  const assumption = `namespace ${namespace}: nothing in ${from} fails, and in ${namespace}, of the same application, containers were killed and restarted since ${since} (${examples.join('; ')}): a lead, not a link: that what it writes or serves is what the alert is about would confirm it`;
  // Its pods, read to their end here, answer the next look's list of them: the same request is not sent twice.
  const podsThere = pods[siblings.indexOf(namespace)];
  const readInstead = [
    ...(located.readInstead ?? []),
    ...(podsThere?.complete
      ? [{ kind: 'Pod' as const, namespace, items: podsThere.items as ClusterSnapshot['pods'] }]
      : []),
  ];
  return {
    requests,
    located: nextLook(
      examined,
      { ...located, ...(wholeInstead ? { wholeInstead } : {}), ...(readInstead.length > 0 ? { readInstead } : {}) },
      namespace,
      assumption,
      requests,
    ),
    tentative: true,
  };
}

/** The cluster's Deployments and StatefulSets: as locating read them, else one list of Deployments (1 request). */
async function workloadsEverywhere(
  located: Located,
  base: ToolBase,
  reason: string,
): Promise<{
  items: (ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number])[];
  requests: number;
}> {
  const known = [...(located.everywhere?.Deployment ?? []), ...(located.everywhere?.StatefulSet ?? [])];
  if (located.everywhere?.Deployment) return { items: known, requests: 0 };
  const listed = await listObjects.run({ kind: 'Deployment', limit: 5000 }, { ...base, reason });
  return { items: [...known, ...(listed.items as ClusterSnapshot['deployments'])], requests: listed.requests };
}

/**
 * The first look went to trouble elsewhere that shared a word with the alert, away from the namespace the alert names
 * (locate-namespace.ts): that was a guess, and it found nothing — the named namespace is the next look, for no request.
 */
function backToNamed(examined: ClusterSnapshot, located: Located, named: string): Widened {
  const assumption = `namespace ${named}: the alert names it; ${located.namespace}, where trouble sharing its words began, explains nothing`;
  return { requests: 0, located: nextLook(examined, located, named, assumption, 0) };
}

/** The second look, in `namespace`: what the first one read stays read (nodes, served APIs, cluster-wide lists). */
function nextLook(
  examined: ClusterSnapshot,
  located: Located,
  namespace: string,
  assumption: string,
  requests: number,
): Located {
  const { wholeInstead } = located;
  return {
    namespace,
    assumptions: [assumption],
    requests: located.requests + requests,
    ...(located.saved ? { saved: located.saved } : {}),
    namespaces: examined.namespaces,
    clusterRead: { Node: examined.nodes },
    // The NetworkPolicies were listed cluster-wide by the first look: the second has them.
    everywhere: {
      ...located.everywhere,
      ...(readInFull(examined, 'NetworkPolicy') ? { NetworkPolicy: examined.networkPolicies } : {}),
    },
    apiGroups: examined.apiGroups,
    ...(wholeInstead && Object.keys(wholeInstead).length > 0 ? { wholeInstead } : {}),
    ...(located.readInstead ? { readInstead: located.readInstead } : {}),
    customRead: located.customRead,
    listed: located.listed,
    ...(located.logsRead ? { logsRead: located.logsRead } : {}),
  };
}

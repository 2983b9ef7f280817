import { alertWords } from '../focus.ts';
import { eventNamespace, eventTime, foldRepeats, type KubeEvent, occurrences } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { standingEvent } from './standing-trouble.ts';

/**
 * Trouble that began around the alert, per namespace, from the cheapest cluster-wide reads (Warning events, pods neither
 * running nor done): where to look when the place the alert pointed at shows nothing abnormal. Trouble that began long
 * before the onset (a standing failure, last week's warning) is not the alert's.
 */

/** How long before the onset its cause may begin: a change, then failures piling up, then a rule's `for:` delay. */
const LEAD_MS = 60 * 60_000;
/** Without an onset (a person's message), what began in the last hours. */
const UNDATED_MS = 2 * 60 * 60_000;

/** Since when trouble counts as the alert's: shortly before its onset, or the last hours when it has none. */
export function troubleWindowStart(startsAt: string | undefined, now: string): string {
  const from = startsAt ? Date.parse(startsAt) - LEAD_MS : Date.parse(now) - UNDATED_MS;
  return new Date(from).toISOString();
}

export interface NamespaceTrouble {
  namespace: string;
  /** Warning events (repeats folded) and pods not running that began in the window, or recur into it. */
  signs: number;
  /**
   * Whether every sign is an event that began before the window and recurs into it (a readiness probe failing again at
   * each of a leak's restarts): current trouble, but not trouble that began around the onset.
   */
  onlyRecurring: boolean;
  /** Words of the objects in trouble and of the namespace's name (`kiln-cache-spool` → kiln, cache, spool). */
  words: Set<string>;
  /** A few of the warnings, for the thread: `FailedCreate Job kiln-worker-x7k2p`. */
  examples: string[];
}

const began = (event: KubeEvent): string | undefined =>
  event.firstTimestamp ?? event.metadata?.creationTimestamp ?? eventTime(event);

/**
 * An event first recorded before `since` that happened again since (its count above one, its last time in the window):
 * trouble that comes back, as an intermittent fault does at each burst, is current even though it began long ago.
 */
const recursSince = (event: KubeEvent, since: string): boolean =>
  occurrences(event) > 1 && (event.lastTimestamp ?? eventTime(event) ?? '') >= since;

/** Words of a name, without the random suffixes controllers add (`kiln-worker-x7k2p-q4m7z` → kiln, worker). */
const nameWords = (name: string): string[] =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 3 && /^[a-z]+$/.test(word) && !/^[bcdfghjklmnpqrstvwxz]{5,10}$/.test(word));

/**
 * Trouble per namespace that began since `since` (RFC 3339). `ongoing`: also trouble that began earlier and still goes
 * on since (a Warning repeating up to now, a pod still waiting to start) — what an alert on missing output (a stale
 * export, no data for hours) fires about long after it began. `standing`: with it, also trouble standing since days
 * before (standing-trouble.ts), which only a symptom of absence (output that stopped coming) can have begun with.
 */
export function troubleSince(
  listed: Pick<ClusterSnapshot, 'pods' | 'events'>,
  since: string,
  ongoing = false,
  standing = false,
): Map<string, NamespaceTrouble> {
  const byNamespace = new Map<string, NamespaceTrouble>();
  const add = (namespace: string | undefined, name: string | undefined, example: string, earlier = false) => {
    if (!namespace || !name) return;
    const entry = byNamespace.get(namespace) ?? {
      namespace,
      signs: 0,
      onlyRecurring: true,
      words: new Set(nameWords(namespace)),
      examples: [],
    };
    entry.signs++;
    entry.onlyRecurring &&= earlier;
    for (const word of nameWords(name)) entry.words.add(word);
    if (entry.examples.length < 3) entry.examples.push(example);
    byNamespace.set(namespace, entry);
  };
  for (const event of foldRepeats(listed.events)) {
    const at = began(event);
    if (!at) continue;
    const last = eventTime(event);
    // First recorded before the window: counts when it recurs into it, or (`ongoing`) when it is still seen since. One
    // repeated without pause since days before (a crash loop's back-offs) has not come back: it never left.
    const earlier = at < since;
    const recurring = earlier && recursSince(event, since) && !standingEvent(event, Date.parse(since));
    const goesOn =
      ongoing && last !== undefined && last >= since && (standing || !standingEvent(event, Date.parse(since)));
    if (earlier && !recurring && !goesOn) continue;
    const subject = event.involvedObject;
    const times = earlier ? ` (×${occurrences(event)} since ${at}, again at ${last})` : '';
    add(
      subject?.namespace ?? event.metadata?.namespace,
      subject?.name,
      `${event.reason} ${subject?.kind} ${subject?.name}${times}`,
      earlier,
    );
  }
  for (const pod of listed.pods) {
    const at = pod.metadata?.creationTimestamp;
    if (!at || (at < since && !(ongoing && pod.status?.phase === 'Pending'))) continue;
    const example = `pod ${pod.metadata?.name} ${pod.status?.phase ?? ''}`.trim();
    add(pod.metadata?.namespace, pod.metadata?.name, example, at < since);
  }
  return byNamespace;
}

/** Whether a set of name words carries an alert word, as written or as its singular (`kettles` of `kettle-api`). */
const carriesWord = (words: ReadonlySet<string>, word: string): boolean =>
  words.has(word) || words.has(word.replace(/s$/, ''));

export interface WiderChoice {
  trouble: NamespaceTrouble;
  /** The alert's words its trouble carries. */
  words: string[];
}

/**
 * The namespace, other than the one examined, whose recent trouble carries most of the alert's words, those naming the
 * one examined aside (ties: more signs); undefined when no trouble carries any of them, or when two namespaces tie on both.
 */
export function troubleMatchingAlert(
  text: string,
  trouble: Map<string, NamespaceTrouble>,
  examined: string,
): WiderChoice | undefined {
  // The words that named the namespace examined name nothing elsewhere (`tarn` is no sign about `tarn-jobs`).
  const own = new Set(nameWords(examined));
  const words = [...alertWords(text)].filter((word) => !carriesWord(own, word));
  const ranked = [...trouble.values()]
    .filter((entry) => entry.namespace !== examined)
    .map((entry) => ({
      trouble: entry,
      words: words.filter((word) => carriesWord(entry.words, word)),
    }))
    .filter((choice) => choice.words.length > 0)
    .sort((a, b) => b.words.length - a.words.length || b.trouble.signs - a.trouble.signs);
  const [first, second] = ranked;
  if (!first) return undefined;
  if (second && second.words.length === first.words.length && second.trouble.signs === first.trouble.signs)
    return undefined;
  return first;
}

/**
 * No trouble carries the alert's words (a symptom worded in the business's terms: 'wrong answers', 'unknown
 * subscriber'), but trouble began around the onset in one namespace only, other than the one examined: the only place
 * anything went wrong is where to look next; with none, the only namespace whose earlier trouble goes on into the
 * window. Two or more such namespaces say nothing about which one.
 */
export function soleTrouble(trouble: Map<string, NamespaceTrouble>, examined: string): WiderChoice | undefined {
  // Trouble that only recurs began before the onset: without the alert's words, it says little about this incident —
  // unless nothing at all began anywhere else, and it is the only trouble the cluster shows: an alert on output that
  // a failing run never made fires long after the run first failed, and goes on failing.
  const others = [...trouble.values()].filter((entry) => entry.namespace !== examined);
  const began = others.filter((entry) => !entry.onlyRecurring);
  const elsewhere = began.length > 0 ? began : others;
  const [only] = elsewhere;
  return elsewhere.length === 1 && only ? { trouble: only, words: [] } : undefined;
}

/**
 * A namespace the alert's text names, judged against the cluster's Warning events: when it shows no trouble since
 * shortly before the onset and another namespace's trouble carries the alert's words, that one, and why in words —
 * unless the named namespace's own workloads or Services (`held`, their names, when they were read) carry those words
 * too: the alert says what it is about there as well (`kettles` of a kettles-api beside a kettles-sink elsewhere), and
 * a name the alert writes outweighs a warning that merely shares a word with it (often a victim's, downstream of it).
 */
export function troubleElsewhere(
  text: string,
  events: KubeEvent[],
  named: string,
  window: { startsAt: string | undefined; now: string },
  held: readonly string[] = [],
): { namespace: string; assumption: string } | undefined {
  const since = troubleWindowStart(window.startsAt, window.now);
  const trouble = troubleSince({ events, pods: [] }, since);
  if (trouble.has(named) && goesOnPastOnset(events, named, window.startsAt)) return undefined;
  const choice = troubleMatchingAlert(text, trouble, named);
  if (!choice) return undefined;
  const heldWords = new Set(held.flatMap(nameWords));
  if (choice.words.every((word) => carriesWord(heldWords, word))) return undefined;
  return {
    namespace: choice.trouble.namespace,
    assumption: widenedAssumption(choice, named, since, 'the alert names it'),
  };
}

/**
 * Whether a namespace's warnings go on past the alert's onset: a warning last seen before the symptom began (one probe
 * failure a quarter of an hour earlier) is over, and says less about what the alert names than trouble that goes on.
 */
function goesOnPastOnset(events: KubeEvent[], namespace: string, startsAt: string | undefined): boolean {
  if (!startsAt) return true;
  return events.some((event) => eventNamespace(event) === namespace && (eventTime(event) ?? '') >= startsAt);
}

/** Why the investigation looks where trouble began rather than where the alert pointed, for the thread. */
export function widenedAssumption(choice: WiderChoice, from: string, since: string, why: string): string {
  const { namespace, signs, examples, onlyRecurring } = choice.trouble;
  const trouble = onlyRecurring ? 'trouble that began earlier came back' : 'trouble began';
  const about =
    choice.words.length > 0
      ? `about ${choice.words.join(', ')}, which the alert says`
      : 'and nowhere else: the alert says nothing its names carry';
  return `namespace ${namespace}: ${from} (${why}) shows nothing abnormal since ${since}, while ${trouble} in ${namespace} (${signs} sign${signs > 1 ? 's' : ''}: ${examples.join('; ')}) ${about}`;
}

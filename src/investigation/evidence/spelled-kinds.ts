import { builtInGroup, type CustomObject, nameStandsIn } from './custom-object.ts';
import type { PolicyKind } from './admission-policies.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { webhookRefusals } from './webhook-refusals.ts';
import { stem } from './word-stem.ts';

type Event = ClusterSnapshot['events'][number];

/**
 * A controller cannot create its pods and the API server says why in words: the admission plugin that refused them
 * speaks of the objects it checked them against by their kind, spelt out (`unable to validate against any pod guard
 * profile: [profile "data-readers": …]`), and names them. When such words spell a kind the cluster serves as a custom
 * resource (`PodGuardProfile`), those objects are the rule that refuses — found through discovery by the words, never
 * by a product's name. (A webhook's refusal has its own path: admission-policies.ts; a ResourceQuota's, quota-exceeded.)
 */

/** What an API server's refusal to create says. */
const REFUSED = /forbidden|denied|refused|not allowed|unable to validate|violat/i;

/** The words of a kind's name, in order (`PodGuardProfile` → pod, guard, profile). */
const kindWords = (kind: string): string[] => kind.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).map(stem);

/** Kinds spelt in fewer words than this would match common words by chance (`Policy`, `Profile`). */
const MIN_WORDS = 2;

/**
 * Whether a message spells the kind: its words in a row, as words of their own (`pod guard profile`,
 * `pod-guard-profile`), or run together as one (`nodepool`).
 */
export function spellsKind(message: string, kind: string): boolean {
  const words = kindWords(kind);
  if (words.length < MIN_WORDS || words.some((word) => word.length < 3)) return false;
  const said = message.split(/[^A-Za-z0-9]+/).map(stem);
  const joined = words.join('');
  return said.includes(joined) || said.some((_, at) => words.every((word, offset) => said[at + offset] === word));
}

/**
 * Events in which pods are refused: the API server refusing a controller's pods (FailedCreate, not a webhook's, not a
 * quota's), or pods that cannot be placed (FailedScheduling: a scheduler's or a node provisioner's verdict, which may
 * name the object whose limit it hit — `exceed limits for nodepool: "general"`).
 */
export function refusedCreations(events: readonly Event[]): Event[] {
  const webhooks = new Set(webhookRefusals([...events]).map(({ event }) => event));
  return events.filter(
    (event) =>
      (event.reason === 'FailedScheduling' ||
        (event.reason === 'FailedCreate' && !webhooks.has(event) && REFUSED.test(event.message ?? ''))) &&
      !/exceeded quota/i.test(event.message ?? ''),
  );
}

/** The served custom kinds a refusal spells, at most `max`. */
export function kindsSpelledIn(groups: readonly ServedGroup[], messages: readonly string[], max: number): PolicyKind[] {
  return groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => messages.some((message) => spellsKind(message, r.kind)))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced })),
    )
    .slice(0, max);
}

/** Whether a message names the object by its name, quoted or standing alone (names under 3 characters match by chance). */
export const namedIn = (object: CustomObject, message: string): boolean => nameStandsIn(object, message, 3);

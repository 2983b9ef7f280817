import { builtInGroup, type CustomObject, nameStandsIn } from './custom-object.ts';
import { GENERIC_GROUP_WORD, type GoverningKind } from './governing-resources.ts';
import type { ServedGroup } from './routing-objects.ts';
import { stem } from './word-stem.ts';

/**
 * An admission webhook relays the decision of rules its engine keeps as custom resources: a policy, or a constraint
 * generated from a template (one kind per template). The webhook's name and those resources' API group are both the
 * engine's: they share its word (`validation.<engine>.sh` and `constraints.<engine>.sh`). Its refusal then names the
 * rule that refused by the object's own name, in whatever form the engine quotes it (`[name]`, `failed policy: name`,
 * `name:` on a line of its own) — found by looking the names of the objects read up in the message, never by a format.
 */

/** A served custom kind that may hold admission rules, cluster-scoped or namespaced, as discovery names it. */
export interface PolicyKind extends GoverningKind {
  namespaced: boolean;
}

/** Words any webhook's or group's name may hold, whatever engine it is. */
const WEBHOOK_WORD = /^(?:example|svc|cluster|validat\w*|mutat\w*|webhooks?|admission|enforce\w*|verify)$/;

/** The distinctive words of a dotted name, its last label (a top-level domain) and common words left out. */
function distinctiveWords(name: string): string[] {
  const labels = name.toLowerCase().split('.');
  return labels
    .slice(0, -1)
    .flatMap((label) => label.split('-'))
    .filter((word) => word.length >= 4 && !GENERIC_GROUP_WORD.test(word) && !WEBHOOK_WORD.test(word));
}

/** Whether an API group is the engine of one of those webhooks: they share a distinctive word. */
export function tiedToWebhook(group: string, webhooks: readonly string[]): boolean {
  if (builtInGroup(group)) return false;
  const words = new Set(distinctiveWords(group));
  return webhooks.some((webhook) => distinctiveWords(webhook).some((word) => words.has(word)));
}

/** The words of a kind's name (`K8sAllowedRepos` → allowed, repos), too short ones left out. */
const kindWords = (kind: string): string[] =>
  kind
    .split(/(?<=[a-z0-9])(?=[A-Z])/)
    .map(stem)
    .filter((word) => word.length >= 4);

/**
 * The served custom kinds that may hold the rule behind admission refusals, at most `max`: those of the groups tied to
 * the refusing webhooks whose name's words the refusals say (a constraint kind `…AllowedRepos` for "allowed repos are
 * …"), or that are named `…Policy`; then, when a refusal quotes a policy, the other `…Policy` kinds served. Cluster
 * scope first among equals: an admission rule usually is cluster-wide.
 */
export function admissionPolicyKinds(
  groups: readonly ServedGroup[],
  webhooks: readonly string[],
  messages: readonly string[],
  quotesPolicy: boolean,
  max: number,
): PolicyKind[] {
  const text = messages.map((message) => webhooks.reduce(refusalText, message)).join(' ');
  const said = new Set(text.split(/[^A-Za-z0-9]+/).map(stem));
  const scored = groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources.map((r) => {
        const tied = tiedToWebhook(group, webhooks);
        const policy = /Policy$/.test(r.kind);
        const words = tied ? kindWords(r.kind).filter((word) => said.has(word)).length : 0;
        const kind = { group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced };
        return { kind, rank: 4 * words + (tied && policy ? 2 : 0) + (quotesPolicy && policy ? 1 : 0) };
      }),
    );
  return scored
    .filter(({ rank }) => rank > 0)
    .sort((a, b) => b.rank - a.rank || Number(a.kind.namespaced) - Number(b.kind.namespaced))
    .slice(0, max)
    .map(({ kind }) => kind);
}

/** Whether a refusal names the object by its name, standing alone (names under 4 characters match by chance). */
export const namedInRefusal = (object: CustomObject, message: string): boolean => nameStandsIn(object, message, 4);

/** What the webhook said, without its own name (which shares the engine's words with all its kinds and rules). */
export const refusalText = (message: string, webhook: string): string => message.split(`"${webhook}"`).join(' ');

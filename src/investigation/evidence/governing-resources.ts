import type { ServedGroup } from './routing-objects.ts';
import { builtInGroup } from './custom-object.ts';

/**
 * Refusals a dependency answers on its own authority — not a failure of it, but a rule someone set on it: a
 * principal not authorised for what it asks, or a limit reached that makes it refuse (rate, length, quota). Such
 * rules usually live in custom resources an operator or a policy engine reconciles (a broker's users and policies, a
 * mesh's authorization and rate-limit policies), which is where the fix goes. The API server's own `forbidden` is
 * RBAC's (rbac-forbidden), not matched here.
 */
export const REFUSALS = {
  // A proxy that admits only the mesh's mutual TLS finds no listener chain for a peer without it and drops the
  // connection (Envoy's `NR filter_chain_not_found`): a peer refused for the identity it does not present.
  authorization:
    /not authori[sz]ed|authori[sz]ation (?:error|failed|failure)|_AUTHORIZATION_FAILED|access[ _-]?(?:denied|refused)|permission[ _-]?denied|unauthori[sz]ed|RBAC: access denied|\b403\b|filter_chain_not_found/i,
  limit:
    /rate[ _-]?limit|too many requests|\b429\b|quota exceeded|max[-_ ]?length|overflow|reject-publish|nack(?:ed)?\b|limit[ _-](?:reached|exceeded)|too many (?:connections|clients)|maximum \w+(?: \w+)? exceeded/i,
  /** A request larger than the server admits: a body-size rule (HTTP 413), not a fault of the server. */
  size: /too large|\b413\b|max[-_ ]?body[-_ ]?size|body size limit/i,
} as const;
export type Refusal = keyof typeof REFUSALS;

/**
 * The kinds that can hold such a rule, by what their name says they are: authorization rules are policies, users,
 * permissions, ACLs and the identities they admit (authentications); limits are policies, limits, quotas. (Policy
 * attachment names its kinds `…Policy`.)
 */
const GOVERNING_KIND: Record<Refusal, RegExp> = {
  authorization: /(?:Authori[sz]ation|Authentication|Policy|Permission|Acl|User|Rule)$/,
  limit: /(?:Policy|Limit|Quota|Rule)$/,
  size: /(?:Policy|Limit|Rule)$/,
};

/**
 * What a rule of that kind says in its spec (keys or values) when it sets such a refusal: a rate or a length it caps,
 * a body size it admits, whom it authorises. A spec that says nothing of the sort (a timeout, a retry) sets another rule.
 */
export const RULE_WORDS: Record<Refusal, RegExp> = {
  authorization: /authori[sz]|acls?$|identit|principal|allow|deny|permission|operations|^mtls$/i,
  limit: /rate[ _-]?limit|requestrate|requests?per|limit|quota|max[-_ ]?length|overflow|burst/i,
  size: /size|body|payload|bytes/i,
};

/** Which refusals a spec speaks of: its keys and its string values, read against the words of each rule. */
export function rulesSpokenOf(spec: unknown): Refusal[] {
  const words = [...specKeys(spec), ...specStrings(spec)];
  return (Object.keys(RULE_WORDS) as Refusal[]).filter((refusal) => words.some((w) => RULE_WORDS[refusal].test(w)));
}

function specKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(specKeys);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => [key, ...specKeys(inner)]);
  return [];
}

/** Which refusals the error lines show. */
export function refusalsIn(lines: readonly string[]): Refusal[] {
  return (Object.keys(REFUSALS) as Refusal[]).filter((refusal) => lines.some((line) => REFUSALS[refusal].test(line)));
}

export interface GoverningKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** Words of an API group too common to tie it to anything (`policy.example.io`). */
export const GENERIC_GROUP_WORD =
  /^(?:io|com|org|net|dev|app|apps|api|apis|k8s|x|v\d.*|policy|policies|config|core|cloud|operator)$/;

/**
 * The namespaced custom kinds the cluster serves (aggregated discovery) that can hold a rule behind the refusals, at
 * most `max`, each with its rank (how nearly it relates to the refusals: 0–3): first those of a group whose words the
 * refusing side shows (`linkerd` in a proxy's container name, `rabbitmq` in a broker's image: the software that
 * enforces the rule), then those whose names say the refusal itself (`…RateLimit` for a limit, `…Authorization…` for
 * a denial), then in discovery's order. Each is read cluster-wide (one request): an operator's rules live where it
 * keeps them (the mesh's, the broker's namespace), not necessarily beside the pods they govern.
 *
 * The software that refuses may name its rules otherwise (`…Intentions`, `…Grants`, `…Topic`): when none of its
 * groups' kinds is named like a rule, its groups' namespaced kinds are the candidates themselves — the rule is in one
 * of them, whatever they are called.
 */
export function governingKinds(
  groups: readonly ServedGroup[],
  refusals: readonly Refusal[],
  max: number,
  sideWords: readonly string[] = [],
): (GoverningKind & { rank: number })[] {
  const side = sideWords.join(' ').toLowerCase();
  const affinity = (group: string): number =>
    group
      .split('.')
      .some((word) => word.length >= 4 && !GENERIC_GROUP_WORD.test(word) && side.includes(word.toLowerCase()))
      ? 1
      : 0;
  const saysRefusal = (kind: string): number =>
    refusals.some((refusal) => RULE_WORDS[refusal].test(kind.replace(/(?:Policy|Rule)$/, ''))) ? 1 : 0;
  const namedLikeRule = (kind: string): boolean => refusals.some((refusal) => GOVERNING_KIND[refusal].test(kind));
  const served = groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        // A network policy drops what it does not admit, it never answers a refusal.
        .filter((r) => r.namespaced && !/Network/.test(r.kind))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind })),
    );
  const own = served.filter((kind) => affinity(kind.group) > 0);
  const ownNamesNoRule = own.length > 0 && !own.some((kind) => namedLikeRule(kind.kind));
  return served
    .filter((kind) => namedLikeRule(kind.kind) || (ownNamesNoRule && affinity(kind.group) > 0))
    .map((kind, order) => ({ kind, order, rank: 2 * affinity(kind.group) + saysRefusal(kind.kind) }))
    .sort((a, b) => b.rank - a.rank || a.order - b.order)
    .slice(0, max)
    .map(({ kind, rank }) => ({ ...kind, rank }));
}

/** Every string a spec holds (names, patterns, hosts, principals), depth-first. */
export function specStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(specStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(specStrings);
  return [];
}

import type { ServedGroup } from './routing-objects.ts';

/**
 * Refusals a dependency answers on its own authority — not a failure of it, but a rule someone set on it: a
 * principal not authorised for what it asks, or a limit reached that makes it refuse (rate, length, quota). Such
 * rules usually live in custom resources an operator or a policy engine reconciles (a broker's users and policies, a
 * mesh's authorization and rate-limit policies), which is where the fix goes. The API server's own `forbidden` is
 * RBAC's (rbac-forbidden), not matched here.
 */
export const REFUSALS = {
  authorization:
    /not authori[sz]ed|authori[sz]ation (?:error|failed|failure)|_AUTHORIZATION_FAILED|access[ _-]?(?:denied|refused)|permission[ _-]?denied|unauthori[sz]ed|RBAC: access denied|\b403\b/i,
  limit:
    /rate[ -]?limit|too many requests|\b429\b|quota exceeded|max[-_ ]?length|overflow|reject-publish|nack(?:ed)?\b|limit (?:reached|exceeded)/i,
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
};

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

/** Groups the engine reads by their own rules (Kubernetes' built-in ones are *.k8s.io or have no dot). */
const builtIn = (group: string): boolean => !group.includes('.') || group.endsWith('.k8s.io');

/**
 * The namespaced custom kinds the cluster serves (aggregated discovery) that can hold a rule behind the refusals, in
 * discovery's order, at most `max`.
 */
export function governingKinds(
  groups: readonly ServedGroup[],
  refusals: readonly Refusal[],
  max: number,
): GoverningKind[] {
  return groups
    .filter(({ group }) => !builtIn(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => r.namespaced && refusals.some((refusal) => GOVERNING_KIND[refusal].test(r.kind)))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind })),
    )
    .slice(0, max);
}

/** Every string a spec holds (names, patterns, hosts, principals), depth-first. */
export function specStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(specStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(specStrings);
  return [];
}

/** A served custom kind that holds policies (`…Policy`, cluster-scoped or namespaced), as discovery names it. */
export interface PolicyKind extends GoverningKind {
  namespaced: boolean;
}

/** The custom kinds whose names say they hold policies, cluster-scoped first (an admission policy usually is), at most `max`. */
export function policyKinds(groups: readonly ServedGroup[], max: number): PolicyKind[] {
  return groups
    .filter(({ group }) => !builtIn(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => /Policy$/.test(r.kind))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced })),
    )
    .sort((a, b) => Number(a.namespaced) - Number(b.namespaced))
    .slice(0, max);
}

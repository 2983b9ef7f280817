/**
 * One plan for the lists of custom resources that readers choose by what discovery names (the rules behind refusals,
 * the policies attached to routes, the network plugin's policies, the policy kinds an admission webhook quotes): each
 * reader says which lists it wants and how closely each kind relates to the errors read, and one shared cap reads the
 * most related first. A list is read once per investigation: a kind listed in all namespaces covers every namespace's
 * part of it, and a later wave (or a second look elsewhere) takes what an earlier one read instead of asking again.
 */

export interface CustomResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** One list a reader wants: a custom kind in one namespace, or (no namespace) in all of them. */
export interface WantedList {
  resource: CustomResource;
  namespace?: string;
  why: string;
  /** How closely the kind relates to the symptom's errors, as the reader judges it: higher is read first. */
  relevance: number;
}

/** The key of a list: `plural.group` in a namespace, or in all of them (`*`). */
export const listKey = (resource: Pick<CustomResource, 'group' | 'plural'>, namespace?: string): string =>
  `${resource.plural}.${resource.group}@${namespace ?? '*'}`;

/** Lists read so far, by key (a set of keys, or the objects each list held). */
export type Listed = Pick<ReadonlySet<string>, 'has'>;

/** Whether a list was read already: the same kind in the same namespace, or in all namespaces. */
export const listedAlready = (
  listed: Listed,
  resource: Pick<CustomResource, 'group' | 'plural'>,
  namespace?: string,
): boolean => listed.has(listKey(resource, namespace)) || listed.has(listKey(resource));

/**
 * The lists to read, at most `cap`: each once (two readers wanting the same kind share the request, a kind wanted in
 * all namespaces covers one namespace's want of it), none already listed, the most related to the errors first (ties
 * keep the order the readers gave).
 */
export function planLists(wanted: readonly WantedList[], listed: Listed, cap: number): WantedList[] {
  const everywhere = new Set(wanted.filter((w) => w.namespace === undefined).map((w) => listKey(w.resource)));
  const chosen = new Map<string, { want: WantedList; order: number }>();
  for (const [order, asked] of wanted.entries()) {
    // A kind also wanted in all namespaces is read there once, at the higher of the two wants' relevance.
    const want =
      asked.namespace !== undefined && everywhere.has(listKey(asked.resource))
        ? { resource: asked.resource, why: asked.why, relevance: asked.relevance }
        : asked;
    if (listedAlready(listed, want.resource, want.namespace)) continue;
    const key = listKey(want.resource, want.namespace);
    const held = chosen.get(key);
    if (!held) chosen.set(key, { want, order });
    else if (held.want.relevance < want.relevance) held.want = want;
  }
  return [...chosen.values()]
    .sort((a, b) => b.want.relevance - a.want.relevance || a.order - b.order)
    .slice(0, Math.max(0, cap))
    .map(({ want }) => want);
}

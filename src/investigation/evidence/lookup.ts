/**
 * Objects of a snapshot list grouped by a key, built once per list and rebuilt only when the list grew (the collector
 * appends to a snapshot between waves): a lookup per pod or per workload stays cheap in a namespace of thousands.
 */
const cache = new WeakMap<readonly unknown[], Map<string, { size: number; groups: Map<string, unknown[]> }>>();

export function groupedBy<T>(
  items: readonly T[],
  index: string,
  keyOf: (item: T) => string | undefined,
): Map<string, T[]> {
  let byIndex = cache.get(items);
  if (!byIndex) {
    byIndex = new Map();
    cache.set(items, byIndex);
  }
  const cached = byIndex.get(index);
  if (cached && cached.size === items.length) return cached.groups as Map<string, T[]>;
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  byIndex.set(index, { size: items.length, groups: groups as Map<string, unknown[]> });
  return groups;
}

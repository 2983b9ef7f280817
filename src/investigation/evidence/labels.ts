import type { V1LabelSelector } from '@kubernetes/client-node';
import type { Plain } from './snapshot.ts';

export type Labels = Record<string, string> | undefined;

/** Equality-map selector as Services and `matchLabels` use it; an empty map selects nothing here (a Service without selector routes nowhere automatically). */
export function matchesMap(labels: Labels, selector: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([key, value]) => labels?.[key] === value);
}

/** Full label-selector semantics (matchLabels + matchExpressions); an empty selector selects everything, as in NetworkPolicy. */
export function matchesSelector(labels: Labels, selector: Plain<V1LabelSelector> | undefined): boolean {
  if (!selector) return false;
  const own = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (own[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(own, expression.key);
    const value = own[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export const formatLabels = (labels: Record<string, string> | undefined): string =>
  Object.entries(labels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/**
 * Objects indexed by namespace and by each label pair they carry, so that an equality selector only looks at the
 * objects carrying its rarest pair: matching a namespace's Services against its pods stays linear at thousands of each.
 */
export class LabelIndex<T> {
  private readonly byPair = new Map<string, T[]>();

  constructor(
    items: readonly T[],
    namespaceOf: (item: T) => string,
    private readonly labelsOf: (item: T) => Labels,
  ) {
    for (const item of items) {
      for (const [key, value] of Object.entries(labelsOf(item) ?? {})) {
        const pair = this.pairKey(namespaceOf(item), key, value);
        const list = this.byPair.get(pair);
        if (list) list.push(item);
        else this.byPair.set(pair, [item]);
      }
    }
  }

  /** The objects of `namespace` whose labels `matchesMap` the selector, in their original order. */
  matching(namespace: string, selector: Record<string, string> | undefined): T[] {
    const entries = Object.entries(selector ?? {});
    if (entries.length === 0) return [];
    let smallest: T[] | undefined;
    for (const [key, value] of entries) {
      const list = this.byPair.get(this.pairKey(namespace, key, value));
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    return (smallest ?? []).filter((item) => matchesMap(this.labelsOf(item), selector));
  }

  private pairKey(namespace: string, key: string, value: string): string {
    return `${namespace}\u0000${key}\u0000${value}`;
  }
}

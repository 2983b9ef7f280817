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

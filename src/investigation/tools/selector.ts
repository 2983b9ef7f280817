import type { V1LabelSelector } from '@kubernetes/client-node';
import type { Plain } from '../evidence/snapshot.ts';

/** A LabelSelector in the API's query syntax (`a=b,c in (d,e),!f`); undefined when it selects nothing to query by. */
export function selectorString(selector: Plain<V1LabelSelector> | undefined): string | undefined {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    if (expression.operator === 'In') terms.push(`${expression.key} in (${values})`);
    else if (expression.operator === 'NotIn') terms.push(`${expression.key} notin (${values})`);
    else if (expression.operator === 'Exists') terms.push(expression.key);
    else if (expression.operator === 'DoesNotExist') terms.push(`!${expression.key}`);
  }
  return terms.length > 0 ? terms.join(',') : undefined;
}

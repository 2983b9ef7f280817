/**
 * A field selector (`type=Warning`, `status.phase!=Running,status.phase!=Succeeded`) applied to objects already read,
 * as the API server applies it: each term compares the field's string value, an absent field being ''. Undefined when
 * the selector is beyond this plain reading (escaped separators, `source`, which the server maps to another field):
 * such a list is asked of the server.
 */
export function fieldSelectorTest(selector: string): ((object: unknown) => boolean) | undefined {
  if (selector.includes('\\')) return undefined;
  const terms: { path: string[]; negate: boolean; value: string }[] = [];
  for (const term of selector.split(',')) {
    const match = /^([A-Za-z][\w.]*)(!=|==|=)(.*)$/.exec(term.trim());
    if (!match?.[1] || match[1] === 'source') return undefined;
    terms.push({ path: match[1].split('.'), negate: match[2] === '!=', value: match[3] ?? '' });
  }
  return (object) => terms.every(({ path, negate, value }) => (fieldValue(object, path) === value) !== negate);
}

function fieldValue(object: unknown, path: string[]): string {
  let value: unknown = object;
  for (const key of path)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

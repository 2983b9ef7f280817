/**
 * The identity of a tool call for loop detection: key order, whitespace and the model's stated reason
 * do not make two calls different.
 */
function normaliseArgs(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(normaliseArgs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key, field]) => key !== 'reason' && field !== undefined && field !== null && field !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => [key, normaliseArgs(field)]),
  );
}

export const callKey = (tool: string, args: unknown): string => `${tool}:${JSON.stringify(normaliseArgs(args))}`;

import { errorMessage } from '../observability/error-message.ts';
/**
 * Webhook bodies are JSON from outside. No sender we accept nests deeper than a few levels, and anything that
 * walks a value recursively later (zod, JSON.stringify for the audit, the database driver) overflows the stack on a
 * deep one: the depth is checked on the raw text, before anything is built from it.
 */
export const MAX_JSON_DEPTH = 64;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: 'not-json' | 'too-deep'; message: string };

/** The deepest nesting of arrays and objects in JSON text (strings skipped), stopping once past `limit`. */
function depthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function parseJsonBody(raw: Buffer, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  const text = raw.toString('utf8');
  if (depthExceeds(text, maxDepth)) {
    return { ok: false, reason: 'too-deep', message: `body nests arrays/objects deeper than ${maxDepth} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: 'not-json', message: `body is not JSON: ${errorMessage(error)}` };
  }
}

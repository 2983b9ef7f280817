import { redaction } from './policy.ts';

// Fields that address a message rather than say something: left as they are.
const ADDRESSING = new Set(['channel', 'ts', 'thread_ts', 'user', 'token', 'cursor', 'limit', 'usergroup']);

function redactField(key: string, value: string): string {
  if (ADDRESSING.has(key)) return value;
  // JSON-valued fields (blocks, attachments, view, metadata) are masked inside, and stay JSON.
  if (/^[[{]/.test(value)) {
    try {
      return JSON.stringify(redaction.value(JSON.parse(value)));
    } catch {
      // not JSON after all: masked as text
    }
  }
  return redaction.text(value);
}

type Body = RequestInit['body'];

/**
 * Whether JSON.parse could accept the text: JSON text starts, after white space, with one of these. The Slack clients
 * send form-encoded bodies (`channel=…&text=…`), on which JSON.parse could only throw, and a SyntaxError thrown and
 * caught on every post and edit cost more than the rest of the masking.
 */
const MAY_BE_JSON = /^\s*[-{["0-9tfn]/;

function redactBody(body: Body): Body {
  if (typeof body === 'string') {
    if (MAY_BE_JSON.test(body)) {
      try {
        const json = JSON.parse(body) as Record<string, unknown>;
        return JSON.stringify(
          Object.fromEntries(
            Object.entries(json).map(([key, value]) => [key, ADDRESSING.has(key) ? value : redaction.value(value)]),
          ),
        );
      } catch {
        // not JSON after all: a form
      }
    }
    const form = new URLSearchParams(body);
    return new URLSearchParams(
      [...form].map(([key, value]): [string, string] => [key, redactField(key, value)]),
    ).toString();
  }
  if (body instanceof URLSearchParams) {
    return new URLSearchParams([...body].map(([key, value]): [string, string] => [key, redactField(key, value)]));
  }
  return body;
}

/**
 * The `fetch` every Slack Web API client of the process uses (WebClient's and Bolt's `clientOptions.fetch`): each
 * message, update, ephemeral or modal is masked by the redaction policy on its way out, whichever code built it.
 */
export const redactingFetch: typeof fetch = (input, init) =>
  globalThis.fetch(input, init ? { ...init, body: redactBody(init.body) } : init);

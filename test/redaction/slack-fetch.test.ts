import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redactingFetch } from '../../src/redaction/slack-fetch.ts';

/** What redactingFetch hands to fetch: the body of each call, as sent. */
const sent: unknown[] = [];
const realFetch = globalThis.fetch;

describe('redactingFetch', () => {
  before(() => {
    globalThis.fetch = (async (_input: unknown, init?: RequestInit) => {
      sent.push(init?.body);
      return new Response('{"ok":true}');
    }) as typeof fetch;
  });
  after(() => {
    globalThis.fetch = realFetch;
  });

  const send = async (body: string) => {
    await redactingFetch('http://slack.test/api/chat.postMessage', { method: 'POST', body });
    return sent.at(-1) as string;
  };

  it('masks a form body, its JSON-valued fields inside, addressing fields left as they are', async () => {
    const body = new URLSearchParams({
      channel: 'C1',
      thread_ts: '1.2',
      text: 'DB_PASSWORD=hunter22 in the log',
      blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 'dial postgres://app:hunter22@db' } }]),
    }).toString();
    const form = new URLSearchParams(await send(body));
    assert.equal(form.get('channel'), 'C1');
    assert.equal(form.get('thread_ts'), '1.2');
    assert.doesNotMatch(form.get('text')!, /hunter22/);
    assert.doesNotMatch(form.get('blocks')!, /hunter22/);
    assert.doesNotThrow(() => JSON.parse(form.get('blocks')!));
  });

  it('reads a form whose first field starts as JSON could (t, f, n) as a form', async () => {
    const body = new URLSearchParams({ text: 'token=abcdef0123456789', channel: 'C1' }).toString();
    const form = new URLSearchParams(await send(body));
    assert.equal(form.get('channel'), 'C1');
    assert.doesNotMatch(form.get('text')!, /abcdef0123456789/);
  });

  it('masks a JSON body, after white space too, and keeps it JSON', async () => {
    for (const prefix of ['', ' \n']) {
      const body = `${prefix}${JSON.stringify({ channel: 'C1', text: 'DB_PASSWORD=hunter22' })}`;
      const json = JSON.parse(await send(body)) as Record<string, string>;
      assert.equal(json.channel, 'C1');
      assert.doesNotMatch(json.text!, /hunter22/);
    }
  });

  it('reads a JSON value that is no object as the form it then is, as before', async () => {
    // JSON.parse accepts it, Object.entries of null throws: the body is read as a form (one field, empty value).
    assert.equal(await send('null'), 'null=');
  });
});

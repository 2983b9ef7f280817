import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redactingFetch } from '../../src/redaction/slack-fetch.ts';
import { FakeSlack } from '../support/fake-slack.ts';

describe('redactingFetch', () => {
  let slack: FakeSlack;
  before(async () => {
    slack = await FakeSlack.start();
  });
  after(() => slack.close());

  /** Sends a body as the Slack clients do (a form, else JSON) and returns what the fake Slack Web API received. */
  const send = async (body: string, type = 'application/x-www-form-urlencoded') => {
    await redactingFetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    return slack.calls.at(-1)?.args ?? {};
  };

  it('masks a form body, its JSON-valued fields inside, addressing fields left as they are', async () => {
    const body = new URLSearchParams({
      channel: 'C1',
      thread_ts: '1.2',
      text: 'DB_PASSWORD=hunter22 in the log',
      blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 'dial postgres://app:hunter22@db' } }]),
    }).toString();
    const form = await send(body);
    assert.equal(form.channel, 'C1');
    assert.equal(form.thread_ts, '1.2');
    assert.doesNotMatch(String(form.text), /hunter22/);
    // Still JSON (the fake parses it as Slack does), without the password.
    assert.ok(Array.isArray(form.blocks));
    assert.doesNotMatch(JSON.stringify(form.blocks), /hunter22/);
  });

  it('reads a form whose first field starts as JSON could (t, f, n) as a form', async () => {
    const body = new URLSearchParams({ text: 'token=abcdef0123456789', channel: 'C1' }).toString();
    const form = await send(body);
    assert.equal(form.channel, 'C1');
    assert.doesNotMatch(String(form.text), /abcdef0123456789/);
  });

  it('masks a JSON body, after white space too, and keeps it JSON', async () => {
    for (const prefix of ['', ' \n']) {
      const body = `${prefix}${JSON.stringify({ channel: 'C1', text: 'DB_PASSWORD=hunter22' })}`;
      const json = await send(body, 'application/json; charset=utf-8');
      assert.equal(json.channel, 'C1');
      assert.doesNotMatch(String(json.text), /hunter22/);
    }
  });

  it('reads a JSON value that is no object as the form it then is, as before', async () => {
    // JSON.parse accepts it, Object.entries of null throws: the body is read as a form (one field, empty value).
    assert.deepEqual(await send('null'), { null: '' });
  });
});

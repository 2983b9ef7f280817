import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { webApi } from '@slack/bolt';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { IncidentThread, StatusMessage } from '../../src/slack/thread.ts';
import { FakeSlack } from '../support/fake-slack.ts';

let slack: FakeSlack;
let client: webApi.WebClient;
before(async () => {
  slack = await FakeSlack.start();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl });
});
after(() => slack.close());

test('progress updates closer than the interval are coalesced; the latest text always lands', async () => {
  const audit = new MemoryAuditLog();
  const thread = new IncidentThread(client, audit, 'incident-1', 'C1', '100.000001');
  const ts = await thread.reply({ text: 'Investigating…' }, 'status');
  const status = new StatusMessage(thread, ts, 60_000);
  for (let i = 1; i <= 10; i++) status.update(`step ${i}`);
  await status.flush();
  const edits = slack.callsTo('chat.update');
  assert.ok(edits.length <= 2, `10 updates within one interval become at most 2 edits, got ${edits.length}`);
  assert.equal(edits.at(-1)?.args.text, 'step 10');
  assert.ok(edits.every((edit) => edit.args.ts === ts && edit.args.channel === 'C1'));
  assert.deepEqual(
    audit.entries.map((entry) => entry.action),
    ['slack.posted', ...edits.map(() => 'slack.updated')],
  );
});

test('a rate-limited post is retried after Retry-After and lands once', async () => {
  const thread = new IncidentThread(client, new MemoryAuditLog(), 'incident-2', 'C2', '200.000001');
  slack.rateLimitNext('chat.postMessage', 1);
  await thread.reply({ text: 'hello' }, 'test');
  const posts = slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C2');
  assert.equal(posts.length, 2, 'the 429 and the retry');
  assert.equal(posts.filter((call) => call.response?.ok === true).length, 1);
});

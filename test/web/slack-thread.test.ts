import { createSlackClient } from '../../src/slack/client.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { webApi } from '@slack/bolt';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { IncidentThread, StatusMessage } from '../../src/slack/thread.ts';
import { MESSAGE_EVENT_TYPE, VisibleState } from '../../src/slack/visible-state.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';

let slack: FakeSlack;
let client: webApi.WebClient;
let database: TestDatabase;
before(async () => {
  slack = await FakeSlack.start();
  client = createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl });
  database = await createTestDatabase();
});
after(async () => {
  await slack.close();
  await database.drop();
});

const threadIn = (audit: MemoryAuditLog, incidentId: string, channel: string, threadTs: string) =>
  new IncidentThread(
    new VisibleState({ db: database.db, audit, slack: client }, { retryDelayMs: 10 }),
    incidentId,
    channel,
    threadTs,
  );

test('progress updates closer than the interval are coalesced; the latest text always lands', async () => {
  const audit = new MemoryAuditLog();
  const thread = threadIn(audit, 'incident-1', 'C1', '100.000001');
  const ts = await thread.reply({ text: 'Investigating…' }, 'status', 'status');
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
  const thread = threadIn(new MemoryAuditLog(), 'incident-2', 'C2', '200.000001');
  slack.rateLimitNext('chat.postMessage', 1);
  await thread.reply({ text: 'hello' }, 'test', 'hello');
  const posts = slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C2');
  assert.equal(posts.length, 2, 'the 429 and the retry');
  assert.equal(slack.storedMessages('C2').length, 1);
});

test('every post carries its incident and message key in Slack message metadata', async () => {
  const thread = threadIn(new MemoryAuditLog(), 'incident-3', 'C3', '300.000001');
  await thread.reply({ text: 'hello' }, 'test', 'greeting');
  const [stored] = slack.storedMessages('C3');
  assert.deepEqual(stored?.metadata, {
    event_type: MESSAGE_EVENT_TYPE,
    event_payload: { incident_id: 'incident-3', message_key: 'incident-3:greeting' },
  });
});

test('a 5xx after Slack stored the message: the retry finds it in the thread instead of posting it again', async () => {
  const audit = new MemoryAuditLog();
  const thread = threadIn(audit, 'incident-4', 'C4', '400.000001');
  slack.storeThenFailNext('chat.postMessage', 500);
  const ts = await thread.reply({ text: 'the answer' }, 'answer', 'answer');
  assert.equal(slack.storedMessages('C4').length, 1, 'one message in the channel');
  assert.equal(slack.storedMessages('C4')[0]?.ts, ts);
  assert.ok(slack.callsTo('conversations.replies').some((call) => String(call.args.include_all_metadata) === 'true'));
  assert.equal(audit.entries.filter((entry) => entry.action === 'slack.posted').length, 1);
  // The same key again (a retried job) is answered from the database, without a call to Slack.
  const calls = slack.calls.length;
  assert.equal(await thread.reply({ text: 'the answer' }, 'answer', 'answer'), ts);
  assert.equal(slack.calls.length, calls);
});

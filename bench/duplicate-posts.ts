// Slack failing on purpose while the bot posts: `npx tsx bench/duplicate-posts.ts` (needs Postgres). Every post of
// ROUNDS goes through VisibleState while the fake Slack stores the message and then answers 500, answers 429, or
// answers internal_error without storing; each key is then posted again, as a retried job would. Counts the
// messages Slack holds per key: anything but exactly one is a duplicate or a loss.
import { createSlackClient } from '../src/slack/client.ts';
import { webApi } from '@slack/bolt';
import { MemoryAuditLog } from '../src/audit/audit-log.ts';
import { VisibleState } from '../src/slack/visible-state.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { FakeSlack } from '../test/support/fake-slack.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const database = await createTestDatabase();
const slack = await FakeSlack.start();
try {
  const client = createSlackClient('xoxb-bench', { slackApiUrl: slack.apiUrl, logLevel: webApi.LogLevel.ERROR });
  const visible = new VisibleState(
    { db: database.db, audit: new MemoryAuditLog(), slack: client },
    { retryDelayMs: 5 },
  );
  const root = await visible.post({ incidentId: 'bench', channel: 'CBENCH' }, 'root', { text: 'root' }, 'root');
  const place = { incidentId: 'bench', channel: 'CBENCH', threadTs: root };
  const failures = ['stored-then-500', 'rate-limited', 'internal_error (not stored)', 'none'] as const;
  const tally = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const failure = failures[round % failures.length]!;
    if (failure === 'stored-then-500') slack.storeThenFailNext('chat.postMessage', 500);
    if (failure === 'rate-limited') slack.rateLimitNext('chat.postMessage', 0);
    if (failure === 'internal_error (not stored)') slack.failNext('chat.postMessage', 'internal_error');
    await visible.post(place, `message-${round}`, { text: `message ${round}` }, 'bench');
    await visible.post(place, `message-${round}`, { text: `message ${round}` }, 'bench');
    tally.set(failure, (tally.get(failure) ?? 0) + 1);
  }
  const perKey = new Map<string, number>();
  for (const message of slack.storedMessages('CBENCH')) {
    const key = String(message.metadata?.event_payload.message_key);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const duplicated = [...perKey.values()].filter((count) => count > 1).length;
  const lost = ROUNDS + 1 - perKey.size;
  console.log(
    `posts: ${ROUNDS} keys, each posted twice; failures injected: ${[...tally].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
  );
  console.log(
    `messages in Slack: ${slack.storedMessages('CBENCH').length}; duplicated keys: ${duplicated}; lost: ${lost}`,
  );
  process.exitCode = duplicated === 0 && lost === 0 ? 0 : 1;
} finally {
  await slack.close();
  await database.drop();
}

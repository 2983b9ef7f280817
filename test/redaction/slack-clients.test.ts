import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { createSlackClient } from '../../src/slack/client.ts';
import { FakeSlack } from '../support/fake-slack.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;
const FACTORY = 'slack/client.ts';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

let slack: FakeSlack;
before(async () => {
  slack = await FakeSlack.start();
});
after(() => slack.close());

test('no Slack client is built outside the factory: every way to Slack carries the redaction policy', async () => {
  // A WebClient built by hand, or Bolt given client options not from the factory, would not carry the redacting fetch.
  const builders = /new\s+(?:webApi\.)?WebClient\s*\(|clientOptions\s*:(?!\s*slackClientOptions\()/;
  const offenders: string[] = [];
  for (const path of await sourceFiles(SRC)) {
    const name = relative(SRC, path);
    if (name === FACTORY) continue;
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (builders.test(line)) offenders.push(`${name}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], 'build Slack clients with src/slack/client.ts');
});

test('a client from the factory masks credentials in what it sends, whatever the caller asked for', async () => {
  const client = createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  await client.chat.postMessage({
    channel: 'C1',
    text: 'connect postgres://orders:Zq8wLp2vN4xR@db:5432/orders failed',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'DB_PASSWORD=hunter2hunter2' } }],
  });
  const sent = JSON.stringify(slack.callsTo('chat.postMessage').at(-1)?.args);
  assert.ok(!sent.includes('Zq8wLp2vN4xR'), sent);
  assert.ok(!sent.includes('hunter2hunter2'), sent);
  assert.match(sent, /postgres:\/\/orders:/);
});

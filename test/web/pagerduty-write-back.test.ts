import { buttonClickPayload } from '../support/signing.ts';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Timeline } from '../../src/audit/timeline.ts';
import { blocksToText } from '../../src/cli/block-text.ts';
import { FakePagerDuty } from '../support/fake-pagerduty.ts';
import type { StoredMessage } from '../support/fake-slack.ts';
import { runCli } from '../support/run-cli.ts';
import { until } from '../support/until.ts';
import { answeredThread, type Harness, INCIDENT_CHANNEL, pagerDutyEvent, startTinyClusterHarness } from './harness.ts';

const ONCALL = 'UONCALL';

let pd: FakePagerDuty;
let h: Harness;
before(async () => {
  pd = await FakePagerDuty.start();
  h = await startTinyClusterHarness({ followUp: { pagerDuty: pd, approvers: [ONCALL] } });
});
after(async () => {
  await h.close();
  await pd.close();
});

const messageKey = (message: StoredMessage) => String(message.metadata?.event_payload.message_key ?? '');
/** The thread's message posted under `key` (…:pagerduty, …:seen-before), as the channel shows it now. */
const threadMessage = (threadTs: string, key: RegExp) =>
  h.slack
    .storedMessages(INCIDENT_CHANNEL)
    .find((message) => message.thread_ts === threadTs && key.test(messageKey(message)));
const textOf = (message: StoredMessage | undefined) => blocksToText((message?.blocks ?? []) as unknown[]);
const buttonsOf = (message: StoredMessage | undefined) =>
  ((message?.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[])
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements ?? []).map((element) => element.action_id));

/** A signed click on one of the bot's buttons, as Slack delivers it. */
function click(actionId: string, incidentId: string, userId: string, messageTs: string) {
  return h.slackDoor.interaction(
    buttonClickPayload({
      userId,
      channel: INCIDENT_CHANNEL,
      messageTs,
      responseUrl: h.slack.responseUrl(),
      actionId,
      blockId: 'b',
      text: actionId,
      value: incidentId,
    }),
  );
}

const auditActions = async (incidentId: string) =>
  (await h.database.db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } })).map((e) => e.action);

let first: { incidentId: string; threadTs: string };

test('the diagnosis reaches PagerDuty as a note with the thread link, after a 429 whose Retry-After is honoured', async () => {
  pd.failNext({ status: 429, retryAfterSeconds: 1 });
  const response = await h.postPagerDuty(
    pagerDutyEvent('incident.triggered', { id: 'PWB1', title: 'Checkout errors' }),
  );
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const threadTs = await answeredThread(h, incidentId);
  first = { incidentId, threadTs };
  await h.slack.waitFor(() => Boolean(threadMessage(threadTs, /:seen-before$/)));

  await until('the note in PagerDuty', async () => pd.notes.get('PWB1')?.[0]);
  const calls = pd.callsTo('POST', /^\/incidents\/PWB1\/notes$/);
  assert.deepEqual(
    calls.map((call) => call.status),
    [429, 200],
  );
  assert.ok(calls[1]!.at - calls[0]!.at >= 1000, 'the retry waited the Retry-After second');
  for (const call of calls) {
    assert.equal(call.headers.authorization, `Token token=${pd.token}`);
    assert.equal(call.headers.from, 'incident-bot@example.com');
    assert.equal(call.headers.accept, 'application/vnd.pagerduty+json;version=2');
  }
  const note = pd.notes.get('PWB1')![0]!.content;
  assert.match(note, /^incident-bot diagnosis: /);
  assert.match(note, new RegExp(`Slack thread: https://fake\\.slack\\.com/archives/${INCIDENT_CHANNEL}/p\\d+`));

  // The thread: Seen before (nothing earlier) with the Timeline button, and the PagerDuty message, updated once added.
  const seen = threadMessage(threadTs, /:seen-before$/);
  assert.match(textOf(seen), /Seen before: nothing in the last 90 days/);
  assert.deepEqual(buttonsOf(seen), ['incident.timeline']);
  await h.slack.waitFor(() =>
    /Diagnosis added to the PagerDuty incident/.test(textOf(threadMessage(threadTs, /:pagerduty$/))),
  );
  const pagerDuty = threadMessage(threadTs, /:pagerduty$/);
  assert.match(textOf(pagerDuty), /incident PWB1/);
  assert.deepEqual(buttonsOf(pagerDuty), ['pagerduty.acknowledge', 'pagerduty.resolve']);
  assert.ok((await auditActions(incidentId)).includes('pagerduty.note.added'));
});

test('Acknowledge and Resolve: refused (and audited) for others, sent to PagerDuty for an approver', async () => {
  const { incidentId, threadTs } = first;
  const messageTs = threadMessage(threadTs, /:pagerduty$/)!.ts;
  assert.equal(await click('pagerduty.acknowledge', incidentId, 'UBYSTANDER', messageTs), 200);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').some((call) => call.args.user === 'UBYSTANDER'));
  assert.equal(pd.callsTo('PUT', /^\/incidents\/PWB1$/).length, 0, 'nothing sent for a non-approver');
  assert.ok((await auditActions(incidentId)).includes('pagerduty.update.refused'));

  assert.equal(await click('pagerduty.acknowledge', incidentId, ONCALL, messageTs), 200);
  await until('acknowledged in PagerDuty', async () => pd.statuses.get('PWB1') === 'acknowledged' || undefined);
  assert.deepEqual(pd.callsTo('PUT', /^\/incidents\/PWB1$/)[0]?.body, {
    incident: { type: 'incident_reference', status: 'acknowledged' },
  });
  await h.slack.waitFor(() =>
    /Acknowledged in PagerDuty by @UONCALL/.test(textOf(threadMessage(threadTs, /:pagerduty$/))),
  );
  assert.deepEqual(buttonsOf(threadMessage(threadTs, /:pagerduty$/)), ['pagerduty.resolve']);

  assert.equal(await click('pagerduty.resolve', incidentId, ONCALL, messageTs), 200);
  await until('resolved here too', async () => {
    const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    return incident.status === 'resolved' || undefined;
  });
  assert.equal(pd.statuses.get('PWB1'), 'resolved');
  await h.slack.waitFor(() => buttonsOf(threadMessage(threadTs, /:pagerduty$/)).length === 0);
  // A click on a message rendered before the resolution: answered, nothing sent.
  const puts = pd.callsTo('PUT', /^\/incidents\/PWB1$/).length;
  assert.equal(await click('pagerduty.resolve', incidentId, ONCALL, messageTs), 200);
  await h.slack.waitFor(() =>
    h.slack.callsTo('chat.postEphemeral').some((call) => /already resolved/.test(String(call.args.text))),
  );
  assert.equal(pd.callsTo('PUT', /^\/incidents\/PWB1$/).length, puts);
  const actions = await auditActions(incidentId);
  for (const action of ['pagerduty.update.requested', 'pagerduty.acknowledged', 'pagerduty.resolved'])
    assert.ok(actions.includes(action), `audit has ${action}`);
});

test('Timeline button and CLI: the same story, from the alert to the resolution', async () => {
  const { incidentId, threadTs } = first;
  const seenTs = threadMessage(threadTs, /:seen-before$/)!.ts;
  assert.equal(await click('incident.timeline', incidentId, 'UBYSTANDER', seenTs), 200);
  await h.slack.waitFor(() => Boolean(threadMessage(threadTs, /:timeline:/)));
  const draft = textOf(threadMessage(threadTs, /:timeline:/));
  assert.match(draft, /Postmortem draft: timeline/);
  for (const kind of ['Alert', 'Hypothesis', 'Answer', 'PagerDuty', 'Resolution'])
    assert.match(draft, new RegExp(kind));

  const env = { ...process.env, DATABASE_URL: h.database.url };
  const markdown = await runCli(['audit', 'timeline', '--incident', incidentId], 'main', env);
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /\| Alert \| Alert: Checkout errors \| pagerduty \|/);
  assert.match(markdown.stdout, /\| PagerDuty \| Resolved in PagerDuty by UONCALL \| slack:UONCALL \|/);
  assert.match(markdown.stdout, /\| Resolution \| Resolved by UONCALL \| slack:UONCALL \|/);
  const json = await runCli(['audit', 'timeline', '--incident', incidentId, '--json'], 'main', env);
  const timeline = JSON.parse(json.stdout) as Timeline;
  const { firstHypothesisMs, answerMs, approvalMs, resolutionMs } = timeline.durations;
  assert.ok(firstHypothesisMs !== null && answerMs !== null && resolutionMs !== null);
  assert.ok(firstHypothesisMs <= answerMs && answerMs <= resolutionMs);
  assert.equal(approvalMs, null, 'no plan was approved');
  if (process.env.TIMELINE_SAMPLE_OUT) await writeFile(process.env.TIMELINE_SAMPLE_OUT, markdown.stdout);
});

test('PagerDuty down: the thread is answered as usual, the note fails quietly and is audited; Seen before lists the first', async () => {
  pd.setOutage(true);
  try {
    const response = await h.postPagerDuty(
      pagerDutyEvent('incident.triggered', { id: 'PWB2', title: 'Checkout errors again' }),
    );
    const { incidentId } = (await response.json()) as { incidentId: string };
    const threadTs = await answeredThread(h, incidentId);
    await h.slack.waitFor(() => Boolean(threadMessage(threadTs, /:seen-before$/)));
    const seen = textOf(threadMessage(threadTs, /:seen-before$/));
    assert.match(seen, /Seen before \(last 90 days\)/);
    assert.match(
      seen,
      /• Checkout errors \(https:\/\/fake\.slack\.com\/[^)]+\) — .+ · same root cause \(.+\) · no plan · resolved/,
    );
    assert.match(
      JSON.stringify(threadMessage(threadTs, /:seen-before$/)?.blocks),
      new RegExp(
        `<https://fake\\.slack\\.com/archives/${INCIDENT_CHANNEL}/p${first.threadTs.replace('.', '')}\\|Checkout errors>`,
      ),
    );

    await h.slack.waitFor(
      () =>
        /could not be added to PagerDuty: PagerDuty answered 503/.test(textOf(threadMessage(threadTs, /:pagerduty$/))),
      30_000,
    );
    const failed = await h.database.db.auditEvent.findFirstOrThrow({
      where: { incidentId, action: 'pagerduty.note.failed' },
    });
    assert.match(failed.justification ?? '', /PagerDuty answered 503 \(Service Unavailable\), after 3 attempt\(s\)/);
    assert.equal(pd.notes.get('PWB2'), undefined);
    if (process.env.THREAD_SAMPLE_OUT)
      await writeFile(
        process.env.THREAD_SAMPLE_OUT,
        h.slack
          .storedMessages(INCIDENT_CHANNEL)
          .filter(
            (message) =>
              message.ts === first.threadTs ||
              message.thread_ts === first.threadTs ||
              message.ts === threadTs ||
              message.thread_ts === threadTs,
          )
          .map((message) => (message.blocks ? blocksToText(message.blocks as unknown[]) : (message.text ?? '')))
          .join('\n---\n'),
      );
  } finally {
    pd.setOutage(false);
  }
});

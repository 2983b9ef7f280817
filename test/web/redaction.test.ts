import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, mock, test } from 'node:test';
import { startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { investigateScenario } from '../../src/cli/investigate-command.ts';
import { until } from '../support/until.ts';
import { type ClusterHarness, type Harness, isAnswer, startClusterHarness, startHarness } from './harness.ts';

const FIXTURE = new URL('../fixtures/redaction/leaky-credentials.json', import.meta.url);
const scenario = parseScenario(JSON.parse(readFileSync(FIXTURE, 'utf8')), FIXTURE.pathname);

/** What the application prints or the alert quotes, and must never be shown or stored anywhere. */
const PATTERNED = [
  'Zq8wLp2vN4xR', // the password of a connection string
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJpbnZvaWNlciJ9', // a bearer JWT
  'hunter2hunter2', // a password= pair
];
/** Looks like nothing: only known as the value of the Secret the pods name. */
const SECRET_ONLY = 'Qm9Tr4velKx77';
/** In a Secret of the same namespace that no pod uses: never even read. */
const UNRELATED = 'Payr0ll-Unrelated-S3cret';

const forms = (value: string) => [value, Buffer.from(value).toString('base64')];

function assertNothingLeaked(where: string, text: string, values: string[]): void {
  for (const value of values) {
    for (const form of forms(value)) assert.ok(!text.includes(form), `"${form}" reached ${where}`);
  }
}

const alertmanagerGroup = () =>
  JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="KubePodCrashLooping"}',
    status: 'firing',
    commonLabels: scenario.alert.labels,
    commonAnnotations: scenario.alert.annotations,
    alerts: [{ status: 'firing', labels: {}, annotations: {}, startsAt: scenario.alert.startsAt }],
  });

/** Everything the bot put anywhere: Slack, the audit trail, incidents, investigations and plans. */
async function everythingWritten(h: Harness): Promise<Record<string, string>> {
  const db = h.database.db;
  const json = (value: unknown) =>
    JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? String(item) : item));
  return {
    Slack: json(h.slack.calls.map((call) => call.args)),
    'the audit trail': json(await db.auditEvent.findMany()),
    'the stored incident': json(await db.incident.findMany()),
    'the stored investigation': json(await db.investigation.findMany()),
    'the stored plans': json(await db.plan.findMany()),
  };
}

async function answered(h: Harness, incidentId: string) {
  return until(
    'the answer in the thread',
    async () => {
      const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
      const answer = incident.slackThreadTs ? h.slack.replies(incident.slackThreadTs).find(isAnswer) : undefined;
      const done = await h.database.db.investigation.findFirst({ where: { incidentId, status: 'done' } });
      return answer && done ? answer : undefined;
      // Generous: the machine running the suite may be busy; nothing here is about speed.
    },
    120_000,
  );
}

describe('one redaction policy on every way out', () => {
  let h: ClusterHarness;
  before(async () => {
    h = await startClusterHarness(scenario);
  });
  after(() => h.close());

  test('credentials printed by an application reach neither Slack nor Postgres; the evidence stays', async () => {
    const response = await h.post('/webhooks/alertmanager', alertmanagerGroup(), { authorization: 'Bearer am-token' });
    assert.equal(response.status, 202);
    const { incidentId } = (await response.json()) as { incidentId: string };
    const answer = await answered(h, incidentId);
    assert.match(JSON.stringify(answer.args), /rejected credential \[REDACTED\]/, 'the masked line is still evidence');
    for (const [where, text] of Object.entries(await everythingWritten(h))) {
      assertNothingLeaked(where, text, [...PATTERNED, SECRET_ONLY, UNRELATED]);
    }
  });

  test('only the Secrets the pods name are read by name; a list of Secrets asks for metadata alone', () => {
    const secretReads = h.sim.requests().filter((request) => request.path.includes('/secrets'));
    assert.ok(secretReads.length > 0);
    for (const request of secretReads) {
      if (request.server === 'kube' && request.path.endsWith('/secrets') && !request.query.fieldSelector) {
        // Which Secrets changed before the onset: PartialObjectMetadataList only, no full-object fallback offered.
        assert.equal(request.accept, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
        continue;
      }
      assert.match(
        String(request.query.fieldSelector ?? request.path),
        /metadata\.name=invoicer-(db|api)|\/secrets\/invoicer-/,
      );
    }
  });
});

describe('without permission to read Secrets (the default role)', () => {
  let h: Harness;
  let close: () => Promise<void>;
  before(async () => {
    const kube = await startKubeApiServer({
      objects: scenario.cluster.objects,
      logs: scenario.cluster.logs,
      now: new Date(scenario.now),
      authorize: (request) => request.resource !== 'secrets',
    });
    close = () => kube.close();
    h = await startHarness({ kubeConfig: simulationKubeConfig(kube.url) });
  });
  after(async () => {
    await h.close();
    await close();
  });

  test('a 403 on Secrets is noted and the investigation answers; credential patterns are still masked', async () => {
    const response = await h.post('/webhooks/alertmanager', alertmanagerGroup(), { authorization: 'Bearer am-token' });
    const { incidentId } = (await response.json()) as { incidentId: string };
    const answer = await answered(h, incidentId);
    assert.match(JSON.stringify(answer.args), /Secret could not be read \(HTTP 403\)/);
    for (const [where, text] of Object.entries(await everythingWritten(h))) {
      assertNothingLeaked(where, text, [...PATTERNED, UNRELATED]);
    }
  });
});

test('investigate prints the thread masked, text and --json', async () => {
  // `investigate --scenario FILE [--json]` in this process (test/cli covers the command line itself), so that the
  // clock can stand still: on a loaded machine a request of the replay could outlast its 15 s timeout.
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse(scenario.now) });
  try {
    for (const json of [false, true]) {
      let output = '';
      const code = await investigateScenario(FIXTURE.pathname, json, undefined, (text) => {
        output += text;
      });
      assert.equal(code, 0);
      assert.match(output, /\[REDACTED\]/);
      assertNothingLeaked('the CLI output', output, [...PATTERNED, SECRET_ONLY, UNRELATED]);
    }
  } finally {
    mock.timers.reset();
  }
});

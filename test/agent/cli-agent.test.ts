import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { type ScriptedOpenAI, startScriptedOpenAI, toolCall } from '../support/scripted-openai.ts';
import { AGENT_SCENARIO, NAMESPACE } from './agent-scenario.ts';

const secretRef = { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db' };
const answer = {
  rootCause: secretRef,
  faultType: 'bad-secret-value',
  confidence: 0.9,
  summary: 'The database rejects the password in Secret ledger-db.',
  evidence: [{ source: 'spec', ref: secretRef, text: 'created minutes before the crashes' }],
  ruledOut: [],
};

let dir: string;
let model: ScriptedOpenAI;
const saved = { ...process.env };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-cli-'));
  await writeFile(join(dir, 'agent-bad-secret.json'), JSON.stringify(AGENT_SCENARIO));
  // Every investigation reads the Secret, then answers; the CLI child process reaches this server over HTTP.
  model = await startScriptedOpenAI([
    (_request, index) =>
      index % 2 === 0
        ? toolCall('get_object', { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db', reason: 'credentials' })
        : toolCall('final_answer', answer),
  ]);
  process.env.OPENAI_API_KEY = 'test-key';
  process.env.OPENAI_BASE_URL = model.baseURL;
  process.env.OPENAI_MODEL = 'scripted-model';
});
after(async () => {
  process.env = saved;
  await model.close();
  await rm(dir, { recursive: true, force: true });
});

describe('--agent on the CLI', () => {
  it("investigate --json --agent: the agent's answer as rootCause, the engine's beside it", async () => {
    const { code, stdout, stderr } = await runCli([
      'investigate',
      '--scenario',
      join(dir, 'agent-bad-secret.json'),
      '--json',
      '--agent',
    ]);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    assert.deepEqual(summary.rootCause, secretRef);
    assert.equal(summary.faultType, 'bad-secret-value');
    assert.ok('rootCause' in summary.engine && 'faultType' in summary.engine);
    assert.equal(summary.agent.status, 'answered');
    for (const key of ['confidence', 'hypotheses', 'requests', 'ms']) assert.ok(key in summary, key);
    assert.ok(model.requests.every((request) => request.body.model === 'scripted-model'));
  });

  it('eval --agent scores the agent and reports what the engine alone predicted', async () => {
    const { code, stdout, stderr } = await runCli(['eval', '--scenarios', dir, '--json', '--agent']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.total, 1);
    assert.equal(report.correct, 1);
    assert.equal(report.results[0].agentStatus, 'answered');
    assert.ok('predicted' in report.results[0].engine);
  });

  it('--agent without OPENAI_API_KEY is a usage error', async () => {
    delete process.env.OPENAI_API_KEY;
    try {
      const { code, stderr } = await runCli(['eval', '--scenarios', dir, '--agent']);
      assert.equal(code, 2);
      assert.match(stderr, /--agent needs OPENAI_API_KEY/);
    } finally {
      process.env.OPENAI_API_KEY = 'test-key';
    }
  });
});

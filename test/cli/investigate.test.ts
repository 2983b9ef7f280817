import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { DEMO_SCENARIO, runCli } from '../support/run-cli.ts';
import { SMALL_SCENARIO } from './small-scenario.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'investigate-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function assertSummaryShape(output: string) {
  const lines = output.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON line');
  const summary = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(summary).sort(), [
    'confidence',
    'faultType',
    'hypotheses',
    'ms',
    'requests',
    'rootCause',
  ]);
  if (summary.rootCause !== null) {
    assert.equal(typeof summary.rootCause.kind, 'string');
    assert.equal(typeof summary.rootCause.name, 'string');
  }
  assert.ok(summary.faultType === null || typeof summary.faultType === 'string');
  assert.ok(summary.confidence >= 0 && summary.confidence <= 1);
  assert.ok(Array.isArray(summary.hypotheses));
  // The investigation must have talked to the simulated API servers.
  assert.ok(Number.isInteger(summary.requests) && summary.requests > 0, `requests: ${summary.requests}`);
  assert.ok(Number.isInteger(summary.ms) && summary.ms >= 0);
  return summary;
}

describe('incident-bot investigate', () => {
  it('--json prints one summary object for the bundled scenario', async () => {
    const { code, stdout, stderr } = await runCli(['investigate', '--scenario', DEMO_SCENARIO, '--json']);
    assert.equal(code, 0, stderr);
    assertSummaryShape(stdout);
  });

  it('replays a YAML scenario and prints the thread', async () => {
    const file = join(dir, 'tiny.yaml');
    await writeFile(file, stringify(SMALL_SCENARIO));
    const json = await runCli(['investigate', '--scenario', file, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assertSummaryShape(json.stdout);

    const { code, stdout, stderr } = await runCli(['investigate', '--scenario', file]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^🚨 KubePodNotReady {2}\(alertmanager\)/);
    assert.match(stdout, /^▌(Root cause: |No root cause identified)/m);
    assert.match(stdout, /\(\d+ API requests, \d+ ms\)/);
  });

  it('refuses an invalid scenario with its path and exit code 1', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({ ...SMALL_SCENARIO, groundTruth: undefined }));
    const { code, stdout, stderr } = await runCli(['investigate', '--scenario', file, '--json']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /broken\.json/);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../support/run-cli.ts';
import { SMALL_SCENARIO } from './small-scenario.ts';

describe('incident-bot demo', () => {
  it('replays the bundled incident and prints the thread with a root cause', async () => {
    const { code, stdout, stderr } = await runCli(['demo']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /🚨 HighRequestErrorRate frontend/);
    assert.match(stdout, /^▌(Root cause: \S+ \S+|No root cause identified)/m);
    assert.match(stdout, /Ground truth .*Deployment boutique\/redis-cart — (matched|not matched)/);
  });

  it('replays another scenario with --scenario', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-test-'));
    try {
      const file = join(dir, 'tiny.yaml');
      await writeFile(file, stringify(SMALL_SCENARIO));
      const { code, stdout, stderr } = await runCli(['demo', '--scenario', file]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /replaying "A pod that cannot pull its image"/);
      assert.match(stdout, /Ground truth .*Pod tiny\/web-0 — (matched|not matched)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

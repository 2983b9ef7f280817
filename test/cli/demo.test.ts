import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './run-cli.ts';

describe('incident-bot demo', () => {
  it('replays the bundled incident and prints the thread with a root cause', async () => {
    const { code, stdout, stderr } = await runCli(['demo']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /🚨 HighRequestErrorRate frontend/);
    assert.match(stdout, /^▌(Root cause: \S+ \S+|No root cause identified)/m);
    assert.match(stdout, /Ground truth .*Deployment boutique\/redis-cart — (matched|not matched)/);
  });
});

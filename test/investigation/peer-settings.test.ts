import assert from 'node:assert/strict';
import { test } from 'node:test';
import { divergedFromPeers } from '../../src/investigation/evidence/peer-settings.ts';
import type { Workload } from '../../src/investigation/evidence/workloads.ts';

const workload = (name: string, env: Record<string, string>): Workload => ({
  ref: { kind: 'Deployment', namespace: 'app', name },
  template: {
    spec: { containers: [{ name, env: Object.entries(env).map(([key, value]) => ({ name: key, value })) }] },
  },
});

test('a changed value that peers on the same store still hold at its old value has diverged from them', () => {
  const after = workload('producer', { STORE: 'cache.data.svc:6379', DB: '3' });
  const peers = [after, workload('consumer', { STORE: 'cache.data.svc:6379', DB: '0' })];
  const change = { name: 'DB', value: '3', before: '0' };
  const diverged = divergedFromPeers(after, after.template?.spec?.containers ?? [], [change], peers);
  assert.deepEqual(diverged, [{ change, peers: ['consumer'] }]);
  // A peer on another store says nothing.
  const elsewhere = [after, workload('consumer', { STORE: 'other.data.svc:6379', DB: '0' })];
  assert.deepEqual(divergedFromPeers(after, after.template?.spec?.containers ?? [], [change], elsewhere), []);
});

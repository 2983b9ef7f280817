import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soleTrouble, troubleSince } from '../../src/investigation/evidence/recent-trouble.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';

// The alert's words name nothing in trouble: the only namespace where trouble began is where to look next.

type Pod = ClusterSnapshot['pods'][number];
const failed = (namespace: string, name: string): Pod => ({
  metadata: { namespace, name, creationTimestamp: '2026-03-01T09:30:00Z' },
  status: { phase: 'Failed' },
});
const since = '2026-03-01T09:00:00Z';

test('one namespace in trouble besides the one examined is chosen, with no words', () => {
  const trouble = troubleSince({ events: [], pods: [failed('fen-batch', 'ledger-close-x7k2p')] }, since);
  assert.equal(soleTrouble(trouble, 'fen-web')?.trouble.namespace, 'fen-batch');
  assert.deepEqual(soleTrouble(trouble, 'fen-web')?.words, []);
});

test('the namespace examined is no choice, and two namespaces in trouble say nothing about which', () => {
  const one = troubleSince({ events: [], pods: [failed('fen-web', 'ledger-close-x7k2p')] }, since);
  assert.equal(soleTrouble(one, 'fen-web'), undefined);
  const two = troubleSince(
    { events: [], pods: [failed('fen-batch', 'ledger-close-x7k2p'), failed('fen-ops', 'rotate-keys-q4m7z')] },
    since,
  );
  assert.equal(soleTrouble(two, 'fen-web'), undefined);
});

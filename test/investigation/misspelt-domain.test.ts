import assert from 'node:assert/strict';
import { test } from 'node:test';
import { misspeltDomain } from '../../src/investigation/evidence/misspelt-domain.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

const withPod = (image: string, env: Record<string, string>): ClusterSnapshot => {
  const snapshot = emptySnapshot('2026-01-01T00:00:00Z');
  snapshot.pods.push({
    metadata: { name: 'p', namespace: 'n' },
    spec: { containers: [{ name: 'c', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] },
  } as ClusterSnapshot['pods'][number]);
  return snapshot;
};

test('a host under a domain one letter off a domain the pods use is misspelt; a well-spelt unknown one is not', () => {
  const snapshot = withPod('123456.dkr.ecr.eu-west-1.amazonaws.com/app:1.0', { STORE: 'db.internal.example.org:5432' });
  assert.equal(misspeltDomain('cache-7.euw1.cache.amazonws.com', snapshot), 'amazonaws.com');
  assert.equal(misspeltDomain('smtp.oldrelay.example', snapshot), undefined);
  // The domain itself in use: the host may be gone, the name is not misspelt.
  assert.equal(misspeltDomain('gone.cache.amazonaws.com', snapshot), undefined);
  assert.equal(misspeltDomain('10.0.0.12', snapshot), undefined);
});

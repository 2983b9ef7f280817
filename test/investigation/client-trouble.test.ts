import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callsInto, troubleOfClients } from '../../src/investigation/evidence/client-trouble.ts';
import type { NamespaceTrouble } from '../../src/investigation/evidence/recent-trouble.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

const pod = (namespace: string, name: string, env: Record<string, string>): Pod => ({
  metadata: { namespace, name },
  spec: { containers: [{ name, env: Object.entries(env).map(([key, value]) => ({ name: key, value })) }] },
  status: { phase: 'Pending' },
});

const trouble = (namespace: string): NamespaceTrouble => ({
  namespace,
  signs: 1,
  onlyRecurring: false,
  words: new Set([namespace]),
  examples: [`pod ${namespace}-x Pending`],
});

test('a pod configured with a cluster DNS name of another namespace calls into it; one of its own does not', () => {
  assert.ok(callsInto(pod('shop', 'worker', { DB: 'postgres://u@pg.shop-db.svc.cluster.local:5432/x' }), 'shop-db'));
  assert.ok(callsInto(pod('shop', 'worker', { CACHE: 'cache.shop-db.svc:6379' }), 'shop-db'));
  assert.ok(!callsInto(pod('shop', 'worker', { API: 'http://api:8080' }), 'shop-db'));
  assert.ok(!callsInto(pod('shop-db', 'backup', { DB: 'pg.shop-db.svc:5432' }), 'shop-db'));
});

test('of the namespaces in trouble, the only one whose troubled pods call into the namespace examined is chosen', () => {
  const map = new Map([
    ['ci', trouble('ci')],
    ['shop', trouble('shop')],
  ]);
  const pods = [pod('ci', 'runner', {}), pod('shop', 'worker', { DB: 'pg.shop-db.svc:5432' })];
  assert.equal(troubleOfClients(map, pods, 'shop-db')?.trouble.namespace, 'shop');
});

test('two troubled client namespaces, or none, say nothing about which one', () => {
  const map = new Map([
    ['shop', trouble('shop')],
    ['billing', trouble('billing')],
  ]);
  const both = [pod('shop', 'a', { DB: 'pg.shop-db.svc:5432' }), pod('billing', 'b', { DB: 'pg.shop-db.svc:5432' })];
  assert.equal(troubleOfClients(map, both, 'shop-db'), undefined);
  assert.equal(troubleOfClients(map, [pod('shop', 'a', {})], 'shop-db'), undefined);
});

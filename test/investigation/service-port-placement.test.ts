import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { failsToReach } from '../../src/investigation/evidence/connection-failures.ts';
import { answerOf } from './support/answer.ts';

// A Service whose targetPort reaches nothing its pods listen on is found wherever it lives, from where its callers
// are configured to call and where their failed connections say they went. Invented scenarios, replayed through the
// simulated API server.
const DIR = join(import.meta.dirname, '../fixtures/service-port');

test('a caller that "failed" or met a "failure" to connect could not reach its server', () => {
  assert.ok(failsToReach('Reconnecting due to failure to connect to {QA sa=cache.db.svc/10.96.9.9:11211}'));
  assert.ok(failsToReach('failed to connect to cache.db.svc:11211'));
  assert.ok(!failsToReach('failure to render the invoice template'));
});

test("a failed connection to a namespace only a ConfigMap names is read before the env's namespaces no probe told apart", async () => {
  const got = await answerOf(join(DIR, 'lots-unreached-cache-elsewhere.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, 'service-port');
});

test('the last look reads the namespace that the ConfigMap the quiet pods read is configured to call', async () => {
  const got = await answerOf(join(DIR, 'tome-configmap-callee-port.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, 'service-port');
});

test('of a router namespace and an application namespace the alert names beside a host, the host leads', async () => {
  const got = await answerOf(join(DIR, 'quill-router-namespace-and-host.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, 'service-port');
  assert.ok(got.assumptions.some((assumption) => assumption.startsWith('namespace quill:')));
});

test("of namespaces no probe told apart, the part of the application's namespaces the alert's words describe is read", async () => {
  const got = await answerOf(join(DIR, 'desk-search-part-port.json'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, 'service-port');
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUTH_FAILURE } from '../../src/investigation/evidence/auth-refusal.ts';
import { replayScenarioFile } from './support/replay.ts';

test('a server that rejects a logon or the credentials is an authentication failure', () => {
  for (const line of [
    'Received logout request: 58=Logon rejected: unknown sender',
    'session closed by clearing house: login rejected (member not enabled)',
    'remote: credentials rejected',
    'log in denied for user batch',
  ])
    assert.match(line, AUTH_FAILURE);
  for (const line of ['order rejected: price outside band', 'connection refused', 'login page served in 3ms'])
    assert.doesNotMatch(line, AUTH_FAILURE);
});

// A credential an external server rejects, read from a Secret edited shortly before (the pods restarted to pick it up):
// the Secret's value, with the rejection as evidence — not merely a change near the onset.
test('a login an external server rejects after its Secret was edited is the Secret’s bad value', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/harrow-login-rejected-after-secret-edit.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Secret', namespace: 'harrow', name: 'clearing-member-login' });
  assert.equal(result.faultType, 'bad-secret-value');
  assert.match(result.summary, /fails to authenticate: .*login rejected/);
  assert.ok(result.confidence >= 0.8, String(result.confidence));
});

// A rollout restart shortly before the symptom made the pods read again what they read: the Secrets they read are
// read too (by name), so an edit just before the restart is a suspect even when the pods log nothing and the alert
// names no workload.
test('the Secret a workload restarted on purpose reads is read, and its edit just before the restart is the suspect', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/quayside-restart-picks-up-edited-token.yaml'),
  );
  assert.ok(requests.some((r) => r.path.endsWith('/secrets') && JSON.stringify(r.query).includes('carrier-api-token')));
  assert.deepEqual(result.rootCause, { kind: 'Secret', namespace: 'quayside', name: 'carrier-api-token' });
  assert.equal(result.faultType, 'bad-secret-value');
});

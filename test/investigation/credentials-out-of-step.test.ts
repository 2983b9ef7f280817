import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUTH_FAILURE } from '../../src/investigation/evidence/auth-refusal.ts';
import { changeReaches } from '../../src/investigation/evidence/picked-up.ts';
import { secretNamesIn } from '../../src/investigation/evidence/resource-secrets.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures');

// Issue 9 point 5: authentication refused, on either side, means the credential presented is out of step with what the
// server expects; the Secret that supplies it is the cause — wherever the workload's pods get it from.

test('an SDK exception, an invalid key or token and a signature that does not verify are authentication refusals', () => {
  for (const line of [
    '{"type":"AuthenticationError","code":"invalid_api_key"}',
    'handshake failed: 401 {"error":"invalid_token"}',
    'webhook rejected: signature verification failed',
    'java.sql.SQLException: ORA-01017: invalid username/password; logon denied',
  ])
    assert.match(line, AUTH_FAILURE);
  // A card authorisation that times out, a token count, a slow answer: nothing refused a credential.
  for (const line of [
    'Fraud check timed out after 250ms for auth kxh4z9j5 -> fallback decline',
    'tokenizer: 512 tokens in 40ms',
    'upstream request timeout',
  ])
    assert.doesNotMatch(line, AUTH_FAILURE);
});

test('the Secrets an operator’s resource names: a login’s reference first, string and list forms too, names only', () => {
  const names = secretNamesIn({
    replicas: 2,
    tls: { secretName: 'edge-cert' },
    database: { passwordSecretRef: { name: 'db-login', key: 'password' } },
    configuration: { secrets: ['app-settings', 'not a name!'] },
    encryptionSecret: 'runtime-key',
    secretKeyField: 42,
  })
    .sort((a, b) => a.rank - b.rank)
    .map((s) => s.name);
  assert.equal(names[0], 'db-login');
  assert.deepEqual([...names].sort(), ['app-settings', 'db-login', 'edge-cert', 'runtime-key']);
});

test('a change reaches env readers only through containers started since; a mounted volume reaches running pods', () => {
  const pod = (startedAt: string) => ({
    metadata: { name: 'p', namespace: 'ns' },
    status: { startTime: startedAt, containerStatuses: [{ name: 'c', state: { running: { startedAt } } }] },
  });
  const changed = Date.parse('2026-11-26T13:40:00Z');
  const target = { kind: 'Secret', namespace: 'ns', name: 's' };
  const env = [{ target, via: 'env' as const, optional: false }];
  const volume = [{ target, via: 'volume' as const, optional: false }];
  // biome-ignore lint/suspicious/noExplicitAny: a pod's shape reduced to what the rule reads
  const pods = (t: string) => [pod(t)] as any;
  assert.equal(changeReaches(pods('2026-11-20T09:00:00Z'), env, changed), false);
  assert.equal(changeReaches(pods('2026-11-26T13:45:00Z'), env, changed), true);
  assert.equal(changeReaches(pods('2026-11-20T09:00:00Z'), volume, changed), true);
});

test('pods an operator makes through a StatefulSet, refused their login: the Secret its resource names, edited just before', async () => {
  const { result, steps } = await replayScenarioFile(
    join(FIXTURES, 'scenarios/quarto-resource-names-login-secret.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Secret', namespace: 'quarto', name: 'ledger-db-login' });
  assert.equal(result.faultType, 'bad-secret-value');
  assert.ok(steps.some((step) => /Reading the Secrets of pods that log errors: .*ledger-db-login/.test(step)));
});

test('an upstream API refusing the key a reloaded workload reads through envFrom: the Secret, not the restart', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'scenarios/tarn-upstream-refuses-key-from-envfrom.json'));
  assert.deepEqual(result.rootCause, { kind: 'Secret', namespace: 'tarn', name: 'psp-keys' });
  assert.equal(result.faultType, 'bad-secret-value');
  assert.match(result.summary, /fails to authenticate/);
});

test('a reader that rolled out new code and env beside its Secret’s refresh, nothing refused: the rollout, not the Secret', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'scenarios/fjord-rollout-beside-secret-refresh.json'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'fjord', name: 'scorer' });
  assert.equal(result.faultType, 'bad-env');
});

test('a Secret read through env, changed after its reader started, while callers time out: not the Secret', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'creds/sound-secret-unread-callers-time-out.json'));
  assert.notEqual(result.rootCause?.kind, 'Secret');
  assert.notEqual(result.faultType, 'bad-secret-value');
});

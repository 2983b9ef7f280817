import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badSecretValue } from '../../../src/investigation/detectors/bad-secret-value.ts';
import { AUTH_FAILURE } from '../../../src/investigation/evidence/auth-refusal.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS, OLD, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const secret = (s: ClusterSnapshot, changedAt: string) =>
  s.secrets.push({
    metadata: {
      name: 'db-credentials',
      namespace: NS,
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: changedAt }],
    },
    keys: ['password'],
  });
const env = [
  { name: 'DB_HOST', value: 'postgres:5432' },
  { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
];

test('authentication failures right after the Secret changed name the Secret', () => {
  const snapshot = cluster((s) => {
    secret(s, '2026-11-20T10:15:00Z');
    app(s, 'postgres', { port: 5432 });
    app(s, 'orders', { env });
    logs(s, 'orders', ['FATAL: password authentication failed for user "orders" (postgres:5432)']);
  });
  assert.deepEqual(named(detect(badSecretValue, snapshot)), ['Secret/shop/db-credentials bad-secret-value']);
});

test('object-store and token-service refusals read as authentication failures', () => {
  for (const line of [
    'upload failed: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided',
    'token refresh failed: {"error":"invalid_grant"}',
  ]) {
    const snapshot = cluster((s) => {
      secret(s, '2026-11-20T10:15:00Z');
      app(s, 'postgres', { port: 5432 });
      app(s, 'orders', { env });
      logs(s, 'orders', [line]);
    });
    assert.deepEqual(named(detect(badSecretValue, snapshot)), ['Secret/shop/db-credentials bad-secret-value'], line);
  }
});

test('an unchanged Secret is only a weak suspect, and none when several credentials are involved', () => {
  const failing = (secrets: number) =>
    cluster((s) => {
      secret(s, '2026-10-01T00:00:00Z');
      app(s, 'postgres', { port: 5432 });
      const extra =
        secrets > 1 ? [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api-key', key: 'k' } } }] : [];
      if (secrets > 1) s.secrets.push({ metadata: { name: 'api-key', namespace: NS }, keys: ['k'] });
      app(s, 'orders', { env: [...env, ...extra] });
      logs(s, 'orders', ['FATAL: password authentication failed for user "orders"']);
    });
  const [weak] = detect(badSecretValue, failing(1));
  assert.equal(weak?.entity.name, 'db-credentials');
  assert.ok((weak?.strength ?? 1) < 0.7);
  assert.deepEqual(detect(badSecretValue, failing(2)), []);
});

test('the server logging auth failures points at the changed Secret of a caller', () => {
  const snapshot = cluster((s) => {
    secret(s, '2026-11-20T10:15:00Z');
    app(s, 'postgres', { port: 5432 });
    app(s, 'orders', { env });
    logs(s, 'postgres', ['FATAL:  password authentication failed for user "orders"']);
  });
  assert.deepEqual(named(detect(badSecretValue, snapshot)), ['Secret/shop/db-credentials bad-secret-value']);
});

test('a Secret edited shortly before, whose readers were not read, is a weak suspicion', () => {
  const snapshot = cluster((s) => {
    secret(s, '2026-11-20T10:15:00Z');
    app(s, 'postgres', { port: 5432 });
    // Restarted since the edit (the same template): its containers read the new value.
    app(s, 'orders', { env, changedAt: '2026-11-20T10:16:00Z' });
  });
  const [finding] = detect(badSecretValue, snapshot);
  assert.equal(finding?.entity.name, 'db-credentials');
  assert.ok((finding?.strength ?? 1) < 0.5);
});

test('a Secret read through env and edited after its readers started reached none of them: no suspicion', () => {
  const snapshot = cluster((s) => {
    secret(s, '2026-11-20T10:15:00Z');
    app(s, 'postgres', { port: 5432 });
    app(s, 'orders', { env });
  });
  assert.deepEqual(detect(badSecretValue, snapshot), []);
});

test('a server refusing a login names the client by its address: the credential that client reads beside the server', () => {
  // The client logs nothing; the database logs whom it refused. The other client, and the refused client's Secret for
  // another server, are not involved.
  const snapshot = cluster((s) => {
    app(s, 'docs-db', { port: 27017 });
    const secretEnv = (name: string, secret: string) => ({
      name,
      valueFrom: { secretKeyRef: { name: secret, key: 'password' } },
    });
    app(s, 'invoicer', {
      env: [
        { name: 'MONGO_HOST', value: 'docs-db:27017' },
        secretEnv('MONGO_PASSWORD', 'invoicer-mongo'),
        secretEnv('CACHE_PASSWORD', 'invoicer-cache'),
      ],
    });
    app(s, 'receipts', {
      env: [{ name: 'MONGO_HOST', value: 'docs-db:27017' }, secretEnv('MONGO_PASSWORD', 'receipts-mongo')],
    });
    for (const name of ['invoicer-mongo', 'invoicer-cache', 'receipts-mongo'])
      s.secrets.push({ metadata: { name, namespace: NS, creationTimestamp: OLD }, keys: ['password'] });
    const client = podOf(s, 'invoicer');
    if (client.status) client.status.podIP = '10.51.3.21';
    logs(s, 'docs-db', [
      '2026-11-20T10:25:00Z {"msg":"Authentication failed","attr":{"user":"invoicer","remote":"10.51.3.21:51234"}}',
    ]);
  });
  const findings = detect(badSecretValue, snapshot);
  assert.deepEqual(named(findings), ['Secret/shop/invoicer-mongo bad-secret-value']);
  assert.match(findings[0]?.summary ?? '', /docs-db refuses the credentials invoicer presents/);
});

test('a login the server denies is an authentication refusal', () => {
  assert.match('ERROR smtp: login denied by relay.example: 535 5.7.8', AUTH_FAILURE);
  assert.match('Received logout request: 58=Logon rejected: unknown SenderCompID', AUTH_FAILURE);
  assert.doesNotMatch('INFO login page served in 12ms', AUTH_FAILURE);
});

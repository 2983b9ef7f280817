import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialDrift } from '../../../src/investigation/detectors/credential-drift.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS, OLD } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const EDITED = '2026-11-20T09:40:00Z';
const RESTARTED = '2026-11-20T10:05:00Z';

/** A client reading Secret api-db from env, configured to call the `db` Service; the server reads its own Secret. */
function drift(
  s: ClusterSnapshot,
  o: { clientStarted: string; serverStarted: string; serverReadsSameSecret?: boolean },
) {
  const secret = (name: string) => ({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name, key: 'password' } } });
  app(s, 'api', { changedAt: o.clientStarted, env: [{ name: 'DB_HOST', value: 'db:5432' }, secret('api-db')] });
  app(s, 'db', {
    port: 5432,
    changedAt: o.serverStarted,
    env: [secret(o.serverReadsSameSecret ? 'api-db' : 'db-root')],
  });
  s.secrets.push({
    metadata: {
      name: 'api-db',
      namespace: NS,
      creationTimestamp: OLD,
      managedFields: [
        { manager: 'secrets-operator', operation: 'Update', time: OLD },
        { manager: 'secrets-operator', operation: 'Update', time: EDITED },
      ],
    },
    keys: ['password'],
  });
}

test('a client restarted onto an edited Secret while its server kept running names the Secret, firmer with refusals', () => {
  const snapshot = cluster((s) => drift(s, { clientStarted: RESTARTED, serverStarted: OLD }));
  const findings = detect(credentialDrift, snapshot);
  assert.deepEqual(named(findings), ['Secret/shop/api-db bad-secret-value']);
  const quiet = findings[0]?.strength ?? 0;
  const refused = cluster((s) => {
    drift(s, { clientStarted: RESTARTED, serverStarted: OLD });
    logs(s, 'db', ['2026-11-20T10:06:00Z FATAL:  password authentication failed for user "api"']);
  });
  const [confirmed] = detect(credentialDrift, refused);
  assert.ok((confirmed?.strength ?? 0) > quiet);
  assert.ok(confirmed?.evidence.some((e) => e.source === 'log' && /password authentication failed/.test(e.text)));
});

test('no drift when the client still runs on the old value, the server restarted too, or both read the Secret', () => {
  const notRestarted = cluster((s) => drift(s, { clientStarted: OLD, serverStarted: OLD }));
  assert.deepEqual(detect(credentialDrift, notRestarted), []);
  const serverRestarted = cluster((s) => drift(s, { clientStarted: RESTARTED, serverStarted: RESTARTED }));
  assert.deepEqual(detect(credentialDrift, serverRestarted), []);
  const shared = cluster((s) =>
    drift(s, { clientStarted: RESTARTED, serverStarted: OLD, serverReadsSameSecret: true }),
  );
  assert.deepEqual(detect(credentialDrift, shared), []);
});

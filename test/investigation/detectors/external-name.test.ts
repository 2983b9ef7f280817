import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalName } from '../../../src/investigation/detectors/external-name.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const alias = (s: ClusterSnapshot, name: string, host: string) =>
  s.services.push({ metadata: { name, namespace: NS }, spec: { type: 'ExternalName', externalName: host } });

const callsMailer = (s: ClusterSnapshot) => app(s, 'web', { env: [{ name: 'MAILER_URL', value: 'http://mailer:25' }] });

test("a caller's failures to reach the host an ExternalName Service aliases name that Service", () => {
  const snapshot = cluster((s) => {
    callsMailer(s);
    alias(s, 'mailer', 'smtp.mail-provider.example.net');
    logs(s, 'web', ['send failed: dial tcp: lookup smtp.mail-provider.example.net: no such host']);
  });
  const findings = detect(externalName, snapshot);
  assert.deepEqual(named(findings), ['Service/shop/mailer other']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: NS, name: 'web' }]);
});

test('an alias of a cluster Service that does not exist is a (weaker) finding even before a caller says so', () => {
  const snapshot = cluster((s) => {
    callsMailer(s);
    alias(s, 'mailer', `postfix.${NS}.svc.cluster.local`);
  });
  const [finding] = detect(externalName, snapshot);
  assert.match(finding?.summary ?? '', /no Service postfix exists in shop/);
  assert.ok((finding?.strength ?? 1) < 0.7);
});

test('an alias whose callers do not fail, of a host that exists, is no finding', () => {
  const snapshot = cluster((s) => {
    callsMailer(s);
    app(s, 'postfix');
    alias(s, 'mailer', `postfix.${NS}.svc.cluster.local`);
    logs(s, 'web', ['sent 12 messages']);
  });
  assert.deepEqual(detect(externalName, snapshot), []);
});

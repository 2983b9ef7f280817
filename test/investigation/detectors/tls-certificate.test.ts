import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tlsCertificate } from '../../../src/investigation/detectors/tls-certificate.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const shop = (line: string, annotations: Record<string, string> = {}) =>
  cluster((s) => {
    s.secrets.push({
      metadata: { name: 'ledger-tls', namespace: NS, annotations },
      type: 'kubernetes.io/tls',
      keys: ['tls.crt', 'tls.key'],
    });
    app(s, 'ledger', { port: 8443, volumes: [{ name: 'tls', secret: { secretName: 'ledger-tls' } }] });
    app(s, 'web', { env: [{ name: 'LEDGER_URL', value: 'https://ledger:8443' }] });
    logs(s, 'web', [line]);
  });
const issued = {
  'cert-manager.io/certificate-name': 'ledger',
  'cert-manager.io/issuer-name': 'internal-ca',
  'cert-manager.io/issuer-kind': 'ClusterIssuer',
};
const EXPIRED =
  'Get "https://ledger:8443/balance": tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
const UNKNOWN_CA = 'Get "https://ledger:8443/balance": x509: certificate signed by unknown authority';

test('an expired certificate the called Service presents names the Certificate that issues its TLS Secret', () => {
  const findings = detect(tlsCertificate, shop(EXPIRED, issued));
  assert.deepEqual(named(findings), ['Certificate/shop/ledger other']);
  assert.ok(findings[0]?.affects.some((ref) => ref.name === 'web'));
  assert.ok(findings[0]?.affects.some((ref) => ref.name === 'ledger'));
});

test('an authority the client does not trust names the issuer; without cert-manager, the TLS Secret', () => {
  assert.deepEqual(named(detect(tlsCertificate, shop(UNKNOWN_CA, issued))), ['ClusterIssuer/internal-ca other']);
  assert.deepEqual(named(detect(tlsCertificate, shop(EXPIRED))), ['Secret/shop/ledger-tls other']);
});

test('errors that are not about certificates are no finding', () => {
  assert.deepEqual(detect(tlsCertificate, shop('Get "https://ledger:8443/balance": connection refused', issued)), []);
});

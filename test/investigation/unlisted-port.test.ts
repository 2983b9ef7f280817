import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicePort } from '../../src/investigation/detectors/service-port.ts';
import { unlistedPort } from '../../src/investigation/detectors/unlisted-port.ts';
import { app, cluster, logs, NS, service } from './support/cluster.ts';
import { detect, named } from './support/detect.ts';

// A cluster IP forwards only the ports its Service lists. A Service renumbered shortly before the symptom (8080 → 80,
// the same targetPort) leaves its callers, still configured for 8080, refused at the cluster IP while its pods run
// healthy: the Service is where the fault lives, not the pods behind it nor the callers.
const renumbered = (changedAt: string, fields?: Record<string, unknown>) =>
  cluster((s) => {
    app(s, 'quotes', { port: 8080, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 8080, changedAt });
    const svc = s.services.at(-1);
    if (fields && svc?.metadata?.managedFields?.[0]) svc.metadata.managedFields[0].fieldsV1 = fields;
    app(s, 'storefront', { env: [{ name: 'QUOTES_URL', value: 'http://quotes:8080' }] });
    const ip = svc?.spec?.clusterIP;
    logs(s, 'storefront', [
      `2026-11-20T10:22:00Z error GET /basket failed: connect ECONNREFUSED ${ip}:8080`,
      '2026-11-20T10:25:00Z error quote lookup: dial tcp quotes.shop.svc.cluster.local:8080: connect: connection refused',
    ]);
  });

test('clients refused at a port a just-renumbered Service no longer lists: the Service, service-port', () => {
  const findings = detect(unlistedPort, renumbered('2026-11-20T10:18:00Z', { 'f:spec': { 'f:ports': {} } }));
  assert.deepEqual(named(findings), [`Service/${NS}/quotes service-port`]);
  assert.ok((findings[0]?.strength ?? 0) >= 0.85);
});

test('a Service unchanged for weeks is no suspect: the clients dial a port it never served', () => {
  assert.deepEqual(detect(unlistedPort, renumbered('2026-10-01T09:00:00Z')), []);
});

test('a recent change that wrote only its selector took no port away', () => {
  assert.deepEqual(detect(unlistedPort, renumbered('2026-11-20T10:18:00Z', { 'f:spec': { 'f:selector': {} } })), []);
});

test('refusals at a port the Service lists are not this fault', () => {
  const snapshot = cluster((s) => {
    app(s, 'ledger', { port: 8080, service: false });
    service(s, 'ledger', { selector: { app: 'ledger' }, port: 8080, changedAt: '2026-11-20T10:18:00Z' });
    app(s, 'clerk');
    logs(s, 'clerk', ['2026-11-20T10:22:00Z error dial tcp ledger:8080: connect: connection refused']);
  });
  assert.deepEqual(detect(unlistedPort, snapshot), []);
});

// A Service port is numbered after what it serves: port 9200 sent to targetPort 9300 while the pods listen on both
// 9200 and 9300, written shortly before, crosses the clients onto the other listener (a REST client onto a binary
// transport), whatever names the ports carry.
test('a just-changed Service port sent to another listener than the one at its own number is crossed', () => {
  const snapshot = cluster((s) => {
    app(s, 'index', {
      port: 9200,
      service: false,
      container: {
        ports: [
          { name: 'rest', containerPort: 9200 },
          { name: 'transport', containerPort: 9300 },
        ],
      },
    });
    service(s, 'index', {
      selector: { app: 'index' },
      port: 9200,
      targetPort: 9300,
      changedAt: '2026-11-20T10:18:00Z',
    });
    app(s, 'catalog', { env: [{ name: 'INDEX_URL', value: 'http://index:9200' }] });
    logs(s, 'catalog', ['2026-11-20T10:22:00Z error search failed: Connection reset [index:9200]']);
  });
  const findings = detect(servicePort, snapshot);
  assert.deepEqual(named(findings), [`Service/${NS}/index service-port`]);
  assert.equal(findings[0]?.remediation?.action.type, 'set-service-port');
});

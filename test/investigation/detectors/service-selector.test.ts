import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceSelector } from '../../../src/investigation/detectors/service-selector.ts';
import { app, cluster, service } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a Service whose selector has a typo names the Service and proposes the labels its pods carry', () => {
  const snapshot = cluster((s) => {
    app(s, 'ledger', { service: false });
    service(s, 'ledger', { selector: { app: 'ledgr' }, port: 8080, changedAt: '2026-11-20T10:19:00Z' });
  });
  const findings = detect(serviceSelector, snapshot);
  assert.deepEqual(named(findings), ['Service/shop/ledger service-selector']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'set-service-selector',
    namespace: 'shop',
    name: 'ledger',
    selector: { app: 'ledger' },
  });
  assert.equal(findings[0]?.changedAt, '2026-11-20T10:19:00Z');
});

test('a workload scaled to zero is not a selector fault: its template still matches', () => {
  const snapshot = cluster((s) => app(s, 'ledger', { replicas: 0 }));
  assert.deepEqual(detect(serviceSelector, snapshot), []);
});

test('a Service that selects its pods is no finding', () => {
  assert.deepEqual(
    detect(
      serviceSelector,
      cluster((s) => app(s, 'ledger')),
    ),
    [],
  );
});

test('a Service whose pods may be among those a cut-short list left unread is no finding: absence needs a full read', () => {
  const snapshot = cluster((s) => {
    app(s, 'ledger', { service: false });
    service(s, 'ledger', { selector: { app: 'ledgr' }, port: 8080 });
    s.incomplete.push({ kind: 'Pod', namespace: 'shop', read: 500, unread: 20, why: 'its read budget was spent' });
  });
  assert.deepEqual(detect(serviceSelector, snapshot), []);
});

test('a Service changed to a selector that routes to two programs (no container in common) names the Service', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { labels: { app: 'quotes', role: 'api' }, service: false, container: { name: 'quotes' } });
    app(s, 'quotes-backfill', {
      labels: { app: 'quotes', role: 'backfill' },
      service: false,
      container: { name: 'backfill' },
    });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 8080, changedAt: '2026-11-20T10:19:00Z' });
  });
  const findings = detect(serviceSelector, snapshot);
  assert.deepEqual(named(findings), ['Service/shop/quotes service-selector']);
  assert.equal(findings[0]?.changedAt, '2026-11-20T10:19:00Z');
});

test('two versions of one program behind a Service (the same containers) are a canary, not a selector fault', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes-v1', { labels: { app: 'quotes', version: 'v1' }, service: false });
    app(s, 'quotes-v2', {
      labels: { app: 'quotes', version: 'v2' },
      service: false,
      image: 'registry.example/quotes:2.0',
    });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 8080, changedAt: '2026-11-20T10:19:00Z' });
  });
  assert.deepEqual(detect(serviceSelector, snapshot), []);
});

test('a Service unchanged since before one of the programs it selects existed is no selector finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { labels: { app: 'quotes', role: 'api' }, service: false, container: { name: 'quotes' } });
    app(s, 'quotes-backfill', {
      labels: { app: 'quotes', role: 'backfill' },
      service: false,
      container: { name: 'backfill' },
      changedAt: '2026-11-20T10:19:00Z',
    });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 8080 });
  });
  assert.deepEqual(detect(serviceSelector, snapshot), []);
});

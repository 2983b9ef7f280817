import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dns } from '../../../src/investigation/detectors/dns.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a DNS-serving workload with no ready pod is the dns fault, affecting workloads that fail to resolve', () => {
  const snapshot = cluster((s) => {
    app(s, 'coredns', { labels: { 'k8s-app': 'kube-dns' }, ready: false, port: 53 });
    app(s, 'web');
    logs(s, 'web', [
      'dial tcp: lookup ledger.shop.svc.cluster.local: i/o timeout; lookup ledger on 10.96.0.10:53: server misbehaving',
    ]);
  });
  const findings = detect(dns, snapshot);
  assert.deepEqual(named(findings), [`Deployment/${NS}/coredns dns`]);
  assert.ok(findings[0]?.affects.some((a) => a.name === 'web'));
});

test('a DNS Deployment scaled to zero (no pods left) behind the resolver address the logs name is the dns fault', () => {
  const snapshot = cluster((s) => {
    // The first Service of the builder gets 10.96.0.10, the resolver address in the log line.
    app(s, 'resolver', { replicas: 0, port: 53 });
    app(s, 'web');
    logs(s, 'web', ['dial tcp: lookup ledger.shop.svc.cluster.local on 10.96.0.10:53: read udp: i/o timeout']);
  });
  assert.equal(snapshot.services[0]?.spec?.clusterIP, '10.96.0.10');
  const findings = detect(dns, snapshot);
  assert.deepEqual(named(findings), [`Deployment/${NS}/resolver dns`]);
  assert.match(findings[0]?.summary ?? '', /scaled to 0/);
  assert.ok(findings[0]?.affects.some((a) => a.name === 'web'));
});

test('a healthy workload at the resolver address is no finding, whatever the lookups say', () => {
  const snapshot = cluster((s) => {
    app(s, 'resolver', { port: 53 });
    app(s, 'web');
    logs(s, 'web', ['dial tcp: lookup ledger.shop.svc.cluster.local on 10.96.0.10:53: no such host']);
  });
  assert.deepEqual(
    named(detect(dns, snapshot)).filter((n) => n.includes('resolver')),
    [],
  );
});

test('no resolve errors and a healthy DNS workload are no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'coredns', { labels: { 'k8s-app': 'kube-dns' }, port: 53 });
    app(s, 'web');
  });
  assert.deepEqual(detect(dns, snapshot), []);
});

test('a workload resolving through its own nameservers, with failed lookups, is the dns fault', () => {
  const snapshot = cluster((s) => {
    app(s, 'web');
    const spec = s.deployments[0]?.spec?.template?.spec;
    if (spec) Object.assign(spec, { dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.99'] } });
    logs(s, 'web', ['dial tcp: lookup ledger.shop.svc.cluster.local on 10.0.0.99:53: i/o timeout']);
  });
  assert.deepEqual(named(detect(dns, snapshot)), ['Deployment/shop/web dns']);
});

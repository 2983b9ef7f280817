import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clusterDnsObjects,
  lookedUpNames,
  onlyOutsideNames,
  resolutionErrors,
  resolverIps,
} from '../../src/investigation/evidence/cluster-dns.ts';
import { forwardingBlocksOf, holdsServerBlocks } from '../../src/investigation/evidence/corefile.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';

const log = (...lines: string[]) => ({ namespace: 'web', pod: 'web-0', container: 'main', previous: false, lines });

test('name-resolution failures as runtimes word them are recognised, other failures are not', () => {
  const lines = resolutionErrors([
    log(
      '2026-12-10T09:10:00Z java.net.UnknownHostException: ledger: Name or service not known',
      'dial tcp: lookup ledger: i/o timeout',
      'grpc: DNS resolution failed for ledger:443',
      'getaddrinfo EAI_AGAIN ledger',
      'dial tcp 10.0.0.7:5432: connect: connection refused',
      'upstream returned 503',
    ),
  ]);
  assert.equal(lines.length, 4);
  assert.ok(!lines.some((line) => line.startsWith('2026')), 'timestamps are cut');
});

test('resolver addresses come from `on <ip>:53` and from the UDP exchange', () => {
  const ips = resolverIps([
    'lookup a.b.svc.cluster.local on 10.96.0.10:53: no such host',
    'read udp 10.244.1.7:40022->172.20.0.10:53: i/o timeout',
    'dial tcp 10.0.0.7:5353: refused',
  ]);
  assert.deepEqual([...ips].sort(), ['10.96.0.10', '172.20.0.10']);
});

test('the cluster DNS is its labelled Service or the one at the resolver address, with the Deployments it selects', () => {
  const service = (name: string, ip: string, labels: Record<string, string> = {}) => ({
    metadata: { name, namespace: 'kube-system', labels },
    spec: { clusterIP: ip, selector: { app: name } },
  });
  const deployment = (name: string, app: string) => ({
    metadata: { name, namespace: 'kube-system' },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } } } },
  });
  const read = {
    services: [
      service('kube-dns', '10.96.0.10', { 'k8s-app': 'kube-dns' }),
      service('resolver', '10.96.0.53'),
      service('metrics', '10.96.0.99'),
    ],
    endpoints: [{ metadata: { name: 'kube-dns', namespace: 'kube-system' } }, { metadata: { name: 'metrics' } }],
    deployments: [
      deployment('coredns', 'kube-dns'),
      deployment('unbound', 'resolver'),
      deployment('metrics', 'metrics'),
    ],
  } as unknown as Pick<ClusterSnapshot, 'services' | 'endpoints' | 'deployments'>;
  const dns = clusterDnsObjects(read, new Set(['10.96.0.53']));
  assert.deepEqual(
    dns.services.map((s) => s.metadata?.name),
    ['kube-dns', 'resolver'],
  );
  assert.deepEqual(
    dns.endpoints.map((e) => e.metadata?.name),
    ['kube-dns'],
  );
  assert.deepEqual(
    dns.deployments.map((d) => d.metadata?.name),
    ['coredns', 'unbound'],
  );
});

test('lookups of outside names only may have reached the cluster DNS (it forwards them); a Service name among them may not', () => {
  const namespaces = new Set(['shop', 'data']);
  assert.ok(
    onlyOutsideNames(['dial tcp: lookup api.vendor.example on 10.96.0.10:53: read udp: i/o timeout'], namespaces),
  );
  assert.ok(onlyOutsideNames(['Error: getaddrinfo EAI_AGAIN rates.partner.example'], namespaces));
  assert.ok(!onlyOutsideNames(['lookup cart.shop.svc.cluster.local on 10.96.0.10:53: i/o timeout'], namespaces));
  assert.ok(!onlyOutsideNames(['lookup redis.data on 10.96.0.10:53: i/o timeout'], namespaces));
  assert.ok(!onlyOutsideNames(['lookup ledger: i/o timeout', 'lookup api.vendor.example: i/o timeout'], namespaces));
  assert.ok(!onlyOutsideNames(['temporary failure in name resolution'], namespaces), 'no name: nothing to say');
});

test('server blocks under keys of their own (files a Corefile imports) are DNS configuration with forwarders', () => {
  const custom = { 'partner.server': 'partner.example:53 {\n  errors\n  forward . 10.9.0.53\n}\n' };
  assert.ok(holdsServerBlocks(custom));
  assert.deepEqual(forwardingBlocksOf(custom), [{ zones: ['partner.example'], upstreams: ['10.9.0.53'] }]);
  assert.ok(!holdsServerBlocks({ 'app.properties': 'server.port=8080\nfeature.x=true' }));
  assert.ok(holdsServerBlocks({ Corefile: '.:53 {\n  forward . /etc/resolv.conf\n}' }));
});

test('a client that says only that resolution failed looked up the host of the URL its line quotes', () => {
  const namespaces = new Set(['shop']);
  const python =
    '{"msg": "order sync failed", "error": "[Errno -3] Temporary failure in name resolution", "url": "https://erp.corp.example:8443/api/orders"}';
  assert.deepEqual(lookedUpNames([python]), ['erp.corp.example']);
  assert.ok(onlyOutsideNames([python], namespaces));
  assert.deepEqual(lookedUpNames(['Temporary failure in name resolution calling http://ledger.shop.svc:8080/x']), [
    'ledger.shop.svc',
  ]);
  assert.deepEqual(lookedUpNames(['request to https://10.0.0.5/x failed: timeout']), [], 'no lookup failed');
  assert.deepEqual(lookedUpNames(['Temporary failure in name resolution: http://10.0.0.5/x']), [], 'an address');
});

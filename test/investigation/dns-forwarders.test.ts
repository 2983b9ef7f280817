import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardingBlocks, inZone } from '../../src/investigation/evidence/corefile.ts';
import { readDnsServerLog } from '../../src/investigation/evidence/dns-server-log.ts';
import type { PodLogLine } from '../../src/investigation/evidence/logs.ts';
import { parseLogLine } from '../../src/investigation/evidence/log-line.ts';
import { errorLines } from '../../src/investigation/tools/error-lines.ts';

// The cluster DNS as the next hop of failed lookups: where its Corefile forwards which zone, and what its log says.

const COREFILE = `.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
    }
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    reload
}
partners.example:53 {
    errors
    forward . 192.0.2.53 tls://192.0.2.54
}
`;

test('a Corefile block forwarding a zone to addresses of its own is found; the node resolv.conf is not an upstream', () => {
  assert.deepEqual(forwardingBlocks(COREFILE), [
    { zones: ['partners.example'], upstreams: ['192.0.2.53', 'tls://192.0.2.54'] },
  ]);
  assert.ok(inZone('api.partners.example.', 'partners.example'));
  assert.ok(!inZone('api.partnersxexample', 'partners.example'));
});

const line = (text: string): PodLogLine => ({
  ...parseLogLine(text),
  pod: 'dns-1',
  namespace: 'kube-system',
  container: 'coredns',
  previous: false,
});

test("the DNS server's log dates its reload and names each lookup it failed to forward, with the upstream", () => {
  const log = readDnsServerLog(
    [
      '2026-03-01T08:00:00Z [INFO] Reloading',
      '2026-03-01T08:00:01Z [INFO] Reloading complete',
      '2026-03-01T08:03:00Z [ERROR] plugin/errors: 2 api.partners.example. A: read udp 10.0.0.5:3000->192.0.2.53:53: i/o timeout',
    ].map(line),
  );
  assert.deepEqual(log.reloads, ['2026-03-01T08:00:00Z']);
  assert.equal(log.failures.length, 1);
  assert.equal(log.failures[0]?.name, 'api.partners.example');
  assert.equal(log.failures[0]?.upstream, '192.0.2.53');
});

test('a log read keeps the latest lines saying new configuration was taken beside its errors, counted as matched', () => {
  const log = [
    '2026-03-01T07:00:00Z [INFO] plugin/reload: Running configuration SHA512 = 1',
    '2026-03-01T07:30:00Z [INFO] serving',
    '2026-03-01T08:00:00Z flag configuration changed: checkout-v2 off -> on',
    '2026-03-01T08:01:00Z error: upstream timed out',
  ].join('\n');
  const read = errorLines(log, 1);
  assert.deepEqual(read.lines, [
    '2026-03-01T07:00:00Z [INFO] plugin/reload: Running configuration SHA512 = 1',
    '2026-03-01T08:00:00Z flag configuration changed: checkout-v2 off -> on',
    '2026-03-01T08:01:00Z error: upstream timed out',
  ]);
  assert.equal(read.matched, 3);
});

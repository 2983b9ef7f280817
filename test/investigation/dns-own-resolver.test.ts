import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { leftClusterDns, podResolver } from '../../src/investigation/evidence/pod-resolver.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

test("a pod's own DNS settings say whom it asks: the cluster DNS, the node's resolver or nameservers of its own", () => {
  const spec = (fields: object) => ({ containers: [], ...fields });
  assert.equal(podResolver(spec({})).asks, 'cluster');
  assert.equal(podResolver(spec({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true })).asks, 'cluster');
  assert.equal(podResolver(spec({ hostNetwork: true })).asks, 'node');
  assert.equal(podResolver(spec({ dnsPolicy: 'Default' })).asks, 'node');
  assert.equal(podResolver(spec({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.1.0.53'] } })).asks, 'own');
  assert.equal(podResolver(spec({ dnsConfig: { nameservers: ['10.1.0.53'] } })).asks, 'own');
  assert.equal(podResolver(spec({ dnsConfig: { searches: ['corp.internal'] } })).asks, 'cluster');
});

// The alert is at the consumer itself; the cluster DNS is healthy, and its ConfigMap's edit shortly before is a
// distractor the failing lookups never reach: the rollout that moved the worker off the cluster DNS is the fault.
for (const [file, resolver] of [
  ['tern-worker-host-network-resolver.yaml', /node's resolver.*hostNetwork: true with dnsPolicy ClusterFirst/],
  ['tern-worker-own-nameserver.yaml', /its own DNS settings.*dnsPolicy None, nameservers 10\.40\.0\.53/],
] as const) {
  test(`a workload whose own settings send its lookups past the cluster DNS is the dns fault (${file})`, async () => {
    const { result } = await replayScenarioFile(join(FIXTURES, file));
    assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'telemetry', name: 'ingest-worker' });
    assert.equal(result.faultType, 'dns');
    assert.match(result.summary, resolver);
    assert.match(result.summary, /revision 2 .* brought these settings/);
    assert.ok(!result.hypotheses.some((h) => h.entity.name === 'coredns'));
    assert.deepEqual(result.remediation?.action, {
      type: 'rollout-undo',
      namespace: 'telemetry',
      name: 'ingest-worker',
      toRevision: 1,
    });
  });
}

test('a revision that stops asking the cluster DNS says how; one that still asks it (its address named) does not', () => {
  const spec = (fields: object) => ({ containers: [], ...fields });
  const clusterDns = new Set(['10.96.0.10']);
  assert.match(leftClusterDns(spec({}), spec({ dnsPolicy: 'Default' }), clusterDns) ?? '', /node's resolv\.conf/);
  assert.match(
    leftClusterDns(spec({}), spec({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.10'] } }), clusterDns) ?? '',
    /nameservers 10\.0\.0\.10/,
  );
  assert.equal(
    leftClusterDns(spec({}), spec({ dnsPolicy: 'None', dnsConfig: { nameservers: ['10.96.0.10'] } }), clusterDns),
    undefined,
  );
  // Already past the cluster DNS before: the revision did not bring it.
  assert.equal(leftClusterDns(spec({ dnsPolicy: 'Default' }), spec({ dnsPolicy: 'Default' }), clusterDns), undefined);
});

// The rolled-out service logs nothing; its caller sees only 502s. What the revision changed is whom its pods ask for
// names (the host network, whose resolver knows no Service name): a dns fault, not a bad rollout.
test('a silent workload rolled out onto a resolver other than the cluster DNS is a dns fault of the rollout', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'apiary-rollout-onto-node-resolver.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'apiary', name: 'hive-metrics' });
  assert.equal(result.faultType, 'dns');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quotaExceeded } from '../../../src/investigation/detectors/quota-exceeded.ts';
import { app, cluster, event, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('FailedCreate "exceeded quota" names the ResourceQuota, affecting the workload', () => {
  const snapshot = cluster((s) => {
    app(s, 'mailer');
    s.resourceQuotas.push({
      metadata: { name: 'team-quota', namespace: NS },
      spec: { hard: { pods: '4' } },
      status: { hard: { pods: '4' }, used: { pods: '4' } },
    });
    const rs = s.replicaSets[0]?.metadata?.name ?? '';
    event(
      s,
      { kind: 'ReplicaSet', name: rs },
      'FailedCreate',
      `Error creating: pods "${rs}-x" is forbidden: exceeded quota: team-quota, requested: pods=1, used: pods=4, limited: pods=4`,
    );
  });
  const findings = detect(quotaExceeded, snapshot);
  assert.deepEqual(named(findings), ['ResourceQuota/shop/team-quota quota-exceeded']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'mailer' }]);
});

test('no refused creation, no finding', () => {
  assert.deepEqual(
    detect(
      quotaExceeded,
      cluster((s) => app(s, 'mailer')),
    ),
    [],
  );
});

test('with the events expired, a used-up quota and a controller short of pods are still found, more weakly', () => {
  const snapshot = cluster((s) => {
    app(s, 'mailer', { replicas: 2 });
    s.resourceQuotas.push({
      metadata: { name: 'team-quota', namespace: NS },
      spec: { hard: { 'requests.cpu': '1' } },
      status: { hard: { 'requests.cpu': '1' }, used: { 'requests.cpu': '1000m' } },
    });
  });
  const findings = detect(quotaExceeded, snapshot);
  assert.deepEqual(named(findings), ['ResourceQuota/shop/team-quota quota-exceeded']);
  assert.ok((findings[0]?.strength ?? 1) < 0.7);
});

test('a quota with room left is no finding even when a controller is short of pods', () => {
  const snapshot = cluster((s) => {
    app(s, 'mailer', { replicas: 2 });
    s.resourceQuotas.push({
      metadata: { name: 'team-quota', namespace: NS },
      status: { hard: { pods: '10' }, used: { pods: '3' } },
    });
  });
  assert.deepEqual(detect(quotaExceeded, snapshot), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hpaLimit } from '../../../src/investigation/detectors/hpa-limit.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const hpa = (s: ClusterSnapshot, current: number, utilization: number) =>
  s.horizontalPodAutoscalers.push({
    metadata: { name: 'api', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: current,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: utilization } } }],
    },
  });

test('an autoscaler at maxReplicas with utilization above target names the HPA', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', { replicas: 3 });
    hpa(s, 3, 180);
  });
  const findings = detect(hpaLimit, snapshot);
  assert.deepEqual(named(findings), ['HorizontalPodAutoscaler/shop/api hpa-limit']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'api' }]);
});

test('an autoscaler with room to scale is no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', { replicas: 2 });
    hpa(s, 2, 90);
  });
  assert.deepEqual(detect(hpaLimit, snapshot), []);
});

test('an autoscaler asking for more replicas than exist, below its maximum, is not limited: what refuses the pods is', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', { replicas: 3 });
    hpa(s, 1, 400);
    const status = s.horizontalPodAutoscalers[0]?.status;
    if (status) status.desiredReplicas = 3;
  });
  assert.deepEqual(detect(hpaLimit, snapshot), []);
});

/** An autoscaler whose ScalingActive condition is False, with the controller's repeated warning. */
const unable = (s: ClusterSnapshot, message: string) => {
  hpa(s, 1, 0);
  const status = s.horizontalPodAutoscalers[0]?.status;
  if (!status) return;
  status.currentMetrics = undefined;
  status.conditions = [
    { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
    {
      type: 'ScalingActive',
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: `the HPA was unable to compute the replica count: ${message}`,
      lastTransitionTime: '2026-11-18T08:00:00Z',
    },
  ];
  event(s, { kind: 'HorizontalPodAutoscaler', name: 'api' }, 'FailedGetResourceMetric', message);
};

test('an autoscaler that cannot compute a utilisation because a container requests no CPU names the workload, dated by the revision that dropped it', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', { revision: 1 });
    app(s, 'api', {
      revision: 2,
      service: false,
      changedAt: '2026-11-18T07:55:00Z',
      container: { resources: { requests: { memory: '64Mi' } } },
    });
    // The Deployment object is the newest revision's.
    s.deployments.splice(0, 1);
    unable(s, 'failed to get cpu utilization: missing request for cpu in container main of Pod api-x');
  });
  const findings = detect(hpaLimit, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/api hpa-limit']);
  const [finding] = findings;
  assert.equal(finding?.changedAt, '2026-11-18T07:55:00Z');
  assert.match(finding?.evidence[0]?.text ?? '', /revision 2 of api .* removed the cpu request revision 1 had/);
  assert.ok(
    finding?.evidence.some((e) => e.source === 'event' && /×5/.test(e.text)),
    'the repeated event, once, with its count',
  );
  assert.equal(finding?.evidence.filter((e) => e.source === 'event').length, 1);
});

test('an autoscaler that cannot get its metric for another reason names the autoscaler', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    unable(s, 'unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  });
  assert.deepEqual(named(detect(hpaLimit, snapshot)), ['HorizontalPodAutoscaler/shop/api hpa-limit']);
});

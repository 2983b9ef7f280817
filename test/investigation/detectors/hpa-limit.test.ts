import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hpaLimit } from '../../../src/investigation/detectors/hpa-limit.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, NS } from '../support/cluster.ts';
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

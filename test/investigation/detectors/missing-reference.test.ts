import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingReference } from '../../../src/investigation/detectors/missing-reference.ts';
import { app, cluster } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const envFromSecret = [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'gateway-v2', key: 'api-key' } } }];

test('CreateContainerConfigError for an absent Secret names the workload that references it', () => {
  const snapshot = cluster((s) =>
    app(s, 'payments', {
      env: envFromSecret,
      ready: false,
      containerStatus: {
        state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "gateway-v2" not found' } },
      },
    }),
  );
  const findings = detect(missingReference, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/payments missing-secret']);
  assert.match(findings[0]?.summary ?? '', /Secret gateway-v2/);
});

test('a missing ConfigMap key is missing-configmap', () => {
  const snapshot = cluster((s) =>
    app(s, 'payments', {
      ready: false,
      containerStatus: {
        state: {
          waiting: {
            reason: 'CreateContainerConfigError',
            message: "couldn't find key region in ConfigMap shop/settings",
          },
        },
      },
    }),
  );
  assert.deepEqual(named(detect(missingReference, snapshot)), ['Deployment/shop/payments missing-configmap']);
});

test('pods that started are no finding', () => {
  assert.deepEqual(
    detect(
      missingReference,
      cluster((s) => app(s, 'payments', { env: envFromSecret })),
    ),
    [],
  );
});

test('an old mount warning on a pod that runs is no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'payments');
    s.events.push({
      metadata: { name: 'e', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: s.pods[0]?.metadata?.name, namespace: 'shop' },
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "ca" : configmap "kube-root-ca.crt" not found',
      type: 'Warning',
    });
  });
  assert.deepEqual(detect(missingReference, snapshot), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admissionRefused } from '../../../src/investigation/detectors/admission-refused.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const configuration = (s: ClusterSnapshot, name: string, webhooks: string[]) =>
  s.validatingWebhookConfigurations.push({
    metadata: { name },
    webhooks: webhooks.map((hook) => ({
      name: hook,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      clientConfig: { service: { name: 'policy', namespace: 'policy-system' } },
    })),
  });

const refusedShop = (message: string) =>
  cluster((s) => {
    app(s, 'api', { ready: false, replicas: 0 });
    const replicaSet = s.replicaSets[0]?.metadata?.name ?? '';
    event(s, { kind: 'ReplicaSet', name: replicaSet }, 'FailedCreate', message);
    configuration(s, 'team-policies', ['owner-label.policies.example.org']);
    configuration(s, 'image-rules', ['signed.images.example.org']);
  });

test('pods refused by an admission webhook name the configuration that holds the webhook', () => {
  const snapshot = refusedShop(
    'Error creating: admission webhook "owner-label.policies.example.org" denied the request: missing label owner',
  );
  const findings = detect(admissionRefused, snapshot);
  assert.deepEqual(named(findings), ['ValidatingWebhookConfiguration/team-policies other']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: NS, name: 'api' }]);
});

test('a webhook that cannot be called and fails closed is the same configuration, said so', () => {
  const snapshot = refusedShop(
    'Error creating: Internal error occurred: failed calling webhook "owner-label.policies.example.org": no endpoints available for service "policy"',
  );
  const [finding] = detect(admissionRefused, snapshot);
  assert.match(finding?.summary ?? '', /cannot be called and fails closed/);
});

test('a refusal by quota, or by a webhook no configuration read holds, is no finding here', () => {
  assert.deepEqual(
    detect(admissionRefused, refusedShop('Error creating: pods "api-x" is forbidden: exceeded quota: compute')),
    [],
  );
  assert.deepEqual(
    detect(
      admissionRefused,
      refusedShop('Error creating: admission webhook "unknown.example.org" denied the request: no'),
    ),
    [],
  );
});

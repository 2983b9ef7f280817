import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingKinds, principalsOf, refusedForIdentity } from '../../src/investigation/evidence/identity-chain.ts';
import { loopbackSidecarTargets } from '../../src/investigation/evidence/identity-reads.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

const account = (annotations: Record<string, string>) => ({
  metadata: { name: 'worker', namespace: 'jobs', annotations },
});

test('a ServiceAccount names a cloud principal by an identity annotation shaped like one, whatever the vendor', () => {
  const named = principalsOf(
    account({
      'iam.example.cloud/workload-account': 'worker@proj-12.iam.example.com',
      'sts.example.aws/role-arn': 'arn:aws:iam::123456789012:role/worker',
      'wi.example.net/client-id': '0c7e3b92-4d1a-4f6e-8b25-9a3f1d7c6e40',
      // Where the identity lives, shared by every account: not whom it names.
      'wi.example.net/tenant-id': '5e2c9a41-7b3d-4f08-9c61-2a8d4e7f0b93',
      // Not a principal's shape.
      'deploy.example.io/owner-account': 'team-a',
    }),
  );
  assert.deepEqual(
    named.map((p) => p.key),
    ['iam.example.cloud/workload-account', 'sts.example.aws/role-arn', 'wi.example.net/client-id'],
  );
});

test('an identity refusal is an error saying the provider refused who the caller is, not any 403', () => {
  assert.ok(refusedForIdentity('ERROR AADSTS70021: No matching federated identity record found'));
  assert.ok(
    refusedForIdentity(
      'ClientError: An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation',
    ),
  );
  assert.ok(refusedForIdentity('error: googleapi: Error 403: caller does not have permission, forbidden'));
  assert.ok(!refusedForIdentity('RBAC: access denied'));
  assert.ok(!refusedForIdentity('GET /admin 403'));
  assert.ok(!refusedForIdentity('INFO WorkloadIdentityCredential.get_token succeeded'));
});

test('the kinds that grant identities come first: grants, then policies, then roles of identity groups', () => {
  const kinds = bindingKinds(
    [
      {
        group: 'shop.example.io',
        version: 'v1',
        resources: [{ kind: 'Cart', plural: 'carts', namespaced: true, version: 'v1' }],
      },
      {
        group: 'iam.cloud.example.com',
        version: 'v1beta1',
        resources: [
          { kind: 'IAMServiceAccount', plural: 'iamserviceaccounts', namespaced: true, version: 'v1beta1' },
          { kind: 'IAMPolicy', plural: 'iampolicies', namespaced: true, version: 'v1beta1' },
          { kind: 'IAMPolicyMember', plural: 'iampolicymembers', namespaced: true, version: 'v1beta1' },
        ],
      },
    ],
    2,
  );
  assert.deepEqual(
    kinds.map((k) => k.kind),
    ['IAMPolicyMember', 'IAMPolicy'],
  );
});

test('an application calling its own pod has the container beside it read, not one already read', () => {
  const snapshot = emptySnapshot('2026-12-01T10:00:00Z');
  const running = { running: { startedAt: '2026-12-01T09:00:00Z' } };
  snapshot.pods.push({
    metadata: { name: 'api-1', namespace: 'shop' },
    spec: {
      containers: [
        { name: 'api', env: [{ name: 'DB_HOST', value: 'localhost' }] },
        { name: 'db-proxy', args: ['--port=5432'] },
      ],
    },
    status: {
      containerStatuses: [
        { name: 'api', ready: true, restartCount: 0, image: 'a', imageID: '', state: running },
        { name: 'db-proxy', ready: true, restartCount: 0, image: 'b', imageID: '', state: running },
      ],
    },
  });
  snapshot.logs.push({ namespace: 'shop', pod: 'api-1', container: 'api', previous: false, lines: [] });
  assert.deepEqual(
    loopbackSidecarTargets(snapshot, 'shop', 1).map((t) => t.container),
    ['db-proxy'],
  );
  snapshot.logs.push({ namespace: 'shop', pod: 'api-1', container: 'db-proxy', previous: false, lines: [] });
  assert.deepEqual(loopbackSidecarTargets(snapshot, 'shop', 1), []);
});

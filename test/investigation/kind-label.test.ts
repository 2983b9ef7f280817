import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindsNamedByLabels } from '../../src/investigation/evidence/kind-label.ts';

// Made-up served APIs: an operator's kinds beside Kubernetes' own.
const GROUPS = [
  {
    group: 'apps',
    version: 'v1',
    resources: [{ kind: 'Deployment', plural: 'deployments', namespaced: true, version: 'v1' }],
  },
  {
    group: 'streams.quarry.dev',
    version: 'v1beta1',
    resources: [
      { kind: 'StreamTopic', plural: 'streamtopics', namespaced: true, version: 'v1beta1' },
      { kind: 'StreamQuota', plural: 'streamquotas', namespaced: false, version: 'v1beta1' },
    ],
  },
];
const IGNORED = new Set(['alertname', 'namespace', 'service']);

test('a label named after a served custom kind, separators or a trailing `name` aside, names an object of it', () => {
  for (const label of ['streamtopic', 'stream_topic', 'streamtopic_name', 'streamtopics']) {
    const [named] = kindsNamedByLabels({ [label]: 'orders-v2' }, GROUPS, IGNORED);
    assert.deepEqual(
      [named?.resource.kind, named?.name, named?.group],
      ['StreamTopic', 'orders-v2', 'streams.quarry.dev'],
    );
  }
});

test("Kubernetes' own kinds, cluster-scoped kinds, ignored labels and values that are no object name name nothing", () => {
  assert.deepEqual(kindsNamedByLabels({ deployment: 'web' }, GROUPS, IGNORED), []);
  assert.deepEqual(kindsNamedByLabels({ streamquota: 'default' }, GROUPS, IGNORED), []);
  assert.deepEqual(kindsNamedByLabels({ service: 'streamtopic' }, GROUPS, IGNORED), []);
  assert.deepEqual(kindsNamedByLabels({ streamtopic: 'Orders V2' }, GROUPS, IGNORED), []);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeenRefs } from '../../src/agent/seen-refs.ts';

describe('SeenRefs', () => {
  const seen = new SeenRefs();
  seen.add({
    kind: 'PodList',
    metadata: { resourceVersion: '1' },
    items: [
      {
        metadata: {
          name: 'api-1',
          namespace: 'shop',
          ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7f9' }],
        },
        spec: { volumes: [{ name: 'config', configMap: { name: 'api-config' } }] },
      },
    ],
  });
  seen.add({ found: true, object: { kind: 'Node', metadata: { name: 'node-a' } } });
  seen.add({ involvedObject: { kind: 'Deployment', namespace: 'shop', name: 'api' }, message: 'scaled' });

  it('knows list items by the kind of their list', () => {
    assert.ok(seen.has({ kind: 'Pod', namespace: 'shop', name: 'api-1' }));
  });

  it('knows owners, in the namespace of what they own', () => {
    assert.ok(seen.has({ kind: 'ReplicaSet', namespace: 'shop', name: 'api-7f9' }));
  });

  it('knows objects nested in tool envelopes and event subjects', () => {
    assert.ok(seen.has({ kind: 'Node', name: 'node-a' }));
    assert.ok(seen.has({ kind: 'Deployment', namespace: 'shop', name: 'api' }));
  });

  it('does not take a name mentioned in a spec for an object that was returned', () => {
    assert.ok(!seen.has({ kind: 'ConfigMap', namespace: 'shop', name: 'api-config' }));
  });

  it('tells namespaces apart', () => {
    assert.ok(!seen.has({ kind: 'Pod', namespace: 'other', name: 'api-1' }));
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendServices } from '../../src/investigation/evidence/backend-services.ts';

test("a router's backend object names its Service by serviceName, in its own namespace unless it says another", () => {
  assert.deepEqual(
    backendServices({ kube: { serviceName: 'pay', serviceNamespace: 'shop', servicePort: 9443 } }, 'edge'),
    [{ namespace: 'shop', service: 'pay', port: 9443 }],
  );
  assert.deepEqual(backendServices({ targets: [{ serviceName: 'cart' }] }, 'edge'), [
    { namespace: 'edge', service: 'cart' },
  ]);
  assert.deepEqual(backendServices({ static: { hosts: [{ addr: 'example.com', port: 443 }] } }, 'edge'), []);
});

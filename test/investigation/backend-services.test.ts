import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendServices } from '../../src/investigation/evidence/backend-services.ts';
import { errorLines } from '../../src/investigation/tools/error-lines.ts';

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

test("a proxy's access line answered 5xx by the proxy itself is an error line, a 2xx one is not", () => {
  const log = [
    '[2026-12-01T10:00:00Z] "POST /api/pay HTTP/1.1" 503 UH no_healthy_upstream 0 19 0 - "-" "curl" "x" "h" "-"',
    '[2026-12-01T10:00:01Z] "GET /img/a.png HTTP/2" 504 UT 0 24 15000 - "-" "curl" "y" "h" "10.0.0.1:8080"',
    '[2026-12-01T10:00:02Z] "GET /api/cart HTTP/1.1" 200 - 0 812 14 12 "-" "curl" "z" "h" "10.0.0.2:8080"',
  ].join('\n');
  assert.equal(errorLines(log).lines.length, 2);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// An Ingress in front of the symptom: its controller is found through the IngressClass (the recommended labels it shares
// with the controller's pods, the namespace its release was installed in), and its log names the backend it cannot reach.
test("the ingress controller's log, found through its IngressClass, names the Service port nothing listens on", async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/loft-ingress-controller-refused-port.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'loft', name: 'gallery-web' });
  assert.equal(result.faultType, 'service-port');
  const evidence = result.hypotheses[0]?.evidence ?? [];
  assert.ok(evidence.some((e) => e.ref.namespace === 'edge-system' && /10\.5\.1\.1\d:8081/.test(e.text)));
  const controllerPods = requests.filter((request) => request.path === '/api/v1/namespaces/edge-system/pods');
  assert.equal(controllerPods.length, 1);
  assert.match(String(controllerPods[0]?.query?.labelSelector), /app\.kubernetes\.io\/instance=edge/);
  assert.equal(requests.filter((request) => request.path.startsWith('/api/v1/namespaces/edge-system/pods/')).length, 1);
});

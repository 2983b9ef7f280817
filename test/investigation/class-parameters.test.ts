import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.yaml`);

/** The custom-resource reads the replay asked for (`/apis/<group>/…`), whatever their namespace. */
const customReads = (requests: { path: string }[], group: string) =>
  requests.filter((r) => r.path.startsWith(`/apis/${group}/`)).map((r) => r.path);

describe("an IngressClass's parameters are on the path of its Ingresses", () => {
  it('blames a cluster-scoped parameters object changed shortly before, which the controller names in a Warning event', async () => {
    const { result, requests } = await replayScenarioFile(fixture('tidewell-shop-edge-profile-drops-tls-listener'));
    assert.equal(result.rootCause && refKey(result.rootCause), refKey({ kind: 'EdgeProfile', name: 'public-edge' }));
    assert.equal(result.faultType, 'other');
    // Read by the class's reference, in one request, cluster-wide (the kind is cluster-scoped).
    assert.deepEqual(customReads(requests, 'lb.tidewell-infra.dev'), ['/apis/lb.tidewell-infra.dev/v1/edgeprofiles']);
    assert.ok(result.hypotheses[0]?.evidence.some((e) => /controller names it/.test(e.text)));
  });

  it('blames a namespaced parameters object changed shortly before, though nothing names it', async () => {
    const { result, requests } = await replayScenarioFile(fixture('norrow-portal-balancer-settings-made-internal'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'BalancerSettings', namespace: 'lb-system', name: 'internet-facing' }),
    );
    assert.equal(result.faultType, 'other');
    assert.deepEqual(customReads(requests, 'net.norrow.io'), [
      '/apis/net.norrow.io/v1/namespaces/lb-system/balancersettings',
    ]);
  });

  it('does not blame parameters that are unchanged, when the workload behind the Ingress rolled out', async () => {
    const { result } = await replayScenarioFile(fixture('norrow-portal-rollout-behind-unchanged-balancer'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'Deployment', namespace: 'portal', name: 'portal-web' }),
    );
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'BalancerSettings'));
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  attachedPolicyKinds,
  policyTargets,
  routeControllers,
  routesReached,
} from '../../src/investigation/evidence/attached-policies.ts';
import type { HTTPRoute } from '../../src/investigation/evidence/routing-objects.ts';
import { replayScenarioFile } from './support/replay.ts';

const route = (namespace: string, name: string, gateway: string, gatewayNamespace?: string): HTTPRoute => ({
  kind: 'HTTPRoute',
  metadata: { namespace, name },
  spec: {
    parentRefs: [{ kind: 'Gateway', name: gateway, ...(gatewayNamespace ? { namespace: gatewayNamespace } : {}) }],
    rules: [{ backendRefs: [{ name }] }],
  },
  status: { parents: [{ controllerName: 'gateway.example.dev/controller', conditions: [] }] },
});

describe('policies attached to the routes in front of the symptom (Gateway API policy attachment)', () => {
  const routes = [route('shop', 'cart', 'public', 'edge'), route('shop', 'search', 'internal')];

  it('reads what a policy attaches to, in its own namespace unless it names another', () => {
    const policy = {
      apiVersion: 'gateway.example.dev/v1',
      kind: 'TimeoutPolicy',
      metadata: { namespace: 'shop', name: 't' },
      spec: {
        targetRefs: [
          { kind: 'HTTPRoute', name: 'cart' },
          { kind: 'Gateway', name: 'public', namespace: 'edge' },
        ],
      },
    };
    assert.deepEqual(policyTargets(policy), [
      { kind: 'HTTPRoute', name: 'cart', namespace: 'shop' },
      { kind: 'Gateway', name: 'public', namespace: 'edge' },
    ]);
  });

  it('reaches the route it names, or every route attached to the Gateway it names', () => {
    const names = (list: HTTPRoute[]) => list.map((r) => r.metadata?.name);
    assert.deepEqual(names(routesReached({ kind: 'HTTPRoute', name: 'cart', namespace: 'shop' }, routes)), ['cart']);
    assert.deepEqual(names(routesReached({ kind: 'Gateway', name: 'public', namespace: 'edge' }, routes)), ['cart']);
    assert.deepEqual(names(routesReached({ kind: 'Gateway', name: 'internal', namespace: 'shop' }, routes)), [
      'search',
    ]);
  });

  it("finds the implementation's policy kinds through the domain of the controller that accepted the routes", () => {
    assert.deepEqual(routeControllers(routes), ['gateway.example.dev']);
    const kinds = attachedPolicyKinds(
      [
        {
          group: 'gateway.example.dev',
          version: 'v1',
          resources: [
            { kind: 'TimeoutPolicy', plural: 'timeoutpolicies', namespaced: true, version: 'v1' },
            { kind: 'ProxyConfig', plural: 'proxyconfigs', namespaced: true, version: 'v1' },
          ],
        },
        {
          group: 'other.example.org',
          version: 'v1',
          resources: [{ kind: 'AccessPolicy', plural: 'accesspolicies', namespaced: true, version: 'v1' }],
        },
      ],
      routeControllers(routes),
      3,
    );
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['TimeoutPolicy'],
    );
  });
});

// Fixture: a made-up Gateway API implementation's timeout policy, attached to the route in front of the symptom, was
// shortened 25 minutes before the onset; the backend's log shows clients giving up after the very duration it sets.
it('a policy attached to the route in front of the symptom, changed shortly before, is the answer', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/lanternfly-route-timeout-policy-cuts-slow-exports.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'UpstreamTimeoutPolicy', namespace: 'reports', name: 'exports-timeouts' });
  assert.equal(result.faultType, 'other');
});

// Fixture: a mesh DestinationRule whose host is the callee's Service turns TLS to it off, shortly before the onset, in a
// namespace that requires mutual TLS: the callers' proxies answer 503 with no refusal worded, the callee is idle.
it('a traffic policy attached to the Service the victims call, changed shortly before, is the answer', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/saltbox-destination-rule-tls-disabled.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'DestinationRule', namespace: 'catalog', name: 'pricing-egress' });
  assert.equal(result.faultType, 'other');
});

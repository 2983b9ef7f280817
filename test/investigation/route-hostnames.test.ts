import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { gatewayRoutes } from '../../src/investigation/evidence/route-hostnames.ts';
import type { HTTPRoute } from '../../src/investigation/evidence/routing-objects.ts';
import { replayScenarioFile } from './support/replay.ts';

const route = (namespace: string, name: string, hostnames: string[], backend: { name: string; namespace?: string }) =>
  ({
    metadata: { namespace, name },
    spec: { hostnames, rules: [{ backendRefs: [{ ...backend, port: 80 }] }] },
  }) as HTTPRoute;

describe('gatewayRoutes', () => {
  const routes = [
    route('dunes', 'tickets', ['tickets.dunes.example'], { name: 'ticket-api' }),
    route('dunes', 'wild', ['*.beta.dunes.example'], { name: 'beta-web', namespace: 'dunes-beta' }),
  ];
  it("resolves a host the text mentions to the route's namespace and its backend Service", () => {
    assert.deepEqual(gatewayRoutes('https://tickets.dunes.example/buy is down', routes), [
      {
        host: 'tickets.dunes.example',
        namespace: 'dunes',
        ingress: 'tickets',
        kind: 'HTTPRoute',
        service: 'ticket-api',
      },
    ]);
  });
  it('follows a wildcard hostname and a backend in another namespace', () => {
    assert.deepEqual(gatewayRoutes('errors on shop.beta.dunes.example', routes), [
      {
        host: 'shop.beta.dunes.example',
        namespace: 'dunes-beta',
        ingress: 'wild',
        kind: 'HTTPRoute',
        service: 'beta-web',
      },
    ]);
  });
  it('finds nothing for a host no route serves', () => {
    assert.deepEqual(gatewayRoutes('status.example.org says ok', routes), []);
  });
});

// The reporter pastes a host served by an HTTPRoute and uses a word that is another namespace's Service name.
test('a host in the text is resolved through the Gateway API routes the cluster serves, before word matches', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/marram-host-served-by-gateway-route.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'marram-shop', name: 'basket-api' });
  assert.ok(result.assumptions.some((line) => line.includes('HTTPRoute basket routes basket.marram.example')));
  assert.ok(!requests.some((request) => request.path.includes('/namespaces/marram-legacy/')));
  // Discovery is asked once, while locating: the collection does not ask again.
  assert.equal(requests.filter((request) => request.path === '/apis').length, 1);
});

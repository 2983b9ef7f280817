import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CustomObject, CustomObjectSchema } from '../../src/investigation/evidence/custom-object.ts';
import { routesByWrittenPath } from '../../src/investigation/evidence/route-path-words.ts';
import { pathMatch } from '../../src/investigation/evidence/route-paths.ts';

const route = (namespace: string, name: string, paths: string[]): CustomObject =>
  CustomObjectSchema.parse({
    apiVersion: 'apisix.apache.org/v2',
    kind: 'ApisixRoute',
    metadata: { namespace, name },
    spec: {
      http: [{ name: 'main', match: { hosts: ['portal.example.net'], paths }, backends: [{ serviceName: name }] }],
    },
  });

describe('pathMatch', () => {
  it("reads an APISIX route's match.paths as the prefixes it serves", () => {
    assert.equal(pathMatch(route('shop', 'api', ['/v1/*']), '/v1/orders/open'), '/v1/'.length);
    assert.equal(pathMatch(route('shop', 'api', ['/v2/*']), '/v1/orders/open'), -1);
  });
});

describe('routesByWrittenPath', () => {
  const routes = [route('fleet-api', 'fleet-web', ['/v1/*']), route('fleet-admin', 'admin', ['/admin/*'])];
  it('places a path the alert writes at the route whose prefix covers it longest', () => {
    const found = routesByWrittenPath('portal slow: /v1/trucks/overview p99 4s, 504s', routes);
    assert.deepEqual(
      found.map((r) => `${r.namespace}/${r.name}`),
      ['fleet-api/fleet-web'],
    );
  });
  it('places nothing by the bare root, by a single segment, or when routes of two namespaces cover the path alike', () => {
    const root = [route('a', 'x', ['/']), route('b', 'y', ['/'])];
    assert.deepEqual(routesByWrittenPath('slow: /v1/trucks/overview', root), []);
    assert.deepEqual(routesByWrittenPath('the /v1 endpoint is slow', routes), []);
    const twice = [...routes, route('fleet-beta', 'fleet-web', ['/v1/*'])];
    assert.deepEqual(routesByWrittenPath('slow: /v1/trucks/overview', twice), []);
  });
});

describe('a central gateway’s API definition', () => {
  // An API gateway keeps every API's definition in its own namespace: the path it listens on, the Service it proxies to.
  const definition = (name: string, listen: string, target: string): CustomObject =>
    CustomObjectSchema.parse({
      apiVersion: 'gateway.example.io/v1',
      kind: 'ApiDefinition',
      metadata: { namespace: 'api-gateway', name },
      spec: { name, proxy: { listen_path: listen, target_url: target, strip_listen_path: true } },
    });
  const routes = [
    definition('parcels', '/v1/parcels/', 'http://parcel-api.depot.svc:8080'),
    definition('invoices', '/v1/invoices/', 'http://billing-api.ledger.svc.cluster.local:8080'),
  ];
  it('reads its listen path, and places the path at the namespace and Service it proxies to, not the gateway’s', () => {
    const found = routesByWrittenPath('4xx ratio on POST /v1/parcels is 90%', routes);
    assert.deepEqual(
      found.map((r) => `${r.namespace}/${r.service}`),
      ['depot/parcel-api'],
    );
  });
  it('a route naming no Service by cluster DNS stays in its own namespace', () => {
    const bare = [definition('parcels', '/v1/parcels/', 'http://parcel-api:8080')];
    assert.deepEqual(
      routesByWrittenPath('POST /v1/parcels fails', bare).map((r) => r.namespace),
      ['api-gateway'],
    );
  });
});

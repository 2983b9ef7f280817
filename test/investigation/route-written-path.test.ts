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

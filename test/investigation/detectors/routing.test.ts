import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meshRouting } from '../../../src/investigation/detectors/mesh-routing.ts';
import { routingBackend } from '../../../src/investigation/detectors/routing-backend.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, NS, OLD } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const RECENT = '2026-11-20T10:20:00Z';
const meta = (name: string, changedAt = OLD) => ({
  name,
  namespace: NS,
  creationTimestamp: OLD,
  managedFields: [{ manager: 'kubectl', operation: 'Update', time: changedAt }],
});

function ingress(s: ClusterSnapshot, backend: { name: string; port: { number?: number; name?: string } }): void {
  s.ingresses.push({
    metadata: meta('storefront', RECENT),
    spec: {
      rules: [
        {
          host: 'shop.example.io',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: backend } }] },
        },
      ],
    },
  });
}

test('an Ingress backend on a port its Service does not expose is a service-port fault of the Ingress', () => {
  const snapshot = cluster((s) => {
    app(s, 'web', { port: 8080 });
    ingress(s, { name: 'web', port: { number: 80 } });
  });
  const findings = detect(routingBackend, snapshot);
  assert.deepEqual(named(findings), ['Ingress/shop/storefront service-port']);
  assert.ok(findings[0]?.affects.some((ref) => ref.kind === 'Service' && ref.name === 'web'));
  assert.equal(findings[0]?.changedAt, RECENT);
});

test('an Ingress backend by port name or number the Service exposes is fine; a missing Service is named', () => {
  const fine = cluster((s) => {
    app(s, 'web', { port: 8080 });
    ingress(s, { name: 'web', port: { number: 8080 } });
  });
  assert.deepEqual(detect(routingBackend, fine), []);
  const missing = cluster((s) => {
    app(s, 'web', { port: 8080 });
    ingress(s, { name: 'web-frontend', port: { number: 8080 } });
  });
  assert.deepEqual(named(detect(routingBackend, missing)), ['Ingress/shop/storefront other']);
});

test('an HTTPRoute backendRef on a missing port, or refused by its gateway, names the HTTPRoute', () => {
  const route = (port: number, conditions: { type: string; status: string; reason?: string }[] = []) => ({
    kind: 'HTTPRoute' as const,
    metadata: meta('api'),
    spec: { rules: [{ backendRefs: [{ name: 'web', port }] }] },
    status: { parents: [{ conditions }] },
  });
  const wrongPort = cluster((s) => {
    app(s, 'web', { port: 8080 });
    s.httpRoutes.push(route(9090));
  });
  assert.deepEqual(named(detect(routingBackend, wrongPort)), ['HTTPRoute/shop/api service-port']);
  const refused = cluster((s) => {
    app(s, 'web', { port: 8080 });
    s.httpRoutes.push(route(8080, [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }]));
  });
  assert.deepEqual(named(detect(routingBackend, refused)), ['HTTPRoute/shop/api other']);
});

function mesh(
  s: ClusterSnapshot,
  http: unknown[],
  subsets: { name: string; labels: Record<string, string> }[] = [{ name: 'v1', labels: { app: 'quotes' } }],
): void {
  s.virtualServices.push({
    kind: 'VirtualService',
    metadata: meta('quotes', RECENT),
    spec: { hosts: ['quotes'], http } as never,
  });
  s.destinationRules.push({
    kind: 'DestinationRule',
    metadata: meta('quotes'),
    spec: { host: 'quotes.shop.svc.cluster.local', subsets },
  });
}

test('a fault injected into every call by a VirtualService is the fault; one scoped to a match is weak', () => {
  const destination = { host: 'quotes', subset: 'v1' };
  const everyone = cluster((s) => {
    app(s, 'quotes');
    mesh(s, [{ fault: { abort: { percentage: { value: 100 }, httpStatus: 500 } }, route: [{ destination }] }]);
  });
  const [abort] = detect(meshRouting, everyone);
  assert.deepEqual(named(abort ? [abort] : []), ['VirtualService/shop/quotes other']);
  assert.ok((abort?.strength ?? 0) > 0.9);
  assert.ok(abort?.affects.some((ref) => ref.kind === 'Service' && ref.name === 'quotes'));
  const scoped = cluster((s) => {
    app(s, 'quotes');
    mesh(s, [
      {
        match: [{ headers: { 'end-user': { exact: 'tester' } } }],
        fault: { delay: { fixedDelay: '7s' } },
        route: [{ destination }],
      },
      { route: [{ destination }] },
    ]);
  });
  const [delay] = detect(meshRouting, scoped);
  assert.ok(delay && delay.strength < 0.5);
});

test('a route to a subset nobody defines, or whose labels select no pod, leaves the mesh without an upstream', () => {
  const undefinedSubset = cluster((s) => {
    app(s, 'quotes');
    mesh(s, [{ route: [{ destination: { host: 'quotes', subset: 'v2' } }] }]);
  });
  const [missing] = detect(meshRouting, undefinedSubset);
  assert.deepEqual(named(missing ? [missing] : []), ['VirtualService/shop/quotes other']);
  assert.match(missing?.summary ?? '', /subset v2, which no DestinationRule/);
  // The DestinationRule changed after the route: its labels are what broke the pairing.
  const relabelled = cluster((s) => {
    app(s, 'quotes');
    mesh(
      s,
      [{ route: [{ destination: { host: 'quotes', subset: 'v1' } }] }],
      [{ name: 'v1', labels: { track: 'stable' } }],
    );
    const rule = s.destinationRules[0];
    if (rule) rule.metadata = meta('quotes', '2026-11-20T10:25:00Z');
  });
  assert.deepEqual(named(detect(meshRouting, relabelled)), ['DestinationRule/shop/quotes other']);
  const healthy = cluster((s) => {
    app(s, 'quotes');
    mesh(s, [{ route: [{ destination: { host: 'quotes', subset: 'v1' } }] }]);
  });
  assert.deepEqual(detect(meshRouting, healthy), []);
});

test('an Ingress no controller admitted (no address, beside an addressed one for its host) stops no request', () => {
  const snapshot = cluster((s) => {
    app(s, 'web', { port: 8080 });
    s.ingresses.push({
      metadata: meta('storefront'),
      spec: {
        rules: [
          {
            host: 'shop.example.io',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    });
    // A helper's Ingress for the same host, of a class nobody serves: never admitted, its missing Service harms no one.
    s.ingresses.push({
      metadata: meta('token-check', RECENT),
      spec: {
        ingressClassName: 'unserved',
        rules: [
          {
            host: 'shop.example.io',
            http: {
              paths: [
                {
                  path: '/.check',
                  pathType: 'Prefix',
                  backend: { service: { name: 'token-solver', port: { number: 8089 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    });
  });
  assert.deepEqual(detect(routingBackend, snapshot), []);
  // Alone, with no admitted Ingress to tell whether addresses are published at all, it is still judged.
  const alone = cluster((s) => {
    app(s, 'web', { port: 8080 });
    ingress(s, { name: 'web-frontend', port: { number: 8080 } });
  });
  assert.deepEqual(named(detect(routingBackend, alone)), ['Ingress/shop/storefront other']);
});

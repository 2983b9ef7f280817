import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routePolicyLists, routePolicyRefs } from '../../src/investigation/evidence/route-policies.ts';
import type { ServedGroup } from '../../src/investigation/evidence/routing-objects.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

// A cluster that serves a plugin kind, a router's route, middleware and transport kinds (names invented: the engine
// knows no product, only what discovery says).
const GROUPS: ServedGroup[] = [
  {
    group: 'configuration.gatekeep.example',
    version: 'v1',
    resources: [
      { kind: 'GatekeepPlugin', plural: 'gatekeepplugins', namespaced: true, version: 'v1' },
      { kind: 'GatekeepClusterPlugin', plural: 'gatekeepclusterplugins', namespaced: false, version: 'v1' },
    ],
  },
  {
    group: 'hopper.example',
    version: 'v1alpha1',
    resources: [
      { kind: 'HopRoute', plural: 'hoproutes', namespaced: true, version: 'v1alpha1' },
      { kind: 'Middleware', plural: 'middlewares', namespaced: true, version: 'v1alpha1' },
      { kind: 'ServersTransport', plural: 'serverstransports', namespaced: true, version: 'v1alpha1' },
    ],
  },
];

const snapshotWith = (parts: Partial<ClusterSnapshot>): ClusterSnapshot => ({
  ...emptySnapshot('2026-01-01T00:00:00Z'),
  apiGroups: GROUPS,
  ...parts,
});

const found = (snapshot: ClusterSnapshot) =>
  routePolicyRefs(snapshot).map(
    (ref) => `${ref.route.kind}/${ref.route.name} ${ref.key} ${ref.resource.kind} ${ref.names.join('|')}`,
  );

describe('policy objects the routing objects name', () => {
  it("reads an annotation's word as a kind of the annotation's own product, namespaced, and its names", () => {
    const snapshot = snapshotWith({
      ingresses: [
        {
          metadata: {
            namespace: 'web',
            name: 'front',
            annotations: { 'gatekeep.example/plugins': 'auth, limits', 'gatekeep.example/strip-path': 'true' },
          },
        },
      ] as ClusterSnapshot['ingresses'],
    });
    assert.deepEqual(found(snapshot), [
      'Ingress/front gatekeep.example/plugins GatekeepPlugin auth',
      'Ingress/front gatekeep.example/plugins GatekeepPlugin limits',
    ]);
  });

  it('strips the provider suffix and namespace prefix a router writes, and reads spec keys named after kinds', () => {
    const snapshot = snapshotWith({
      customObjects: [
        {
          apiVersion: 'hopper.example/v1alpha1',
          kind: 'HopRoute',
          metadata: {
            namespace: 'web',
            name: 'site',
            annotations: { 'hopper.ingress.example/router.middlewares': 'web-headers@kubernetescrd' },
          },
          spec: {
            routes: [
              {
                match: 'PathPrefix(`/pay`)',
                middlewares: [{ name: 'pay-limit' }],
                services: [{ name: 'pay', port: 443, serversTransport: 'pay-tls' }],
              },
            ],
          },
        },
      ],
    });
    assert.deepEqual(found(snapshot), [
      'HopRoute/site hopper.ingress.example/router.middlewares Middleware web-headers|headers',
      'HopRoute/site middlewares Middleware pay-limit',
      'HopRoute/site serversTransport ServersTransport pay-tls',
    ]);
    assert.deepEqual(
      routePolicyLists(snapshot, 'web').map((list) => `${list.resource.kind}@${list.namespace}`),
      ['Middleware@web', 'ServersTransport@web'],
    );
  });

  it("reads a Gateway API route's typed extension reference through discovery", () => {
    const snapshot = snapshotWith({
      httpRoutes: [
        {
          kind: 'HTTPRoute',
          metadata: { namespace: 'web', name: 'quotes' },
          spec: {
            rules: [
              {
                filters: [
                  { type: 'ExtensionRef', extensionRef: { group: 'hopper.example', kind: 'Middleware', name: 'q' } },
                ],
                backendRefs: [{ name: 'quote-api' }],
              },
            ],
          },
        },
      ] as ClusterSnapshot['httpRoutes'],
    });
    assert.deepEqual(found(snapshot), ['HTTPRoute/quotes extensionRef Middleware q']);
  });
});

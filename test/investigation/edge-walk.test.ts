import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { backendNames, edgeFailure, edgeLinesAbout } from '../../src/investigation/evidence/edge-lines.ts';
import { routeKinds, routesToService, speaksOfTheEdge } from '../../src/investigation/evidence/route-kinds.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { refKey } from '../../src/investigation/model.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { app, cluster, focusOn, logs, NS, podOf } from './support/cluster.ts';
import { replayScenarioFile } from './support/replay.ts';

// Walk from the edge: what the routers in front of the symptom log about it is what a suspect must explain, and the
// routing objects in front of where users enter are suspects like any other change.

const service = (s: ClusterSnapshot, name: string) => s.services.find((x) => x.metadata?.name === name) as never;

describe('backendNames', () => {
  it('names a Service as routers and proxies write it in their logs', () => {
    const names = backendNames({
      metadata: { name: 'quote', namespace: 'rates' },
      spec: { clusterIP: '10.96.3.4', ports: [{ port: 8080 }] },
    });
    for (const form of [
      'quote.rates',
      'rates-quote-8080',
      'rates/quote/',
      'rates_quote_',
      'rates.quote.',
      '10.96.3.4:',
    ])
      assert.ok(names.includes(form), `${form} in ${names.join(' ')}`);
  });
});

describe('edgeFailure', () => {
  it('takes error words and failed answers of an access log, not a success', () => {
    assert.ok(edgeFailure('upstream timed out (110: Connection timed out) while connecting to upstream'));
    assert.ok(edgeFailure('"GET /quote HTTP/1.1" 504 160 "-" "curl/8.0"'));
    assert.ok(edgeFailure('"GET /quote HTTP/1.1" 404 12 "-" "curl/8.0"'));
    assert.equal(edgeFailure('"GET /quote HTTP/1.1" 200 5120 "-" "curl/8.0"'), false);
  });
});

test("edgeLinesAbout keeps the failures pods off the path log about the path's Services and pods, nothing else", () => {
  const s = cluster((s) => {
    app(s, 'quote');
    app(s, 'gateway');
    app(s, 'audit');
  });
  const quote = podOf(s, 'quote');
  quote.status = { ...quote.status, podIP: '10.1.0.7' };
  logs(s, 'gateway', [
    `2026-11-20T10:21:00Z connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://10.1.0.7:8080/"`,
    `2026-11-20T10:21:01Z "GET /q HTTP/1.1" 503 0 [${NS}-quote-8080]`,
    `2026-11-20T10:21:02Z "GET /q HTTP/1.1" 200 99 [${NS}-quote-8080]`,
    `2026-11-20T10:21:03Z "GET /a HTTP/1.1" 503 0 [${NS}-audit-8080]`,
  ]);
  logs(s, 'quote', ['2026-11-20T10:21:00Z error: quote.shop refused']);
  const lines = edgeLinesAbout(s, [service(s, 'quote')], [quote], (_, pod) => pod === quote.metadata?.name);
  assert.deepEqual(
    lines.map((l) => l.text.slice(0, 28)),
    ['connect() failed (111: Conne', '"GET /q HTTP/1.1" 503 0 [sho'],
  );
});

/** web (where users enter) calls ledger; an Ingress in front of ledger changed shortly before the symptom. */
const withLedgerIngress = (build: (s: ClusterSnapshot) => void) =>
  cluster((s) => {
    app(s, 'ledger');
    app(s, 'web', { env: [{ name: 'LEDGER_URL', value: 'http://ledger:8080' }] });
    s.ingresses.push({
      metadata: {
        name: 'ledger-admin',
        namespace: NS,
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'argocd', operation: 'Apply', time: '2026-11-20T10:15:00Z' }],
      },
      spec: {
        rules: [
          {
            host: 'admin.example',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'ledger', port: { number: 8080 } } } },
              ],
            },
          },
        ],
      },
    });
    build(s);
  });

test('an Ingress in front of a callee is not in front of the symptom: its callers reach it through its Service', () => {
  const d = diagnose(
    withLedgerIngress(() => {}),
    focusOn('web'),
    {},
  );
  assert.equal(d.rootCause, null, JSON.stringify(d.rootCause));
});

test('a NetworkPolicy fits connect timeouts at the edge, not a response timeout (the backend was reached)', () => {
  const policy = (s: ClusterSnapshot) =>
    s.networkPolicies.push({
      metadata: { name: 'web-from-edge', namespace: NS, creationTimestamp: '2026-11-20T10:05:00Z' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [] },
    });
  const route = (s: ClusterSnapshot) =>
    s.virtualServices.push({
      metadata: {
        name: 'web-routes',
        namespace: NS,
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-11-20T10:10:00Z' }],
      },
      spec: { hosts: ['web.example'], http: [{ route: [{ destination: { host: 'web' } }] }] },
    });
  const edge = (line: string) => (s: ClusterSnapshot) => {
    app(s, 'gateway');
    logs(s, 'gateway', [`2026-11-20T10:22:00Z ${line}`]);
  };
  const connect = cluster((s) => {
    app(s, 'web');
    policy(s);
    route(s);
    edge('upstream timed out (110: Connection timed out) while connecting to upstream [shop-web-8080]')(s);
  });
  const focus = { ...focusOn('web'), alertText: 'web is failing' };
  assert.deepEqual(diagnose(connect, focus, {}).rootCause, {
    kind: 'NetworkPolicy',
    namespace: NS,
    name: 'web-from-edge',
  });
  const response = cluster((s) => {
    app(s, 'web');
    policy(s);
    route(s);
    edge('"POST /orders HTTP/1.1" 504 UT response_timeout outbound|8080||web.shop.svc.cluster.local');
  });
  const d = diagnose(response, focus, {});
  assert.deepEqual(d.rootCause, { kind: 'VirtualService', namespace: NS, name: 'web-routes' });
  assert.equal(d.faultType, 'other');
});

describe('routeKinds', () => {
  it("takes routers' own namespaced route kinds that discovery lists, not the typed ones nor built-in groups", () => {
    const resource = (kind: string, namespaced = true) => ({
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced,
      version: 'v1',
    });
    const kinds = routeKinds(
      [
        { group: 'edge.example.io', version: 'v2', resources: [resource('EdgeRoute'), resource('EdgePlugin')] },
        { group: 'networking.istio.io', version: 'v1', resources: [resource('VirtualService')] },
        { group: 'gateway.networking.k8s.io', version: 'v1', resources: [resource('GRPCRoute')] },
        { group: 'proxy.example.io', version: 'v1', resources: [resource('HTTPProxy'), resource('Mapping', false)] },
        // An API gateway's definition of an API (the path it listens on, the target it proxies to) is its route.
        { group: 'apis.example.io', version: 'v1', resources: [resource('ApiDefinition'), resource('ApiKey')] },
      ],
      5,
    );
    assert.deepEqual(
      kinds.map((k) => `${k.group}/${k.kind}`),
      ['edge.example.io/EdgeRoute', 'proxy.example.io/HTTPProxy', 'apis.example.io/ApiDefinition'],
    );
  });
});

describe('speaksOfTheEdge', () => {
  it('is what users get through the edge: answers, routes, upstreams, gateways — in words or labels', () => {
    const alert = (title: string, labels: Record<string, string> = {}) =>
      AlertSchema.parse({ source: 'alertmanager', title, labels });
    assert.ok(speaksOfTheEdge(alert('Checkout answers 503')));
    assert.ok(speaksOfTheEdge(alert('HighLatency', { route: 'checkout' })));
    assert.ok(speaksOfTheEdge(alert('Bad Gateway on the storefront')));
    assert.equal(speaksOfTheEdge(alert('KubePodCrashLooping', { pod: 'cart-7d9f' })), false);
    assert.equal(speaksOfTheEdge(alert('Nightly export missing')), false);
  });
});

describe('routesToService', () => {
  const route = (namespace: string, spec: unknown) => ({
    apiVersion: 'edge.example.io/v2',
    kind: 'EdgeRoute',
    metadata: { name: 'r', namespace },
    spec,
  });
  const quote = { name: 'quote', namespace: 'rates' };
  it('sees the Service named as routers name it: by name in its namespace, by DNS name and port anywhere', () => {
    assert.ok(routesToService(route('rates', { http: [{ backends: [{ serviceName: 'quote', port: 80 }] }] }), quote));
    assert.ok(routesToService(route('edge', { service: 'quote.rates:8080' }), quote));
    assert.ok(routesToService(route('edge', { upstream: 'http://quote.rates.svc.cluster.local:80/' }), quote));
  });
  it('does not take a bare name in another namespace, nor a longer name', () => {
    assert.equal(routesToService(route('edge', { service: 'quote' }), quote), false);
    assert.equal(routesToService(route('rates', { service: 'quote-admin' }), quote), false);
  });
});

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// The walk's answers are the likeliest suspect (30–50%); sorrel's policy is proven by its own rule as well (its
// namespaceSelector admits no namespace: the network-policy detector), and tilde's route sets the rule its clients
// meet (a `timeouts` block, and 504s: the attached-policy detector), so they are held with more confidence.
const LIKELIEST = [0.3, 0.5] as const;
for (const [file, expected, [least, most]] of [
  [
    'sorrel-edge-timeouts-policy-over-routing-change.json',
    'NetworkPolicy/sorrel/booking-api-from-edge network-policy',
    [0.7, 0.9],
  ],
  ['tilde-route-timeout-shorter-than-exports.json', 'HTTPRoute/tilde/studio-exports other', [0.7, 0.9]],
  ['larch-router-route-resource-wrong-port.json', 'IngressRoute/larch/larch-api other', LIKELIEST],
] as const) {
  test(`replayed through the collector: ${file}`, async () => {
    const { result } = await replayScenarioFile(join(FIXTURES, file));
    assert.equal(`${result.rootCause ? refKey(result.rootCause) : 'none'} ${result.faultType}`, expected);
    assert.ok(result.confidence >= least && result.confidence <= most, `${result.confidence}`);
  });
}

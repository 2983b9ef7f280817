import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// Principle: a host the alert names enters the cluster through whatever routes it. Where no Ingress nor Gateway API route
// serves it, a service mesh's ingress gateway may: the mesh route bound to that gateway (a VirtualService naming it in
// `gateways`) sends the host to a Service, and that Service's namespace is where users' requests go. A mesh route for
// the mesh alone (no gateway bound) carries no traffic from the edge and places nothing.
//
// The fixtures are built from the project's own HTTPRoute fixture: its HTTPRoutes are taken out and the host is served
// by mesh routes instead, in other layouts. A Service elsewhere carries the word the reporter uses (`basket`).

const BASE = join(import.meta.dirname, '../fixtures/scenarios/marram-host-served-by-gateway-route.json');
const dir = await mkdtemp(join(tmpdir(), 'mesh-host-'));
after(() => rm(dir, { recursive: true, force: true }));

const meta = (kind: string, namespace: string, name: string, plural: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  metadata: {
    name,
    namespace,
    uid: `${namespace}-${name}-${kind}`.toLowerCase(),
    creationTimestamp: '2026-10-01T08:00:00Z',
    annotations: { 'scenario/plural': plural },
  },
});
const meshGateway = {
  ...meta('Gateway', 'edge', 'public', 'gateways'),
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*.marram.example'] }],
  },
};

/** The base fixture with its HTTPRoutes replaced by `objects`, and the alert `alert` if given. */
async function variant(name: string, objects: object[], alert?: object): Promise<string> {
  const scenario = JSON.parse(await readFile(BASE, 'utf8'));
  scenario.id = name;
  scenario.cluster.objects = [
    ...scenario.cluster.objects.filter((object: { kind: string }) => object.kind !== 'HTTPRoute'),
    ...objects,
  ];
  if (alert) scenario.alert = alert;
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(scenario));
  return path;
}

test("a host served by a mesh route bound to the ingress gateway places the look in its destination's namespace", async () => {
  // The route lives beside the application; its path rule names the Service by its cluster DNS name, its catch-all by
  // its short name.
  const path = await variant('mesh-host-app-namespace', [
    meshGateway,
    {
      ...meta('VirtualService', 'marram-shop', 'basket', 'virtualservices'),
      spec: {
        hosts: ['basket.marram.example'],
        gateways: ['edge/public'],
        http: [
          {
            match: [{ uri: { prefix: '/api' } }],
            route: [{ destination: { host: 'basket-api.marram-shop.svc.cluster.local', port: { number: 8080 } } }],
          },
          { route: [{ destination: { host: 'basket-api', port: { number: 8080 } } }] },
        ],
      },
    },
  ]);
  const { result } = await replayScenarioFile(path);
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'marram-shop', name: 'basket-api' });
  assert.ok(result.assumptions.some((line) => line.includes('VirtualService basket routes basket.marram.example')));
});

test("a mesh route kept in the gateway's namespace leads to the namespace its destination's DNS name gives", async () => {
  // Another layout: the platform team keeps the edge routes beside the gateway; the alert is a pager's, its host in the
  // title and a service label that only a Service elsewhere carries.
  const path = await variant(
    'mesh-host-gateway-namespace',
    [
      meshGateway,
      {
        ...meta('VirtualService', 'edge', 'marram-edge', 'virtualservices'),
        spec: {
          hosts: ['basket.marram.example', 'www.marram.example'],
          gateways: ['public'],
          http: [{ route: [{ destination: { host: 'basket-api.marram-shop.svc.cluster.local' } }] }],
        },
      },
    ],
    {
      source: 'pagerduty',
      title: 'Checkout 503 rate 100% — basket.marram.example',
      labels: { service: 'basket', severity: 'critical' },
      startsAt: '2026-12-06T10:20:00Z',
    },
  );
  const { result } = await replayScenarioFile(path);
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'marram-shop', name: 'basket-api' });
  assert.ok(result.assumptions.some((line) => line.includes('VirtualService marram-edge')));
});

test('a mesh route bound to no gateway carries nothing from the edge: it does not place the look', async () => {
  const path = await variant('mesh-host-mesh-only', [
    meshGateway,
    {
      ...meta('VirtualService', 'marram-shop', 'basket', 'virtualservices'),
      spec: {
        hosts: ['basket.marram.example'],
        http: [{ route: [{ destination: { host: 'basket-api' } }] }],
      },
    },
  ]);
  const { result } = await replayScenarioFile(path);
  assert.ok(!result.assumptions.some((line) => line.includes('VirtualService')));
  // The look starts where the word points (the Service named basket), and only trouble moves it.
  assert.ok(result.assumptions.some((line) => line.includes('marram-legacy (examined first)')));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { replayScenario } from './support/replay.ts';

type Obj = Record<string, unknown>;
const NOW = '2026-05-04T08:00:00Z';
const OLD = '2026-01-10T00:00:00Z';
const namespace = (name: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `ns-${name}`, creationTimestamp: OLD },
});
const deployment = (ns: string, name: string): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, uid: `deploy-${name}`, creationTimestamp: OLD },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image: `registry.example/${name}:1` }] },
    },
  },
  status: { replicas: 1, readyReplicas: 1 },
});
// The router's own route kind, in the application's namespace, serving the host the alert mentions.
const ingressRoute: Obj = {
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'IngressRoute',
  metadata: { name: 'rider-api', namespace: 'pedal-api', uid: 'ir-rider-api', creationTimestamp: OLD },
  spec: {
    entryPoints: ['websecure'],
    routes: [{ match: 'Host(`api.pedal.example`)', kind: 'Rule', services: [{ name: 'rider-api', port: 80 }] }],
  },
};
const objects = [
  namespace('traefik'),
  namespace('pedal-api'),
  namespace('pedal-web'),
  deployment('traefik', 'traefik'),
  deployment('pedal-api', 'rider-api'),
  deployment('pedal-web', 'storefront'),
  ingressRoute,
];

async function locatedBy(description: string) {
  const scenario = parseScenario(
    {
      apiVersion: 'scenario/v1',
      id: 'made-up',
      title: 'made up',
      now: NOW,
      alert: {
        source: 'alertmanager',
        title: 'LatencyBudgetBurn api.pedal.example',
        annotations: { description },
        startsAt: '2026-05-04T07:40:00Z',
      },
      cluster: { objects },
      groundTruth: { rootCause: [{ kind: 'Namespace', name: 'x' }], faultType: 'other' },
    },
    'inline',
  );
  return (await replayScenario(scenario)).result.assumptions;
}

test("the alert names only the router's namespace and a host: the host's route places it where the application is", async () => {
  const assumptions = await locatedBy('Requests slower than 1s through the traefik websecure entrypoint.');
  assert.ok(
    assumptions.some((line) =>
      line.startsWith('namespace pedal-api: its IngressRoute rider-api serves api.pedal.example'),
    ),
    assumptions.join('\n'),
  );
});

test('a namespace the alert names that is not the router’s keeps the alert there', async () => {
  const assumptions = await locatedBy('Requests slower than 1s on pedal-web through the traefik entrypoint.');
  assert.ok(!assumptions.some((line) => line.includes('is where the router runs')), assumptions.join('\n'));
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';

/** A cluster holding a CustomResourceDefinition and no object of its kind yet. */
const DEFINITION = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.tools.example' },
  spec: {
    group: 'tools.example',
    scope: 'Namespaced',
    names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', shortNames: ['gd'] },
    versions: [
      { name: 'v1', served: true, storage: true, subresources: { status: {} } },
      { name: 'v1beta1', served: false, storage: false },
    ],
  },
};

let server: KubeApiServer;
let custom: CustomObjectsApi;
before(async () => {
  server = await startKubeApiServer({
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } }, DEFINITION],
    now: new Date('2026-03-01T12:00:00Z'),
  });
  custom = simulationKubeConfig(server.url).makeApiClient(CustomObjectsApi);
});
after(() => server.close());

describe('simulated API server: kinds declared by a CustomResourceDefinition', () => {
  it('serves the kind in its served versions before any object of it exists', async () => {
    const discovery = (await (await fetch(`${server.url}/apis/tools.example/v1`)).json()) as {
      resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[] }[];
    };
    assert.deepEqual(
      discovery.resources.map(({ name, kind, namespaced, shortNames }) => ({ name, kind, namespaced, shortNames })),
      [
        { name: 'gadgets', kind: 'Gadget', namespaced: true, shortNames: ['gd'] },
        { name: 'gadgets/status', kind: 'Gadget', namespaced: true, shortNames: undefined },
      ],
    );
    assert.equal((await fetch(`${server.url}/apis/tools.example/v1beta1/gadgets`)).status, 404);
  });

  it('creates, dry-runs and lists objects of the kind', async () => {
    const body = { apiVersion: 'tools.example/v1', kind: 'Gadget', metadata: { name: 'probe' }, spec: { size: 3 } };
    const target = { group: 'tools.example', version: 'v1', namespace: 'lab', plural: 'gadgets' };
    await custom.createNamespacedCustomObject({
      ...target,
      body: { ...body, metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    await custom.createNamespacedCustomObject({ ...target, body });
    const list = (await custom.listNamespacedCustomObject(target)) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(
      list.items.map((item) => item.metadata.name),
      ['probe'],
    );
  });
});

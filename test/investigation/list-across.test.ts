import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { SnapshotReader } from '../../src/investigation/evidence/snapshot-reader.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { NOW, NS, TOOL_SCENARIO } from './tool-scenario.ts';

const endpoints = (namespace: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace, uid: `ep-${namespace}-${name}` },
  subsets: [],
});

let simulation: Simulation;
before(async () => {
  const objects = [
    ...TOOL_SCENARIO.cluster.objects,
    ...['kiln-a', 'kiln-b', 'kiln-c'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    endpoints('kiln-a', 'glaze'),
    endpoints('kiln-b', 'fire'),
    endpoints('kiln-c', 'cool'),
  ];
  simulation = await startSimulation(
    parseScenario({ ...TOOL_SCENARIO, cluster: { ...TOOL_SCENARIO.cluster, objects } }, 'list-across'),
  );
});
after(() => simulation.close());

const reader = () =>
  new SnapshotReader(
    {
      alert: { source: 'alertmanager', title: 'Alert', labels: {}, annotations: {} },
      located: { namespace: NS, assumptions: [], requests: 0 },
    },
    { kubeConfig: simulation.kubeConfig, audit: new MemoryAuditLog(), now: new Date(NOW) },
    {},
  );

describe('one list across namespaces', () => {
  it('reads two namespaces in one request, keeps only their part, and answers a third from it later', async () => {
    const read = reader();
    const sent = simulation.requests().length;
    await read.listIn('Endpoints', ['kiln-a', 'kiln-b'], (namespace) => `callees in ${namespace}`);
    assert.equal(simulation.requests().length - sent, 1);
    assert.deepEqual(simulation.requests().at(-1)?.path, '/api/v1/endpoints');
    assert.deepEqual(read.snapshot.endpoints.map((e) => e.metadata?.name).sort(), ['fire', 'glaze']);
    // The budget plans on the two lists it would have sent.
    assert.equal(read.requests, 1);
    assert.equal(read.spent(), 2);
    await read.list('Endpoints', 'later', { namespace: 'kiln-c' });
    assert.equal(simulation.requests().length - sent, 1);
    assert.ok(read.snapshot.endpoints.some((e) => e.metadata?.name === 'cool'));
  });

  it('reads one namespace by its own list', async () => {
    const read = reader();
    const sent = simulation.requests().length;
    await read.listIn('Endpoints', ['kiln-a'], (namespace) => `callees in ${namespace}`);
    assert.deepEqual(
      simulation
        .requests()
        .slice(sent)
        .map((request) => request.path),
      ['/api/v1/namespaces/kiln-a/endpoints'],
    );
    assert.equal(read.spent(), 1);
  });
});

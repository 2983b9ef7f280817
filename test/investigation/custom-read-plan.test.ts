import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { scenarioAlert } from '../../src/cli/replay.ts';
import { MAX_DISCOVERED_LISTS } from '../../src/investigation/evidence/collect.ts';
import { listKey, planLists, type WantedList } from '../../src/investigation/evidence/custom-read-plan.ts';
import { SnapshotReader } from '../../src/investigation/evidence/snapshot-reader.ts';
import { refKey } from '../../src/investigation/model.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';
import { replayScenarioFile } from './support/replay.ts';

const kind = (group: string, k: string) => ({ group, version: 'v1', plural: `${k.toLowerCase()}s`, kind: k });
const want = (resource: WantedList['resource'], relevance: number, namespace?: string): WantedList => ({
  resource,
  relevance,
  why: `${resource.kind} ${relevance}`,
  ...(namespace ? { namespace } : {}),
});

describe('one plan for the custom-resource lists the readers want', () => {
  const limit = kind('mesh.example.dev', 'RateLimit');
  const timeout = kind('edge.example.io', 'TimeoutPolicy');
  const fabric = kind('fabric.example.org', 'FabricNetworkPolicy');

  it('reads a kind two readers want once, at the higher relevance, and a namespace’s want of a kind read everywhere not at all', () => {
    const planned = planLists(
      [want(timeout, 1), want(fabric, 2, 'shop'), want(timeout, 3), want(fabric, 2)],
      new Set(),
      10,
    );
    assert.deepEqual(
      planned.map((p) => [listKey(p.resource, p.namespace), p.relevance]),
      [
        [listKey(timeout), 3],
        [listKey(fabric), 2],
      ],
    );
  });

  it('never plans a list read before (in that namespace or everywhere), and keeps the most related within the cap', () => {
    const listed = new Set([listKey(fabric)]);
    const planned = planLists(
      [want(fabric, 4, 'shop'), want(timeout, 1), want(limit, 4), want(kind('broker.example.net', 'QueueLimit'), 2)],
      listed,
      2,
    );
    assert.deepEqual(
      planned.map((p) => p.resource.kind),
      ['RateLimit', 'QueueLimit'],
    );
  });
});

describe('an incident that every reader of discovered kinds wants lists for', () => {
  it('answers the rule behind the refusals within one shared cap of lists, none asked twice', async () => {
    const file = join(
      import.meta.dirname,
      '../fixtures/scenarios/kettleworks-mesh-rate-limit-among-many-discovered-kinds.json',
    );
    const { scenario, result, requests } = await replayScenarioFile(file);
    assert.deepEqual(result.rootCause && refKey(result.rootCause), refKey(scenario.groundTruth.rootCause[0]!));
    assert.equal(result.faultType, 'other');
    const asked = requests.map((r) => `${r.server} ${r.path} ${JSON.stringify(r.query)}`);
    assert.deepEqual(
      asked.filter((request, index) => asked.indexOf(request) !== index),
      [],
    );
    // Lists of kinds outside Kubernetes' own groups, the routing layer's typed HTTPRoutes aside.
    const custom = requests.filter(
      (r) => /^\/apis\/[^/]*\.[^/]+\//.test(r.path) && !/^\/apis\/[^/]*k8s\.io\//.test(r.path),
    );
    assert.ok(custom.length <= MAX_DISCOVERED_LISTS, custom.map((r) => r.path).join('\n'));
    // The kind of the software that refuses, whose name says the limit, is among them.
    assert.ok(custom.some((r) => r.path.endsWith('/requestratelimits')));
    // Nine lists were wanted (the mesh's, the broker's, the edge's attached policies, the network plugin's); one more
    // request reads the proxy beside the ready server whose application logs no refusal (mesh authorization).
    assert.ok(requests.length <= 30, `${requests.length} requests`);
  });
});

describe('policies attached to a route, when the failure is below it', () => {
  it('lists none when the only backend behind the route has no ready address, and answers what keeps it from starting', async () => {
    const file = join(
      import.meta.dirname,
      '../fixtures/scenarios/kettleworks-route-policies-unread-backend-not-ready.json',
    );
    const { scenario, result, requests } = await replayScenarioFile(file);
    assert.deepEqual(result.rootCause && refKey(result.rootCause), refKey(scenario.groundTruth.rootCause[0]!));
    assert.equal(result.faultType, 'missing-configmap');
    assert.deepEqual(
      requests.filter((r) => r.path.startsWith('/apis/gateway.kettleedge.io/')).map((r) => r.path),
      [],
    );
  });
});

describe('no request is sent twice, in one look or the next', () => {
  it('answers a repeated list, a namespace’s part of a list of all namespaces, and a second look’s same lists from what was read', async () => {
    const file = join(
      import.meta.dirname,
      '../fixtures/scenarios/kettleworks-mesh-rate-limit-among-many-discovered-kinds.json',
    );
    const scenario = await loadScenario(file);
    const simulation = await startSimulation(scenario);
    try {
      const base = { kubeConfig: simulation.kubeConfig, audit: new MemoryAuditLog(), now: new Date(scenario.now) };
      const located = { namespace: 'brewhouse', assumptions: [], requests: 0 };
      const first = new SnapshotReader({ alert: scenarioAlert(scenario), located }, base, {});
      const mesh = { group: 'policy.thornmesh.dev', version: 'v1beta1', plural: 'requestratelimits' };
      await first.list('Service', 'services');
      await first.list('Service', 'services again');
      await first.list('NetworkPolicy', 'policies everywhere', {});
      await first.list('NetworkPolicy', 'policies here');
      await first.listCustom(mesh, undefined, 'rules everywhere');
      await first.listCustom(mesh, 'ledger', 'rules in ledger');
      assert.equal(first.requests, 3);
      assert.equal(simulation.requests().length, 3);
      assert.equal(first.snapshot.services.length, 1);
      assert.equal(first.snapshot.customObjects.length, 1);

      const second = new SnapshotReader(
        {
          alert: scenarioAlert(scenario),
          located: { ...located, namespace: 'ledger', listed: first.listed, customRead: first.customListed },
        },
        base,
        {},
      );
      await second.list('Service', 'the first look’s namespace, as a peer', { namespace: 'brewhouse' });
      await second.listCustom(mesh, undefined, 'rules everywhere');
      assert.equal(simulation.requests().length, 3);
      assert.equal(second.snapshot.services.length, 1);
      assert.equal(second.snapshot.customObjects.length, 1);
    } finally {
      await simulation.close();
    }
  });
});

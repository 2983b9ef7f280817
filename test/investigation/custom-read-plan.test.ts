import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_DISCOVERED_LISTS } from '../../src/investigation/evidence/collect.ts';
import { listKey, planLists, type WantedList } from '../../src/investigation/evidence/custom-read-plan.ts';
import { refKey } from '../../src/investigation/model.ts';
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
    // Nine lists were wanted (the mesh's, the broker's, the edge's attached policies, the network plugin's).
    assert.ok(requests.length <= 29, `${requests.length} requests`);
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

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  governingKinds,
  refusalsIn,
  rulesSpokenOf,
  specStrings,
} from '../../src/investigation/evidence/governing-resources.ts';
import type { ServedGroup } from '../../src/investigation/evidence/routing-objects.ts';
import { servedGroups } from '../../src/investigation/tools/kinds.ts';
import { scopedName } from '../../src/investigation/detectors/governing-resource.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/scenarios/pinecone-bus-access-rule-drops-channel.json');

describe('refusals a dependency answers on its own authority', () => {
  it('tells authorization refusals and limits reached from other errors', () => {
    assert.deepEqual(refusalsIn(['Not authorized to access topics: [orders]']), ['authorization']);
    assert.deepEqual(refusalsIn(['publish failed: access denied (principal w)']), ['authorization']);
    assert.deepEqual(refusalsIn(['rpc error: code = PermissionDenied desc = caller not allowed']), ['authorization']);
    assert.deepEqual(refusalsIn(['upstream answered 429 Too Many Requests']), ['limit']);
    assert.deepEqual(refusalsIn(['publish nacked by broker, frame dropped']), ['limit']);
    assert.deepEqual(refusalsIn(['connection refused', 'timeout after 5s', 'NullPointerException']), []);
    // A server out of slots for the role, an AMQP 1.0 condition, a stream's own cap: limits too.
    assert.deepEqual(refusalsIn(['FATAL: too many connections for role "app_rw"']), ['limit']);
    assert.deepEqual(refusalsIn(['LinkDetached: amqp:resource-limit-exceeded: address is full']), ['limit']);
    assert.deepEqual(refusalsIn(['code=ER_USER_LIMIT_REACHED']), ['limit']);
    assert.deepEqual(refusalsIn(['publish failed: nats: maximum messages exceeded']), ['limit']);
  });

  it('picks the served namespaced custom kinds whose names say they can hold such a rule', () => {
    const groups: ServedGroup[] = [
      {
        group: 'apps',
        version: 'v1',
        resources: [{ kind: 'Deployment', plural: 'deployments', namespaced: true, version: 'v1' }],
      },
      {
        group: 'bus.example.org',
        version: 'v1',
        resources: [
          { kind: 'BusCluster', plural: 'busclusters', namespaced: true, version: 'v1' },
          { kind: 'BusAccessRule', plural: 'busaccessrules', namespaced: true, version: 'v1' },
          { kind: 'BusUser', plural: 'bususers', namespaced: true, version: 'v1' },
          // Served only at a version other than the group's preferred one: read there.
          { kind: 'BusRateLimit', plural: 'busratelimits', namespaced: true, version: 'v1alpha1' },
        ],
      },
      {
        group: 'guard.example.net',
        version: 'v2',
        resources: [{ kind: 'ClusterGuardPolicy', plural: 'clusterguardpolicies', namespaced: false, version: 'v2' }],
      },
      // A group read without aggregated discovery names no resources.
      { group: 'other.example.com', version: 'v1' },
    ];
    const plurals = (list: ReturnType<typeof governingKinds>) => list.map((k) => `${k.plural}.${k.group}/${k.version}`);
    assert.deepEqual(plurals(governingKinds(groups, ['authorization'], 4)), [
      'busaccessrules.bus.example.org/v1',
      'bususers.bus.example.org/v1',
    ]);
    // A kind whose name says the refusal itself (a rate limit) is read first.
    assert.deepEqual(plurals(governingKinds(groups, ['limit'], 4)), [
      'busratelimits.bus.example.org/v1alpha1',
      'busaccessrules.bus.example.org/v1',
    ]);
    assert.deepEqual(plurals(governingKinds(groups, ['authorization'], 1)), ['busaccessrules.bus.example.org/v1']);
  });

  it("reads first the kinds of a group whose words the refusing side shows (its containers' names and images)", () => {
    const groups: ServedGroup[] = [
      {
        group: 'queue.example.org',
        version: 'v1',
        resources: [{ kind: 'QueueUser', plural: 'queueusers', namespaced: true, version: 'v1' }],
      },
      {
        group: 'policy.hollowmesh.dev',
        version: 'v1',
        resources: [
          { kind: 'PeerAuthentication', plural: 'peerauthentications', namespaced: true, version: 'v1' },
          // A network policy drops what it does not admit: it never answers a refusal.
          { kind: 'MeshNetworkPolicy', plural: 'meshnetworkpolicies', namespaced: true, version: 'v1' },
        ],
      },
    ];
    const kinds = governingKinds(groups, ['authorization'], 4, ['hollowmesh-proxy', 'acme/app']);
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['PeerAuthentication', 'QueueUser'],
    );
  });

  it("takes the refusing software's own kinds as candidates when none of them is named like a rule", () => {
    const groups: ServedGroup[] = [
      {
        group: 'access.lattice.dev',
        version: 'v1',
        resources: [
          { kind: 'CallGrant', plural: 'callgrants', namespaced: true, version: 'v1' },
          { kind: 'TrafficProfile', plural: 'trafficprofiles', namespaced: true, version: 'v1' },
          { kind: 'MeshConfig', plural: 'meshconfigs', namespaced: false, version: 'v1' },
        ],
      },
      {
        group: 'queue.example.org',
        version: 'v1',
        resources: [{ kind: 'QueueUser', plural: 'queueusers', namespaced: true, version: 'v1' }],
      },
    ];
    const side = ['lattice-proxy', 'ghcr.io/lattice-mesh/proxy'];
    assert.deepEqual(
      governingKinds(groups, ['authorization'], 4, side).map((k) => k.kind),
      ['CallGrant', 'TrafficProfile', 'QueueUser'],
    );
    // A side that shows no group's word widens nothing.
    assert.deepEqual(
      governingKinds(groups, ['authorization'], 4, ['shop-api']).map((k) => k.kind),
      ['QueueUser'],
    );
  });

  it('tells which refusals a spec speaks of, by its keys and values', () => {
    assert.deepEqual(rulesSpokenOf({ targetRef: { name: 'cart' }, requestsPerMinute: 600 }), ['limit']);
    assert.deepEqual(rulesSpokenOf({ maxRequestBody: '2Mi' }), ['size']);
    assert.deepEqual(rulesSpokenOf({ identities: ['cart.shop.serviceaccount'] }), ['authorization']);
    assert.deepEqual(rulesSpokenOf({ retryOn: ['reset'], attempts: 2 }), []);
  });

  it('tells a body refused for its size from other errors', () => {
    assert.deepEqual(refusalsIn(['upload answered 413 Request Entity Too Large']), ['size']);
    assert.deepEqual(refusalsIn(['"POST /orders" 429 RL local_rate_limited']), ['limit']);
  });

  it('finds the name a match pattern of a spec takes in: a regular expression, a glob, a topic pattern', () => {
    const names = ['transcode.jobs', 'booking.confirmed', 'firing.jobs.queued', 'exports-daily'];
    assert.equal(scopedName(['^transcode\\.'], names), 'transcode.jobs');
    assert.equal(scopedName(['booking.#'], names), 'booking.confirmed');
    assert.equal(scopedName(['firing.jobs.>'], names), 'firing.jobs.queued');
    assert.equal(scopedName(['exports-*'], names), 'exports-daily');
    // A pattern scoped elsewhere, a catch-all, a plain string: nothing.
    assert.equal(scopedName(['^stats\\.', '#', '.*', 'transcode.jobs'], names), undefined);
  });

  it('collects every string a spec holds', () => {
    assert.deepEqual(specStrings({ principal: 'w', allow: [{ channel: 'a.b', ops: ['publish'] }], n: 3 }), [
      'w',
      'a.b',
      'publish',
    ]);
  });
});

it("discovery names the custom kinds the cluster serves, with their plurals and scope, in GET /apis's one answer", async () => {
  const simulation = await startSimulation(await loadScenario(FIXTURE));
  try {
    const groups = await servedGroups(simulation.kubeConfig);
    assert.deepEqual(
      groups.find((g) => g.group === 'bus.example.org'),
      {
        group: 'bus.example.org',
        version: 'v1',
        resources: [
          { kind: 'BusCluster', plural: 'busclusters', namespaced: true, version: 'v1' },
          { kind: 'BusAccessRule', plural: 'busaccessrules', namespaced: true, version: 'v1' },
        ],
      },
    );
  } finally {
    await simulation.close();
  }
});

// Fixture: a made-up message bus refuses its client (access denied); its operator's BusAccessRule for the client's
// principal, in the bus's namespace, was rewritten shortly before without the channel the client publishes to.
it('the custom resource that sets the rule a dependency refuses its client by is the answer', async () => {
  const { result, requests } = await replayScenarioFile(FIXTURE);
  assert.deepEqual(result.rootCause, { kind: 'BusAccessRule', namespace: 'streams', name: 'invoice-writer' });
  assert.equal(result.faultType, 'other');
  // Read cluster-wide: an operator keeps its rules where it likes.
  assert.ok(requests.some((r) => r.path === '/apis/bus.example.org/v1/busaccessrules'));
});

// Fixture: a made-up RequestRateLimit on the callee's Service, lowered shortly before; an older one on the same Service
// is unchanged. The caller's errors quote the Service the limit names.
it('a limit changed shortly before that names what the refused requests name is the answer, not an older one', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/tamarack-rate-limit-policy-on-callee.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'RequestRateLimit', namespace: 'geo', name: 'geo-lookup-interactive' });
  assert.equal(result.faultType, 'other');
});

// Fixture: a made-up CallerPolicy edited shortly before no longer admits the caller (a letter dropped from its
// identity): it names nothing the errors name, and is still the suspect, over a policy unchanged for months.
it('a rule changed shortly before that names nothing refused is still the suspect, at a lower confidence', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/quince-caller-policy-edit-drops-identity.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'CallerPolicy', namespace: 'quince', name: 'signing-port-callers' });
  assert.equal(result.faultType, 'other');
  assert.ok(result.confidence <= 0.5);
});

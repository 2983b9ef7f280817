import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { LIST_BUDGET, listKind } from '../../src/investigation/tools/kinds.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { crowdedNamespace, NOW, NS } from '../fixtures/crowded-namespace.ts';

// 1,100 fillers: every list of the namespace is longer than one first page (1,000 objects).
const scenario = parseScenario(crowdedNamespace(1_100), 'crowded-namespace');
const PODS = 1_102;
let simulation: Simulation;
before(async () => {
  simulation = await startSimulation(scenario);
  // A list's time budget (LIST_BUDGET.ms, on Date.now()) and each request's 15 s timeout (a setTimeout) run on the
  // clock: on a loaded machine the reads of these long lists outlast them, and what was read, or whether the
  // investigation failed, would depend on the machine. Budgets of bytes are what these tests test: the clock stands
  // still. (undici's keep-alive timers stop too: harmless, the simulated servers never close an idle connection.)
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.parse(NOW) });
});
after(async () => {
  mock.timers.reset();
  await simulation.close();
});

const pagesOf = (from: number, path: string) =>
  simulation
    .requests()
    .slice(from)
    .filter((request) => request.server === 'kube' && request.path === path);

describe('lists read through pages, within a budget of bytes and time', () => {
  it('reads a list to its end with limit and continue, asking for what is left after a small first page', async () => {
    const from = simulation.requests().length;
    const pods = await listKind(simulation.kubeConfig, 'Pod', { namespace: NS });
    assert.equal(pods.complete, true);
    assert.equal(pods.items.length, PODS);
    assert.equal(new Set(pods.items.map((pod) => pod.metadata?.name)).size, PODS);
    const pages = pagesOf(from, `/api/v1/namespaces/${NS}/pods`);
    assert.deepEqual(
      pages.map((page) => page.query.limit),
      ['1000', String(PODS - 1000)],
    );
    assert.equal(pods.requests, pages.length);
    assert.ok(pages[1]?.query.continue);
  });

  it('stops when its byte budget is spent and says how many objects it left unread', async () => {
    const pods = await listKind(simulation.kubeConfig, 'Pod', { namespace: NS }, { ...LIST_BUDGET, bytes: 1000 });
    assert.equal(pods.complete, false);
    assert.equal(pods.stoppedBy, 'bytes');
    assert.equal(pods.items.length, 1000);
    assert.equal(pods.unread, PODS - 1000);
  });

  it('restarts a list once when its continue token expired (410), for a read consistent at one revision', async () => {
    let lists = 0;
    const server = await startKubeApiServer({
      objects: scenario.cluster.objects,
      now: new Date(NOW),
      // The API server compacts between the first and the second page.
      authorize: (request) => {
        if (request.verb === 'list' && ++lists === 2) server.compact();
        return true;
      },
    });
    try {
      const pods = await listKind(simulationKubeConfig(server.url), 'Pod', { namespace: NS });
      assert.equal(pods.complete, true);
      assert.equal(new Set(pods.items.map((pod) => pod.metadata?.name)).size, PODS);
      assert.equal(pods.items.length, PODS);
      assert.deepEqual(
        server.requests().map((request) => request.status),
        [200, 410, 200, 200],
      );
      assert.equal(pods.requests, 4);
    } finally {
      await server.close();
    }
  });
});

describe('an investigation whose reads were cut short', () => {
  // One investigation per budget, shared by the tests below (each takes seconds of CPU over these long lists), with
  // the requests it made.
  const runs = new Map<number, ReturnType<typeof investigateOnce>>();
  const investigateOnce = async (bytes: number) => {
    const from = simulation.requests().length;
    const result = await investigate(scenario.alert, {
      kubeConfig: simulation.kubeConfig,
      audit: new MemoryAuditLog(),
      now: new Date(NOW),
      listBudget: { ...LIST_BUDGET, bytes },
    });
    return { result, requests: simulation.requests().slice(from) };
  };
  const investigation = (bytes = LIST_BUDGET.bytes) => {
    if (!runs.has(bytes)) runs.set(bytes, investigateOnce(bytes));
    return runs.get(bytes)!;
  };
  const run = async (bytes?: number) => (await investigation(bytes)).result;

  it('finds the cause when it reads everything, and says nothing was left unread', async () => {
    const result = await run();
    assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: NS, name: 'payments' });
    assert.equal(result.faultType, 'oom-limit');
    assert.ok(!result.assumptions.some((assumption) => assumption.startsWith('not read')));
  });

  it('never blames the caller for a Service it did not read, says what was not read and is less sure', async () => {
    const full = await run();
    const cut = await run(1000);
    // payments sorts after the first page of every list: its Service, Deployment and pod were not read.
    assert.ok(
      !cut.hypotheses.some((hypothesis) => hypothesis.faultType === 'bad-env'),
      `blamed on an unread Service: ${JSON.stringify(cut.hypotheses.map((h) => [h.entity.name, h.faultType]))}`,
    );
    assert.ok(
      cut.assumptions.includes(
        `not read: ${PODS - 1000} of ${PODS} Service objects in ${NS} (its read budget of 1 KB was spent); nothing was concluded from their absence`,
      ),
      cut.assumptions.join('\n'),
    );
    assert.ok(
      cut.assumptions.some((assumption) => assumption.startsWith(`not read: ${PODS - 1000} of ${PODS} Pod objects`)),
    );
    assert.ok(cut.confidence < full.confidence);
  });

  it('reads the pods on the symptom path by label selector when the namespace pod list was cut short', async () => {
    const { requests } = await investigation(1000);
    const narrowed = requests
      .filter((request) => request.server === 'kube' && (request.query.labelSelector || request.query.fieldSelector))
      .map((request) => `${request.path} ${request.query.labelSelector ?? request.query.fieldSelector}`);
    assert.ok(narrowed.includes(`/api/v1/namespaces/${NS}/pods app=checkout`), narrowed.join('\n'));
  });
});

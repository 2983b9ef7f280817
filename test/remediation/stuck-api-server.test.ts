import assert from 'node:assert/strict';
import { after, before, it, mock } from 'node:test';
import { KubeObjects } from '../../src/remediation/kube-objects.ts';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { NOW, NS, TOOL_SCENARIO } from '../investigation/tool-scenario.ts';
import { closedByClient } from '../support/closed-by-client.ts';

// An API server that takes every request and never answers, as in the investigation's test of the same: a plan's
// reads (deriving it, checking its preconditions, verifying it) must not wait on it for ever either.
let server: KubeApiServer;
let held = false;
let arrived: (() => void) | undefined;
before(async () => {
  server = await startKubeApiServer({
    objects: parseScenario(TOOL_SCENARIO, 'tool-scenario').cluster.objects,
    now: new Date(NOW),
    hold: () => {
      if (!held) return Promise.resolve();
      arrived?.();
      return new Promise<void>(() => undefined);
    },
  });
});
after(() => server.close());

const kube = () => new KubeObjects(simulationKubeConfig(server.url));

/** Runs `call` until the server holds its request, then lets 15 s pass on a mocked clock: it fails and is cancelled. */
async function timedOut(call: () => Promise<unknown>, path: string, message: RegExp): Promise<void> {
  mock.timers.enable({ apis: ['setTimeout'] });
  held = true;
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const outcome = call().then(
    () => null,
    (error: Error) => error,
  );
  await arrival;
  mock.timers.tick(15_000);
  const error = await outcome;
  mock.timers.reset();
  held = false;
  assert.match(error?.message ?? 'answered', message);
  assert.equal(await closedByClient(server, path), true, `the request to ${path} was left open after its timeout`);
}

it('answers as before when the API server answers', async () => {
  const deployment = await kube().read({ kind: 'Deployment', namespace: NS, name: 'api' });
  assert.equal(deployment?.metadata?.name, 'api');
  assert.equal(await kube().read({ kind: 'Deployment', namespace: NS, name: 'absent' }), null);
  const replicaSets = await kube().list('ReplicaSet', NS, 'app=api');
  assert.ok(replicaSets.length > 0);
});

it("a plan's read of one object the API server does not answer in time is aborted, saying which", async () => {
  await timedOut(
    () => kube().read({ kind: 'Deployment', namespace: NS, name: 'api' }),
    `/apis/apps/v1/namespaces/${NS}/deployments/api`,
    new RegExp(`^get Deployment ${NS}/api: no answer within 15 s$`),
  );
});

it('so is its list', async () => {
  await timedOut(
    () => kube().list('Pod', NS, 'app=api'),
    `/api/v1/namespaces/${NS}/pods`,
    new RegExp(`^list Pod in ${NS} \\(app=api\\): no answer within 15 s$`),
  );
});

import assert from 'node:assert/strict';
import { after, before, it, mock } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { getObject } from '../../src/investigation/tools/get-object.ts';
import { listObjects } from '../../src/investigation/tools/list-objects.ts';
import { podLogs } from '../../src/investigation/tools/pod-logs.ts';
import type { ToolContext } from '../../src/investigation/tools/tool.ts';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { NOW, NS, TOOL_SCENARIO } from './tool-scenario.ts';
import { closedByClient } from '../support/closed-by-client.ts';

// An API server that takes every request and never answers (overloaded, or a stuck aggregated API behind it).
let server: KubeApiServer;
let arrived: (() => void) | undefined;
before(async () => {
  server = await startKubeApiServer({
    objects: parseScenario(TOOL_SCENARIO, 'tool-scenario').cluster.objects,
    now: new Date(NOW),
    hold: () => {
      arrived?.();
      return new Promise<void>(() => undefined);
    },
  });
});
after(() => server.close());

const context = (): ToolContext => ({
  kubeConfig: simulationKubeConfig(server.url),
  audit: new MemoryAuditLog(),
  now: new Date(NOW),
  reason: 'test',
});

/**
 * Runs `call` until the server holds its request, then lets the 15 s request timeout pass on a mocked clock: the
 * call must fail saying what had no answer, and its request must be cancelled, the connection closed, rather than
 * left open (a socket per timed-out call, for as long as the server takes) once the call has given up.
 */
async function timedOut(call: () => Promise<unknown>, path: string, message: RegExp): Promise<void> {
  mock.timers.enable({ apis: ['setTimeout'] });
  const held = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const outcome = call().then(
    () => null,
    (error: Error) => error,
  );
  await held;
  mock.timers.tick(15_000);
  const error = await outcome;
  mock.timers.reset();
  assert.match(error?.message ?? 'answered', message);
  assert.equal(await closedByClient(server, path), true, `the request to ${path} was left open after its timeout`);
}

it('a list the API server does not answer in time is aborted: the tool fails and the connection is closed', async () => {
  await timedOut(
    () => listObjects.run({ kind: 'Pod', namespace: NS }, context()),
    `/api/v1/namespaces/${NS}/pods`,
    /^list Pod: no answer within 15 s$/,
  );
});

it('so is a read of one object, and of a log', async () => {
  await timedOut(
    () => getObject.run({ kind: 'Deployment', namespace: NS, name: 'api' }, context()),
    `/apis/apps/v1/namespaces/${NS}/deployments/api`,
    /^get Deployment: no answer within 15 s$/,
  );
  await timedOut(
    () => podLogs.run({ namespace: NS, pod: 'api-cccc3-x1y2z', container: 'app' }, context()),
    `/api/v1/namespaces/${NS}/pods/api-cccc3-x1y2z/log`,
    /^log of api-cccc3-x1y2z: no answer within 15 s$/,
  );
});

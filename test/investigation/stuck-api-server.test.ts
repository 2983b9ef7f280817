import { after, before, it } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { getObject } from '../../src/investigation/tools/get-object.ts';
import { listObjects } from '../../src/investigation/tools/list-objects.ts';
import { podLogs } from '../../src/investigation/tools/pod-logs.ts';
import type { ToolContext } from '../../src/investigation/tools/tool.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { NOW, NS } from './tool-scenario.ts';
import { type StuckApiServer, startStuckApiServer } from '../support/stuck-api-server.ts';

// An API server that takes the request and never answers (support/stuck-api-server.ts): the tools must not wait for ever.
let stuck: StuckApiServer;
before(async () => {
  stuck = await startStuckApiServer();
});
after(() => stuck.server.close());

const context = (): ToolContext => ({
  kubeConfig: simulationKubeConfig(stuck.server.url),
  audit: new MemoryAuditLog(),
  now: new Date(NOW),
  reason: 'test',
});

it('a list the API server does not answer in time is aborted: the tool fails and the connection is closed', async () => {
  await stuck.timedOut(
    () => listObjects.run({ kind: 'Pod', namespace: NS }, context()),
    `/api/v1/namespaces/${NS}/pods`,
    /^list Pod: no answer within 15 s$/,
  );
});

it('so is a read of one object, and of a log', async () => {
  await stuck.timedOut(
    () => getObject.run({ kind: 'Deployment', namespace: NS, name: 'api' }, context()),
    `/apis/apps/v1/namespaces/${NS}/deployments/api`,
    /^get Deployment: no answer within 15 s$/,
  );
  await stuck.timedOut(
    () => podLogs.run({ namespace: NS, pod: 'api-cccc3-x1y2z', container: 'app' }, context()),
    `/api/v1/namespaces/${NS}/pods/api-cccc3-x1y2z/log`,
    /^log of api-cccc3-x1y2z: no answer within 15 s$/,
  );
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { getObject } from '../../src/investigation/tools/get-object.ts';
import { listObjects } from '../../src/investigation/tools/list-objects.ts';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { NOW, NS, TOOL_SCENARIO } from './tool-scenario.ts';

// A kubeconfig that names an https server and a token, and no CA, client certificate or skip-verify (a control plane
// whose certificate the system trusts): the client then makes no connection pool of its own and reads go through its
// fetch. Here the simulated API server behind a TLS front with a throwaway self-signed certificate, which this process
// is told to accept as the system would trust a real one.

let cluster: KubeApiServer;
let front: Server;
let dir: string;
let server: string;
const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

before(async () => {
  cluster = await startKubeApiServer({
    objects: parseScenario(TOOL_SCENARIO, 'tool-scenario').cluster.objects,
    now: new Date(NOW),
  });
  dir = await mkdtemp(join(tmpdir(), 'tls-front-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const subject = ['-subj', '/CN=localhost', '-days', '1'];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, ...subject], {
    stdio: 'ignore',
  });
  front = createServer({ key: await readFile(key), cert: await readFile(cert) }, (incoming, outgoing) => {
    const upstream = request(`${cluster.url}${incoming.url}`, { headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.end();
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const address = front.address();
  server = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
});

after(async () => {
  if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  await cluster.close();
  await rm(dir, { recursive: true, force: true });
});

function context() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'trusted', server }],
    users: [{ name: 'reader', token: 'a-token' }],
    contexts: [{ name: 'trusted', cluster: 'trusted', user: 'reader' }],
    currentContext: 'trusted',
  });
  return { kubeConfig, audit: new MemoryAuditLog(), now: new Date(NOW), reason: 'test' };
}

it('lists and reads objects of a cluster reached without TLS settings of its own', async () => {
  const pods = (await listObjects.run({ kind: 'Pod', namespace: NS }, context())) as { items: unknown[] };
  assert.ok(pods.items.length > 0, 'no pod listed');
  const read = (await getObject.run({ kind: 'Deployment', namespace: NS, name: 'api' }, context())) as {
    object?: { metadata: { name: string } };
  };
  assert.equal(read.object?.metadata.name, 'api');
});

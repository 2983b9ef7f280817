import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { REPO_ROOT } from '../support/run-cli.ts';
import { until } from '../support/until.ts';
import { type Overlay, type PodTemplate, podTemplates, renderOverlays } from './render.ts';

// The manifests' probes and commands against the real processes: each role of the `full` overlay (web, worker,
// executor) started with the environment its Deployment builds, its init containers run first, then every probe
// asked where the manifest points it; and the web role of `locked-down`, whose environment puts it in Socket Mode.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `ibtest-probes-${process.pid}`;

let overlays: Overlay[];
let database: TestDatabase;
let slack: FakeSlack;
let kube: KubeApiServer;
let dir: string;
before(async () => {
  [overlays, database, slack, kube, dir] = await Promise.all([
    renderOverlays(),
    createTestDatabase(),
    FakeSlack.start(),
    startKubeApiServer({ objects: [], now: new Date() }),
    mkdtemp(join(tmpdir(), 'manifests-probes-')),
  ]);
  await writeFile(join(dir, 'kubeconfig'), toKubeconfigYaml(kube.url), { mode: 0o600 });
});
after(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await Promise.all([database.drop(), slack.close(), kube.close(), rm(dir, { recursive: true, force: true })]);
});

/** A port nothing listens on now (the processes under test are told it, as the kubelet knows a pod's ports). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The test's Secret: what `incident-bot` would hold for HTTP and for Socket Mode. */
const secretValues = (): Record<string, string> => ({
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'test-signing-secret',
  SLACK_APP_TOKEN: 'xapp-test',
  PAGERDUTY_WEBHOOK_SECRETS: 'pd-test',
  DATABASE_URL: database.url,
  REDIS_URL,
});

/** A process of the pod; `exited` is taken at spawn, so an exit that comes before anyone awaits it is not missed. */
function start(
  command: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<unknown[]>; output: () => string } {
  const child = spawn(command[0] === 'node' ? process.execPath : command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  return { child, exited, output: () => output };
}

const overlay = (name: string) => overlays.find((candidate) => candidate.name === name)!;
const configMapOf = (of: Overlay) =>
  of.objects.find((object) => object.kind === 'ConfigMap')!.data as Record<string, string>;

test('every role runs its init containers and answers its startup, readiness and liveness probes', async () => {
  const full = overlay('full');
  const templates = podTemplates(full.objects);
  assert.deepEqual(templates.map((template) => template.owner.metadata.name).sort(), [
    'incident-bot-executor',
    'incident-bot-web',
    'incident-bot-worker',
  ]);
  // The roles start side by side, as in a cluster.
  await Promise.all(templates.map((template) => runPod(template, configMapOf(full))));
});

test('the Socket Mode web role connects out to Slack and answers its probes', async () => {
  const lockedDown = overlay('locked-down');
  const web = podTemplates(lockedDown.objects).find((template) => template.owner.metadata.name === 'incident-bot-web')!;
  await runPod(web, configMapOf(lockedDown), () => slack.socketMode.connections > 0);
});

/**
 * One pod: its init containers run to completion, then each container is asked its probes, and `meanwhile` (a
 * further sign of life, e.g. its Socket Mode connection) is awaited before it is stopped.
 */
async function runPod(
  template: PodTemplate,
  configMap: Record<string, string>,
  meanwhile: () => boolean = () => true,
): Promise<void> {
  const containers = [...(template.spec.initContainers ?? []), ...template.spec.containers];
  const ports = new Map<string, number>();
  for (const port of containers.flatMap((container) => container.ports ?? [])) ports.set(port.name!, await freePort());
  const secrets = secretValues();
  for (const container of containers) {
    const where = `${template.owner.metadata.name}/${container.name}`;
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) if (source.configMapRef) Object.assign(env, configMap);
    for (const variable of container.env ?? []) {
      const key = variable.valueFrom?.secretKeyRef?.key;
      const value = key ? secrets[key] : variable.value;
      if (value !== undefined) env[variable.name] = value;
    }
    // What the cluster provides instead: the pod's ports, its ServiceAccount (here the simulated API server),
    // the Slack API (a stand-in), and a queue prefix of this test's own on the shared Redis.
    Object.assign(env, {
      ...(ports.has('http') ? { PORT: String(ports.get('http')) } : {}),
      METRICS_PORT: String(ports.get('metrics')),
      KUBECONFIG: join(dir, 'kubeconfig'),
      EXECUTOR_KUBECONFIG: join(dir, 'kubeconfig'),
      SLACK_API_URL: slack.apiUrl,
      QUEUE_PREFIX: PREFIX,
    });
    const command = container.command ?? ['node', '--import', 'tsx', 'src/main.ts'];
    const { child, exited, output } = start(command, env);
    if (template.spec.initContainers?.includes(container)) {
      const [code] = await exited;
      assert.equal(code, 0, `${where}: ${output()}`);
      continue;
    }
    try {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const { path, port } = container[probe]!.httpGet!;
        const url = `http://127.0.0.1:${ports.get(String(port))}${path}`;
        const answered = () =>
          fetch(url).then(
            (response) => response.status === 200,
            () => false,
          );
        await until(`${where} ${probe} ${url}`, answered, 60_000).catch((error: Error) => {
          throw new Error(`${error.message}; the process wrote:\n${output()}`);
        });
      }
      await until(`${where}: ${meanwhile}`, meanwhile);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }
}

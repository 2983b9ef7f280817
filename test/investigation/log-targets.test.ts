import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseLogTargets } from '../../src/investigation/evidence/log-targets.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import type { Focus } from '../../src/investigation/focus.ts';

type Pod = ClusterSnapshot['pods'][number];
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

const running: ContainerStatus = {
  name: 'main',
  ready: true,
  restartCount: 0,
  image: 'i',
  imageID: '',
  state: { running: {} },
};

function pod(
  app: string,
  index: number,
  options: { ready?: boolean; status?: Partial<ContainerStatus>; env?: string[] } = {},
): Pod {
  return {
    metadata: {
      name: `${app}-5f6d7c8b9a-pod${index}`,
      namespace: 'ns',
      labels: { app },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-5f6d7c8b9a`, uid: app, controller: true },
      ],
    },
    spec: {
      containers: [{ name: 'main', env: (options.env ?? []).map((value, i) => ({ name: `PEER_${i}`, value })) }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ ...running, ...options.status }],
    },
  };
}

function cluster(pods: Pod[]): ClusterSnapshot {
  const snapshot = emptySnapshot('2026-01-01T00:00:00Z');
  const apps = [...new Set(pods.map((p) => p.metadata?.labels?.app ?? ''))];
  snapshot.pods = pods;
  snapshot.deployments = apps.map((app) => ({ metadata: { name: app, namespace: 'ns' } }));
  snapshot.replicaSets = apps.map((app) => ({
    metadata: {
      name: `${app}-5f6d7c8b9a`,
      namespace: 'ns',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: `d-${app}`, controller: true }],
    },
  }));
  snapshot.services = apps.map((app) => ({ metadata: { name: app, namespace: 'ns' }, spec: { selector: { app } } }));
  return snapshot;
}

const focus = (symptom: Focus['symptom']): Focus => ({ namespace: 'ns', symptom, alertText: '', assumptions: [] });
const names = (targets: ReturnType<typeof chooseLogTargets>) =>
  targets.map((target) => `${target.pod.split('-')[0]}${target.previous ? ' (previous)' : ''}`);

describe('chooseLogTargets', () => {
  const restarting = {
    restartCount: 5,
    lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    state: { waiting: { reason: 'CrashLoopBackOff' } },
  };

  it('reads why restarting containers died first, then the alerted workload and its dependencies, one pod per workload', () => {
    const snapshot = cluster([
      pod('web', 1, { env: ['http://orders:8080'] }),
      pod('web', 2, { env: ['http://orders:8080'] }),
      pod('orders', 1, { env: ['db:5432'] }),
      pod('db', 1, { ready: false, status: restarting }),
      pod('mail', 1),
    ]);
    const targets = chooseLogTargets(snapshot, focus({ kind: 'Service', namespace: 'ns', name: 'web' }), new Map(), 4);
    assert.deepEqual(names(targets), ['db (previous)', 'web', 'db', 'orders']);
  });

  it('skips the last words of OOM-killed containers and containers that never started', () => {
    const snapshot = cluster([
      pod('cache', 1, {
        ready: false,
        status: { ...restarting, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
      }),
      pod('api', 1, { ready: false, status: { ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } } }),
    ]);
    const targets = chooseLogTargets(snapshot, focus(null), new Map(), 5);
    assert.deepEqual(names(targets), ['cache']);
  });

  it('skips the last words of containers the runtime lost (a node restart), reading what the alerted one says now', () => {
    // Every workload on a rebooted node restarted once, reason Unknown: their previous logs end where the node went
    // down and say nothing of why; with them in front, the alerted workload's current log would not fit the limit.
    const lost = {
      restartCount: 1,
      lastState: { terminated: { exitCode: 255, reason: 'Unknown' } },
      state: { running: {} },
    };
    const snapshot = cluster([
      pod('gate', 1, { ready: false, status: { ...lost, ready: false } }),
      pod('ledger', 1, { status: lost }),
      pod('notes', 1, { status: lost }),
      pod('queue', 1, { ready: false, status: restarting }),
    ]);
    const targets = chooseLogTargets(snapshot, focus({ kind: 'Service', namespace: 'ns', name: 'gate' }), new Map(), 2);
    assert.deepEqual(names(targets), ['queue (previous)', 'gate']);
  });

  it('skips the last words of a restart long before the onset whose successor has run ready since', () => {
    // cache restarted once four days before the onset (snapshot time: no alert time given) and has served since: its
    // last lines tell why it died then; the slot goes to the unready dependency of the alerted workload.
    const history = {
      restartCount: 1,
      lastState: { terminated: { exitCode: 137, reason: 'Error', finishedAt: '2025-12-28T00:00:00Z' } },
      state: { running: { startedAt: '2025-12-28T00:00:10Z' } },
    };
    const fresh = {
      restartCount: 1,
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2025-12-31T23:50:00Z' } },
      state: { running: { startedAt: '2025-12-31T23:50:10Z' } },
    };
    const pods = [
      pod('cache', 1, { status: history }),
      pod('web', 1, { env: ['http://orders:8080'] }),
      pod('orders', 1, { ready: false, status: { ready: false } }),
    ];
    const alerted = focus({ kind: 'Service', namespace: 'ns', name: 'web' });
    assert.deepEqual(names(chooseLogTargets(cluster(pods), alerted, new Map(), 2)), ['web', 'orders']);
    // The same restart ten minutes before: it may be the incident's, and its last lines are read first.
    const recent = [pod('cache', 1, { status: fresh }), ...pods.slice(1)];
    assert.deepEqual(names(chooseLogTargets(cluster(recent), alerted, new Map(), 2)), ['cache (previous)', 'web']);
  });

  it('reads pods not ready newest trouble first, whatever their names, and no finished (Succeeded) pod', () => {
    const ended = (finishedAt: string, exitCode: number): Partial<ContainerStatus> => ({
      ready: false,
      state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt } },
    });
    const older = pod('aster', 1, { ready: false, status: ended('2025-12-20T03:00:00Z', 2) });
    const done = pod('birch', 1, { ready: false, status: ended('2025-12-31T23:00:00Z', 0) });
    done.status = { ...done.status, phase: 'Succeeded' };
    const newer = pod('cedar', 1, { ready: false, status: ended('2025-12-31T22:00:00Z', 1) });
    const targets = chooseLogTargets(cluster([older, done, newer]), focus(null), new Map(), 5);
    assert.deepEqual(names(targets), ['cedar', 'aster']);
    const renamedAlike = chooseLogTargets(cluster([newer, done, older]), focus(null), new Map(), 1);
    assert.deepEqual(names(renamedAlike), ['cedar'], 'list order is not evidence');
  });

  it('reads the container the controller declares, not a proxy injected at admission and listed first', () => {
    const meshed = pod('gate', 1);
    meshed.spec = { containers: [{ name: 'proxy' }, { name: 'main' }] };
    meshed.status = { ...meshed.status, containerStatuses: [{ ...running, name: 'proxy' }, running] };
    const snapshot = cluster([meshed]);
    snapshot.replicaSets = snapshot.replicaSets.map((rs) => ({
      ...rs,
      metadata: { ...rs.metadata, uid: 'gate' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'main' }] } } },
    }));
    const targets = chooseLogTargets(snapshot, focus({ kind: 'Service', namespace: 'ns', name: 'gate' }), new Map(), 2);
    assert.deepEqual(
      targets.map((target) => target.container),
      ['main'],
    );
  });

  it('reads a workload rolled out shortly before ahead of mere callers; beyond the budget only when nothing else shows trouble', () => {
    const rolledOut = (pods: Pod[]) => {
      const snapshot = cluster(pods);
      const [current] = snapshot.replicaSets.filter((rs) => rs.metadata?.name?.startsWith('mailer'));
      if (current?.metadata) current.metadata.creationTimestamp = '2025-12-31T23:40:00Z';
      if (current) current.status = { replicas: 1 };
      snapshot.replicaSets.push({
        metadata: {
          name: 'mailer-0a1b2c3d4e',
          namespace: 'ns',
          creationTimestamp: '2025-11-02T10:00:00Z',
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'mailer', uid: 'd-mailer', controller: true },
          ],
        },
        status: { replicas: 0 },
      });
      return snapshot;
    };
    const calm = rolledOut([
      pod('mailer', 1),
      pod('desk', 1, { env: ['http://ledger:8080', 'http://index:8080'] }),
      pod('ledger', 1, { env: ['http://index:8080'] }),
      pod('index', 1, { env: ['http://desk:8080'] }),
    ]);
    assert.deepEqual(names(chooseLogTargets(calm, focus(null), new Map(), 2)), ['mailer', 'desk']);
    // Beyond the budget (the floor of logs every incident reads) the rollout is still read first when nothing else
    // shows where to look: the change just before the onset is the best lead an alert that names nothing has.
    assert.deepEqual(names(chooseLogTargets(calm, focus(null), new Map(), 2, undefined, 0)), ['mailer', 'desk']);
    // When a pod is in trouble, the floor is its, and a rollout without a sign of trouble waits for budget.
    const troubled = rolledOut([
      pod('mailer', 1),
      pod('desk', 1, { ready: false, status: { ready: false, restartCount: 4 } }),
    ]);
    assert.deepEqual(names(chooseLogTargets(troubled, focus(null), new Map(), 1, undefined, 0)), ['desk']);
  });

  it('prefers services whose calls fail, worst first, when the alert names nothing', () => {
    const snapshot = cluster([pod('a', 1), pod('b', 1), pod('c', 1)]);
    const ratios = new Map([
      ['a', 0.1],
      ['b', 0.6],
      ['c', 0],
    ]);
    assert.deepEqual(names(chooseLogTargets(snapshot, focus(null), ratios, 5)), ['b', 'a']);
  });

  it('reads a workload none of whose pods is ready before dependencies that run ready, after those that do not', () => {
    const snapshot = cluster([
      pod('cart', 1, { env: ['http://pricing:8080', 'http://stock:8080'] }),
      pod('pricing', 1),
      pod('stock', 1, { ready: false }),
      pod('stock', 2),
      // Off the alerted workload's path (a symptom picked by a loose word), but down: no replica is ready.
      pod('catalog', 1, { ready: false }),
      pod('catalog', 2, { ready: false }),
    ]);
    const targets = chooseLogTargets(snapshot, focus({ kind: 'Service', namespace: 'ns', name: 'cart' }), new Map(), 4);
    assert.deepEqual(names(targets), ['cart', 'stock', 'catalog', 'pricing']);
    // Negative: a workload with one ready replica left is not down; the ready dependency keeps its turn.
    const partly = cluster([
      pod('cart', 1, { env: ['http://pricing:8080'] }),
      pod('pricing', 1),
      pod('catalog', 1, { ready: false }),
      pod('catalog', 2),
    ]);
    const read = chooseLogTargets(partly, focus({ kind: 'Service', namespace: 'ns', name: 'cart' }), new Map(), 2);
    assert.deepEqual(names(read), ['cart', 'pricing']);
  });

  it('reads the init container of a pod still initialising', () => {
    const waiting = pod('app', 1, {
      ready: false,
      status: { ready: false, state: { waiting: { reason: 'PodInitializing' } } },
    });
    waiting.status = {
      ...waiting.status,
      initContainerStatuses: [{ ...running, name: 'wait-for-db', ready: false }],
    };
    const targets = chooseLogTargets(cluster([waiting]), focus(null), new Map(), 5);
    assert.deepEqual(
      targets.map((target) => target.container),
      ['wait-for-db'],
    );
  });

  it('honours the limit', () => {
    const snapshot = cluster([
      pod('a', 1, { ready: false }),
      pod('b', 1, { ready: false }),
      pod('c', 1, { ready: false }),
    ]);
    assert.equal(chooseLogTargets(snapshot, focus(null), new Map(), 2).length, 2);
  });

  it("does not take the namespace's own name, in a runbook's path or a metric, for the word of the one component carrying it", () => {
    // Namespace fenwick holds fenwick-web and tarn-planner; the alert speaks of tarn batches, and names fenwick only as the
    // application (its runbook path, its metric): tarn-planner is what it speaks of, fenwick-web is not.
    const inNamespace = (namespace: string, snapshot: ClusterSnapshot): ClusterSnapshot =>
      JSON.parse(JSON.stringify(snapshot).replaceAll('"namespace":"ns"', `"namespace":"${namespace}"`));
    const snapshot = inNamespace(
      'fenwick',
      cluster([pod('fenwick-web', 1), pod('tarn-planner', 1), pod('ossel-feed', 1)]),
    );
    const alerted = (alertText: string) =>
      chooseLogTargets(snapshot, { namespace: 'fenwick', symptom: null, alertText, assumptions: [] }, new Map(), 3)
        .filter((target) => target.alerted)
        .map((target) => target.pod.replace(/-5f6d7c8b9a-pod\d$/, ''));
    assert.deepEqual(
      alerted(
        'no tarn batches released for 20 min\nfenwick_batches_released_total flat; runbook https://runbooks.example/fenwick/tarn-batches',
      ),
      ['tarn-planner'],
    );
    // Negative: a word of the component's own (`web`) still names it, beside the namespace's word.
    assert.deepEqual(alerted('fenwick web answers 502 since 10:02'), ['fenwick-web']);
  });
});

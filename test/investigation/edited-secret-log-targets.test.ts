import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editedSecretLogTargets } from '../../src/investigation/evidence/edited-secret-log-targets.ts';
import { symptomOnset } from '../../src/investigation/evidence/onset.ts';
import { restartedUnchangedWithin, unchangedRestarts } from '../../src/investigation/evidence/restarted-after.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

const ONSET = '2026-11-02T08:00:00Z';

const secret = (name: string, created: string, edited?: string): ClusterSnapshot['secrets'][number] => ({
  keys: ['key'],
  metadata: {
    name,
    namespace: 'ledger',
    creationTimestamp: created,
    managedFields: [
      { manager: 'kubectl-create', operation: 'Update', time: created },
      ...(edited ? [{ manager: 'kubectl-client-side-apply', operation: 'Update', time: edited }] : []),
    ],
  },
});

/** A pod of `owner` reading Secret `reads` through env or a mounted volume, started at `started`. */
function pod(name: string, owner: string, reads: string, via: 'env' | 'volume', started: string, ready = true): Pod {
  return {
    metadata: {
      name,
      namespace: 'ledger',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }],
    },
    spec: {
      containers: [
        { name: 'sidecar', image: 'proxy' },
        {
          name: 'app',
          image: 'app',
          ...(via === 'env'
            ? { env: [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: reads, key: 'key' } } }] }
            : { volumeMounts: [{ name: 'creds', mountPath: '/var/run/creds' }] }),
        },
      ],
      volumes: via === 'volume' ? [{ name: 'creds', secret: { secretName: reads } }] : [],
      // A pull secret is the kubelet's: its edit is no reason to hear the program.
      imagePullSecrets: [{ name: 'registry' }],
    },
    status: {
      phase: 'Running',
      startTime: started,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'app', ready, restartCount: 0, image: 'app', imageID: '', state: { running: { startedAt: started } } },
      ],
    },
  };
}

function cluster(): ClusterSnapshot {
  const s = emptySnapshot('2026-11-02T08:30:00Z');
  s.secrets.push(
    secret('mailer-token', '2026-06-01T00:00:00Z', '2026-11-02T07:20:00Z'),
    secret('feed-token', '2026-06-01T00:00:00Z', '2026-11-02T07:40:00Z'),
    secret('registry', '2026-06-01T00:00:00Z', '2026-11-02T07:50:00Z'),
    secret('old-token', '2026-06-01T00:00:00Z', '2026-10-01T00:00:00Z'),
    secret('fresh-token', '2026-11-02T07:45:00Z'),
  );
  s.pods.push(
    // Env read by pods started before the edit: the new value never reached them.
    pod('billing-a', 'billing-1', 'mailer-token', 'env', '2026-10-20T00:00:00Z'),
    // Env read by pods restarted since (a Reloader restart): they present the new value.
    pod('mailer-a', 'mailer-2', 'mailer-token', 'env', '2026-11-02T07:21:00Z'),
    // Mounted: the kubelet refreshed the file in place, the running pod reads the new value.
    pod('feed-a', 'feed-1', 'feed-token', 'volume', '2026-10-20T00:00:00Z'),
    pod('feed-b', 'feed-1', 'feed-token', 'volume', '2026-10-20T00:00:00Z', false),
    pod('archive-a', 'archive-1', 'old-token', 'volume', '2026-10-20T00:00:00Z'),
    pod('welcome-a', 'welcome-1', 'fresh-token', 'volume', '2026-11-02T07:46:00Z'),
  );
  return s;
}

const named = (s: ClusterSnapshot, max = 3) =>
  editedSecretLogTargets(s, symptomOnset(s, ONSET), max).map((t) => `${t.pod}/${t.container}`);

test("a Secret edited shortly before the onset leads to one reader's log the new value reached, newest edit first", () => {
  // Neither a Secret only created, nor one edited weeks ago, nor a pull secret leads to a program's log; an env reader
  // started before the edit still presents the old value; the unready replica speaks first.
  assert.deepEqual(named(cluster()), ['feed-b/app', 'mailer-a/app']);
  assert.deepEqual(named(cluster(), 1), ['feed-b/app']);
});

test('a reader whose workload was heard is not read again; one read silent still leaves its replicas to speak', () => {
  const heard = cluster();
  heard.logs.push({ namespace: 'ledger', pod: 'feed-a', container: 'app', previous: false, lines: ['ok'] });
  assert.deepEqual(named(heard), ['mailer-a/app']);
  const silent = cluster();
  silent.logs.push({ namespace: 'ledger', pod: 'feed-b', container: 'app', previous: false, lines: [] });
  assert.deepEqual(named(silent), ['feed-a/app', 'mailer-a/app']);
});

test('a ReplicaSet running the same containers as the one before it is a restart to read again, not a new version', () => {
  const rs = (name: string, created: string, image: string): ClusterSnapshot['replicaSets'][number] => ({
    metadata: {
      name,
      namespace: 'ledger',
      creationTimestamp: created,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'mailer', uid: 'u', controller: true }],
    },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image }] } } },
  });
  const s = emptySnapshot('2026-11-02T08:30:00Z');
  s.replicaSets.push(
    rs('mailer-3', '2026-11-02T07:21:00Z', 'mailer:2'),
    rs('mailer-1', '2026-10-01T00:00:00Z', 'mailer:1'),
    rs('mailer-2', '2026-10-20T00:00:00Z', 'mailer:2'),
  );
  const workload = { kind: 'Deployment', namespace: 'ledger', name: 'mailer' };
  assert.deepEqual(unchangedRestarts(s, workload), ['2026-11-02T07:21:00Z']);
  // Within a window before now it counts; a window that ends before it, or a now before it, does not.
  const now = Date.parse('2026-11-02T08:30:00Z');
  assert.ok(restartedUnchangedWithin(s, workload, now, 2 * 3_600_000));
  assert.ok(!restartedUnchangedWithin(s, workload, now, 30 * 60_000));
  assert.ok(!restartedUnchangedWithin(s, workload, Date.parse('2026-11-02T07:00:00Z'), 2 * 3_600_000));
});

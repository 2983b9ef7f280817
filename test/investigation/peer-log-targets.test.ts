import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerLogTargets } from '../../src/investigation/evidence/peer-log-targets.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

const pod = (namespace: string, name: string, app: string, ready: boolean): ClusterSnapshot['pods'][number] => ({
  metadata: { name, namespace, labels: { app } },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      { name: app, ready, restartCount: 0, image: app, imageID: '', state: { running: { startedAt: '' } } },
    ],
  },
});

function snapshot(line: string): ClusterSnapshot {
  const s = emptySnapshot('2026-12-10T09:30:00Z');
  s.services.push({ metadata: { name: 'claims', namespace: 'insurer' }, spec: { selector: { app: 'claims' } } });
  s.pods.push(pod('insurer', 'claims-a', 'claims', true), pod('insurer', 'claims-b', 'claims', false));
  s.pods.push(pod('clinic', 'portal-a', 'portal', true));
  s.logs.push({ namespace: 'clinic', pod: 'portal-a', container: 'portal', previous: false, lines: [line] });
  return s;
}

test('the errors naming a Service of another namespace lead to the log of its least healthy pod', () => {
  const targets = peerLogTargets(
    snapshot('level=error msg="call failed" url=http://claims.insurer.svc.cluster.local:8080/v1 status=503'),
    'clinic',
    1,
  );
  assert.deepEqual(
    targets.map((t) => `${t.namespace}/${t.pod}/${t.container}`),
    ['insurer/claims-b/claims'],
  );
});

test('errors naming only Services at home, or nothing, lead to no log elsewhere', () => {
  assert.deepEqual(peerLogTargets(snapshot('level=error msg="call failed" upstream=claims:8080'), 'clinic', 1), []);
  assert.deepEqual(peerLogTargets(snapshot('panic: nil map'), 'clinic', 1), []);
});

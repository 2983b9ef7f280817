import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { applicationNamespaces, restartTroubleSince } from '../../src/investigation/evidence/application-namespaces.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { replayScenario, replayScenarioFile } from './support/replay.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/scenarios/quillon-ledger-stale-feeder-sibling-restarts.yaml');

type Namespace = ClusterSnapshot['namespaces'][number];
type Pod = ClusterSnapshot['pods'][number];
const namespace = (name: string, labels: Record<string, string> = {}): Namespace => ({ metadata: { name, labels } });
const restarted = (ns: string, name: string, finishedAt: string, restartCount = 3): Pod => ({
  metadata: { namespace: ns, name, creationTimestamp: '2026-10-01T00:00:00Z' },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'main',
        image: 'x',
        imageID: '',
        ready: true,
        restartCount,
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt } },
      },
    ],
  },
});

describe('applicationNamespaces', () => {
  const all = [
    namespace('mirelo', { 'app.kubernetes.io/part-of': 'mirelo' }),
    namespace('mirelo-data', { 'app.kubernetes.io/part-of': 'mirelo' }),
    namespace('ingest', { 'app.kubernetes.io/part-of': 'mirelo' }),
    namespace('mirelo-jobs'),
    namespace('billing', { 'app.kubernetes.io/part-of': 'billing' }),
    namespace('kube-system'),
  ];
  it('finds the namespaces labelled part of the same application, or sharing its name stem, not yet read', () => {
    assert.deepEqual(applicationNamespaces(all, 'mirelo', new Set(['mirelo-data'])), ['ingest', 'mirelo-jobs']);
  });
  it('finds none for a namespace of no application with no siblings', () => {
    assert.deepEqual(applicationNamespaces(all, 'kube-system', new Set()), []);
  });
});

describe('restartTroubleSince', () => {
  it('counts a container killed and restarted in the window, not one killed days before and running since', () => {
    const trouble = restartTroubleSince(
      [
        restarted('feed', 'feeder-abc12-xyz89', '2026-10-04T12:07:50Z'),
        restarted('feed', 'cache-0', '2026-09-30T08:00:00Z', 1),
        restarted('other', 'worker-abc12-qrs45', '2026-10-04T12:00:00Z', 0),
      ],
      '2026-10-04T11:10:00Z',
    );
    assert.deepEqual([...trouble.keys()], ['feed']);
    assert.equal(trouble.get('feed')?.signs, 1);
  });
});

// The alerted API is healthy; the feeder that writes what it serves, in another namespace of the application (linked only
// through a Secret), was OOM-killed two minutes before the onset; a cache beside it was killed days ago.
test('nothing abnormal on the path: the workload of a sibling namespace killed shortly before the onset is a tentative answer', async () => {
  const { result, steps } = await replayScenarioFile(FIXTURE);
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'quillon-feed', name: 'balance-feeder' });
  assert.ok(result.confidence <= 0.45 && result.confidence >= 0.3, `confidence ${result.confidence}`);
  assert.ok(
    result.assumptions.some((line) => line.includes('of the same application') && line.includes('would confirm')),
  );
  assert.ok(steps.some((step) => step.includes('looking in quillon-feed')));
});

test('a sibling namespace whose only restarts ended days before the onset is no answer', async () => {
  const scenario = await loadScenario(FIXTURE);
  const json = JSON.stringify(scenario).replaceAll('2026-10-04T12:07:50Z', '2026-10-01T12:07:50Z');
  const { result } = await replayScenario(JSON.parse(json));
  assert.notDeepEqual(result.rootCause, { kind: 'Deployment', namespace: 'quillon-feed', name: 'balance-feeder' });
});

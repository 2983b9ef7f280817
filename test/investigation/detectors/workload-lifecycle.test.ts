import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badRollout } from '../../../src/investigation/detectors/bad-rollout.ts';
import { initContainer } from '../../../src/investigation/detectors/init-container.ts';
import { jobFailure } from '../../../src/investigation/detectors/job-failure.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a failing init container names the workload with its log line', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', {
      podPhase: 'Pending',
      ready: false,
      initContainer: { command: ['migrate'] },
      initStatus: {
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        restartCount: 4,
      },
    });
    logs(s, 'api', ['error: migration 0042 failed: column "sku" already exists'], true, 'init');
  });
  const findings = detect(initContainer, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/api init-container']);
  assert.ok(findings[0]?.evidence.some((e) => /migration 0042 failed/.test(e.text)));
});

test('a completed init container is no finding', () => {
  const snapshot = cluster((s) =>
    app(s, 'api', { initContainer: {}, initStatus: { state: { terminated: { exitCode: 0, reason: 'Completed' } } } }),
  );
  assert.deepEqual(detect(initContainer, snapshot), []);
});

test('a new revision whose pods fail while the previous served is a bad rollout, undone to the previous revision', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', {
      revision: 2,
      changedAt: '2026-11-20T10:20:00Z',
      ready: false,
      containerStatus: { restartCount: 3 },
    });
    const [current] = s.replicaSets;
    s.replicaSets.push({
      metadata: {
        name: 'api-previous',
        namespace: NS,
        creationTimestamp: '2026-11-01T09:00:00Z',
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: current?.metadata?.ownerReferences,
      },
      spec: { replicas: 1, selector: { matchLabels: { app: 'api' } } },
      status: { replicas: 1, readyReplicas: 1 },
    });
  });
  const findings = detect(badRollout, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/api bad-rollout']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'rollout-undo',
    namespace: 'shop',
    name: 'api',
    toRevision: 1,
  });
});

test('a Job that hit its backoff limit is job-failure; a running Job is not', () => {
  const snapshot = cluster((s) => {
    s.jobs.push({
      metadata: { name: 'nightly-export', namespace: NS },
      status: {
        failed: 6,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastTransitionTime: '2026-11-20T10:10:00Z',
          },
        ],
      },
    });
    s.jobs.push({ metadata: { name: 'reindex', namespace: NS }, status: { active: 1 } });
  });
  assert.deepEqual(named(detect(jobFailure, snapshot)), ['Job/shop/nightly-export job-failure']);
});

test("a CronJob's failed Job is a job-failure stated at the CronJob, unless a later run of it succeeded", () => {
  const run = (name: string, createdAt: string, condition: 'Failed' | 'Complete') => ({
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: createdAt,
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'uid-backup', controller: true },
      ],
    },
    status: {
      conditions: [
        { type: condition, status: 'True', reason: condition === 'Failed' ? 'BackoffLimitExceeded' : undefined },
      ],
    },
  });
  const failing = cluster((s) => {
    s.jobs.push(
      run('backup-1001', '2026-11-19T02:00:00Z', 'Complete'),
      run('backup-1002', '2026-11-20T02:00:00Z', 'Failed'),
    );
  });
  const findings = detect(jobFailure, failing);
  assert.deepEqual(named(findings), ['CronJob/shop/backup job-failure']);
  assert.ok(findings[0]?.affects.some((ref) => ref.kind === 'Job' && ref.name === 'backup-1002'));
  // Failed=True is the Job's state now, however long ago it turned so: the evidence is undated, never history.
  assert.ok(findings[0]?.evidence.every((e) => e.at === undefined));

  const recovered = cluster((s) => {
    s.jobs.push(
      run('backup-1002', '2026-11-19T02:00:00Z', 'Failed'),
      run('backup-1003', '2026-11-20T02:00:00Z', 'Complete'),
    );
  });
  assert.deepEqual(detect(jobFailure, recovered), []);
});

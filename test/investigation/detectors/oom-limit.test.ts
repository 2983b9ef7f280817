import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oomLimit } from '../../../src/investigation/detectors/oom-limit.ts';
import { app, cluster } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const oomKilled = (finishedAt: string) => ({
  restartCount: 6,
  ready: false,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: finishedAt, finishedAt } },
});

test('a recent OOM kill names the workload and proposes a higher memory limit', () => {
  const snapshot = cluster((s) =>
    app(s, 'store', { ready: false, containerStatus: oomKilled('2026-11-20T10:29:00Z') }),
  );
  const findings = detect(oomLimit, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/store oom-limit']);
  assert.match(findings[0]?.summary ?? '', /128Mi memory limit/);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'set-resources',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'store',
    container: 'main',
    limits: { memory: '256Mi' },
  });
});

test('healthy pods are no finding; a kill days ago is reported with its date, for the ranking to call history', () => {
  const snapshot = cluster((s) => {
    app(s, 'web');
    app(s, 'mailer', {
      containerStatus: {
        ...oomKilled('2026-11-18T10:30:00Z'),
        ready: true,
        state: { running: { startedAt: '2026-11-18T10:30:00Z' } },
      },
    });
  });
  const findings = detect(oomLimit, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/mailer oom-limit']);
  assert.ok(findings[0]?.evidence.every((e) => e.at === '2026-11-18T10:30:00Z'));
  assert.deepEqual(
    detect(
      oomLimit,
      cluster((s) => app(s, 'web')),
    ),
    [],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLeak } from '../../../src/investigation/detectors/memory-leak.ts';
import { oomLimit } from '../../../src/investigation/detectors/oom-limit.ts';
import { app, cluster, NS, podOf } from '../support/cluster.ts';
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

test('a container filled to its limit and killed every few minutes is oom-limit, and no memory leak', () => {
  const snapshot = cluster((s) => {
    app(s, 'agent', {
      ready: false,
      containerStatus: {
        ...oomKilled('2026-11-20T10:29:00Z'),
        restartCount: 13,
        lastState: {
          terminated: {
            exitCode: 137,
            reason: 'OOMKilled',
            startedAt: '2026-11-20T10:27:00Z',
            finishedAt: '2026-11-20T10:29:00Z',
          },
        },
      },
    });
    s.metrics.push({
      labels: {
        __name__: 'container_memory_working_set_bytes',
        namespace: NS,
        pod: podOf(s, 'agent').metadata?.name ?? '',
        container: 'main',
      },
      query: 'container_memory_working_set_bytes',
      values: [70, 90, 110, 127, 70, 90, 110, 127, 70, 90, 110, 127].map((m, i) => [1795168800 + i * 60, m * 2 ** 20]),
    });
  });
  assert.deepEqual(named(detect(oomLimit, snapshot)), ['Deployment/shop/agent oom-limit']);
  assert.deepEqual(detect(memoryLeak, snapshot), []);
});

test('a container told to use more memory than its limit is said so, and the proposed limit covers that setting', () => {
  const snapshot = cluster((s) =>
    app(s, 'store', {
      ready: false,
      containerStatus: oomKilled('2026-11-20T10:29:00Z'),
      container: { env: [{ name: 'JAVA_OPTS', value: '-Xmx400m' }] },
    }),
  );
  const [finding] = detect(oomLimit, snapshot);
  assert.match(finding?.summary ?? '', /below the 400Mi it is configured to use \(-Xmx400m\)/);
  assert.ok(finding?.evidence.some((e) => e.source === 'spec' && /-Xmx400m/.test(e.text)));
  assert.deepEqual(finding?.remediation?.action, {
    type: 'set-resources',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'store',
    container: 'main',
    limits: { memory: '500Mi' },
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { outsideEviction } from '../../../src/investigation/detectors/outside-eviction.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, NS, OLD, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';
import { replayScenarioFile } from '../support/replay.ts';

const EDITED = '2026-11-20T09:50:00Z';

/** A ConfigMap of the tooling namespace, last written at `changed`. */
const configMap = (s: ClusterSnapshot, name: string, changed: string): void => {
  s.configMaps.push({
    metadata: {
      name,
      namespace: 'tooling',
      creationTimestamp: OLD,
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: changed }],
    },
    data: { 'rules.yaml': 'maxAge: 15m\n' },
  });
};

/** `ledger` and `cache` pods evicted by `component`, twice each, from 10:00 on. */
function evicted(s: ClusterSnapshot, component: string, reason = 'Evicted'): void {
  app(s, 'ledger');
  app(s, 'cache');
  for (const [i, name] of ['ledger', 'cache', 'ledger', 'cache'].entries()) {
    event(
      s,
      // The evicted pod is gone; its name says its ReplicaSet (`<deployment>-<hash>-<suffix>`).
      { kind: 'Pod', name: `${podOf(s, name).metadata?.ownerReferences?.[0]?.name}-q${i}w9z` },
      reason,
      `pod evicted from node-a by ${component}`,
      `2026-11-20T10:0${i}:00Z`,
      'Normal',
    );
    const pushed = s.events.at(-1);
    if (pushed) pushed.source = { component };
  }
}

/** A CronJob of the tooling namespace running `image`, mounting ConfigMap `config`. */
function cronJob(s: ClusterSnapshot, name: string, image: string, config: string, changed = OLD): void {
  s.cronJobs.push({
    metadata: {
      name,
      namespace: 'tooling',
      creationTimestamp: OLD,
      managedFields: [{ manager: 'helm', operation: 'Update', time: changed }],
    },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'main', image, args: ['--rules=/etc/rules/rules.yaml'] }],
              volumes: [{ name: 'rules', configMap: { name: config } }],
            },
          },
        },
      },
    },
  });
}

test('pods evicted by an outside component: the configuration its workload mounts, changed just before, is the answer', () => {
  const snapshot = cluster((s) => {
    evicted(s, 'example.org/pod-reaper');
    cronJob(s, 'pod-reaper', 'registry.example.org/ops/pod-reaper:2.3', 'reaper-rules');
    configMap(s, 'reaper-rules', EDITED);
  });
  const findings = detect(outsideEviction, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/tooling/reaper-rules other']);
  assert.ok(findings[0]?.affects.some((a) => a.kind === 'Deployment' && a.namespace === NS && a.name === 'ledger'));
});

test('a Deployment running the evictor from an image of its name, whose own template changed, is the answer when its configuration did not', () => {
  const snapshot = cluster((s) => {
    evicted(s, 'rebalancer', 'Descheduled');
    s.deployments.push({
      metadata: {
        name: 'node-balance',
        namespace: 'tooling',
        creationTimestamp: OLD,
        managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: EDITED }],
      },
      spec: {
        selector: { matchLabels: { app: 'node-balance' } },
        template: {
          metadata: { labels: { app: 'node-balance' } },
          spec: {
            containers: [{ name: 'main', image: 'quay.example.io/infra/rebalancer:1.4', args: ['--max-age=10m'] }],
          },
        },
      },
    });
  });
  assert.deepEqual(named(detect(outsideEviction, snapshot)), ['Deployment/tooling/node-balance other']);
});

test("the kubelet's evictions, a single eviction, or an evictor whose configuration stood for weeks are not the answer", () => {
  const kubelet = cluster((s) => {
    evicted(s, 'kubelet');
    cronJob(s, 'kubelet', 'registry.example.org/kubelet:1', 'reaper-rules');
    configMap(s, 'reaper-rules', EDITED);
  });
  assert.deepEqual(detect(outsideEviction, kubelet), []);
  const standing = cluster((s) => {
    evicted(s, 'example.org/pod-reaper');
    cronJob(s, 'pod-reaper', 'registry.example.org/ops/pod-reaper:2.3', 'reaper-rules');
    configMap(s, 'reaper-rules', '2026-10-30T09:00:00Z');
  });
  assert.deepEqual(detect(outsideEviction, standing), []);
  const once = cluster((s) => {
    evicted(s, 'example.org/pod-reaper');
    s.events.splice(1);
    cronJob(s, 'pod-reaper', 'registry.example.org/ops/pod-reaper:2.3', 'reaper-rules');
    configMap(s, 'reaper-rules', EDITED);
  });
  assert.deepEqual(detect(outsideEviction, once), []);
});

// Fixture through the collector: the evictor's CronJob is found cluster-wide, then the ConfigMap it mounts, by name.
test('through the collector: the reaper policy edited before its evictions began', async () => {
  const { result, steps } = await replayScenarioFile(
    join(import.meta.dirname, '../../fixtures/scenarios/thornwick-reaper-policy-evicts-ledger.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'ops-tools', name: 'reaper-policy' });
  assert.equal(result.faultType, 'other');
  assert.ok(steps.some((step) => /CronJobs in every namespace/.test(step)));
});

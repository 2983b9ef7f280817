import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { PEER_HARD_LIMIT, ROUTING_READS_MAX } from '../../src/investigation/evidence/collect.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';

const DIR = join(import.meta.dirname, '../../../shared/scenarios');

// Request counts of whole investigations over the real client and the simulated servers: the budget is a median
// (issue 9: at most 25), so one incident may spend more — on peers in other namespaces up to the collector's hard
// limit, plus the routing layer's few reads — never much more; nothing is listed cluster-wide per pod.
test('investigations of the dev scenarios stay within the request budget', {
  skip: !existsSync(DIR) && `${DIR} is absent`,
}, async () => {
  const counts: number[] = [];
  for (const file of readdirSync(DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const scenario = await loadScenario(join(DIR, file));
    const simulation = await startSimulation(scenario);
    try {
      let snapshot: ClusterSnapshot | undefined;
      await investigate(scenario.alert, {
        kubeConfig: simulation.kubeConfig,
        prometheusUrl: simulation.prometheusUrl,
        audit: new MemoryAuditLog(),
        now: new Date(scenario.now),
        onEvidence: (collected) => {
          snapshot = collected;
        },
      });
      const requests = simulation.requests();
      counts.push(requests.length);
      // Issue 9: no request is sent twice in one investigation (what a list or a log answered is kept).
      const sent = requests.map((r) => `${r.server} ${r.method} ${r.path} ${JSON.stringify(r.query)}`);
      const repeated = sent.filter((request, index) => sent.indexOf(request) !== index);
      assert.deepEqual(repeated, [], `${file} repeated requests`);
      assert.ok(requests.length <= PEER_HARD_LIMIT + ROUTING_READS_MAX, `${file}: ${requests.length} requests`);
      // Locating an unnamed namespace may list the pods that are not running cluster-wide (the server filters them), and
      // an ingress controller's pods are found by their labels; never every pod.
      assert.ok(
        !requests.some(
          (request) =>
            request.path === '/api/v1/pods' && !request.query?.fieldSelector && !request.query?.labelSelector,
        ),
        `${file} listed pods cluster-wide`,
      );
      const secretValues = scenario.cluster.objects
        .filter((object) => object.kind === 'Secret')
        .flatMap((secret) => Object.values((secret as { data?: Record<string, string> }).data ?? {}));
      const text = JSON.stringify(snapshot);
      for (const value of secretValues)
        assert.ok(!text.includes(value), `${file}: a Secret value reached the snapshot`);
    } finally {
      await simulation.close();
    }
  }
  const sorted = [...counts].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  assert.ok(median <= 25, `median ${median} requests (${counts.join(', ')})`);
});

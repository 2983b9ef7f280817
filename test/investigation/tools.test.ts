import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import type { SecretShape } from '../../src/investigation/evidence/snapshot.ts';
import { eventsFor } from '../../src/investigation/tools/events-for.ts';
import { getObject } from '../../src/investigation/tools/get-object.ts';
import { investigationTools } from '../../src/investigation/tools/index.ts';
import type { ObjectOf } from '../../src/investigation/tools/kinds.ts';
import { listObjects } from '../../src/investigation/tools/list-objects.ts';
import { errorLines } from '../../src/investigation/tools/error-lines.ts';
import { podLogs } from '../../src/investigation/tools/pod-logs.ts';
import { prometheusQuery } from '../../src/investigation/tools/prometheus-query.ts';
import { rolloutHistory } from '../../src/investigation/tools/rollout-history.ts';
import type { ToolContext } from '../../src/investigation/tools/tool.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { NOW, NS, SECRET_VALUE, TOOL_SCENARIO } from './tool-scenario.ts';

let simulation: Simulation;
let audit: MemoryAuditLog;
let ctx: ToolContext;

before(async () => {
  simulation = await startSimulation(parseScenario(TOOL_SCENARIO, 'tool-scenario'));
});
after(async () => {
  await simulation.close();
});

function freshContext(reason = 'test'): ToolContext {
  audit = new MemoryAuditLog();
  ctx = {
    kubeConfig: simulation.kubeConfig,
    prometheusUrl: simulation.prometheusUrl,
    audit,
    incidentId: 'inc-1',
    now: new Date(NOW),
    reason,
  };
  return ctx;
}

describe('pod_logs', () => {
  it('returns only error-looking lines, newest kept, within the line cap, with their times', async () => {
    const result = await podLogs.run({ namespace: NS, pod: 'api-cccc3-x1y2z', container: 'app' }, freshContext());
    assert.equal(result.scanned, 181);
    assert.equal(result.matched, 60);
    assert.equal(result.lines.length, 40);
    assert.ok(result.lines.every((line) => /connection refused/.test(line)));
    assert.match(result.lines.at(-1) ?? '', /^2026-02-10T07:59:59Z .*\(59\)$/);
    assert.match(result.lines[0] ?? '', /\(20\)$/);
    // Where the part read begins, error or not: what "the errors began after X" can rest on.
    assert.match('readFrom' in result ? (result.readFrom ?? '') : '', /^2026-02-10T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('reads the previous instance, keeping its last lines whatever they say: why it died', async () => {
    const result = await podLogs.run(
      { namespace: NS, pod: 'api-cccc3-x1y2z', container: 'app', previous: true },
      freshContext(),
    );
    assert.deepEqual(
      result.lines.map((line) => line.replace(/^\S+ /, '')),
      ['starting', 'FATAL cannot connect to store:5432'],
    );
  });

  it('keeps the last words of a log only when asked, besides its error-looking lines', () => {
    const log = ['booting', 'error: cache cold', 'loaded', 'listening', '[emerg] unexpected "}" in app.conf:12'].join(
      '\n',
    );
    assert.deepEqual(errorLines(log).lines, ['error: cache cold']);
    // What the process itself logged at warning level, in whatever words (a fallback it took, a degraded answer).
    const warned = ['INFO ok', 'WARN features degraded, using static rules', '{"level":"warn","msg":"quote stale"}'];
    assert.deepEqual(errorLines(warned.join('\n')).lines, warned.slice(1));
    assert.deepEqual(errorLines(log, undefined, undefined, 2).lines, [
      'error: cache cold',
      'listening',
      '[emerg] unexpected "}" in app.conf:12',
    ]);
  });

  it("keeps a proxy's access line answered 5xx by the proxy itself as an error line, not a 2xx one", () => {
    const log = [
      '[2026-12-01T10:00:00Z] "POST /api/pay HTTP/1.1" 503 UH no_healthy_upstream 0 19 0 - "-" "curl" "x" "h" "-"',
      '[2026-12-01T10:00:01Z] "GET /img/a.png HTTP/2" 504 UT 0 24 15000 - "-" "curl" "y" "h" "10.0.0.1:8080"',
      '[2026-12-01T10:00:02Z] "GET /api/cart HTTP/1.1" 200 - 0 812 14 12 "-" "curl" "z" "h" "10.0.0.2:8080"',
    ].join('\n');
    assert.equal(errorLines(log).lines.length, 2);
  });

  it('keeps a toggle switched (`false -> true`) beside the errors: it dates what the process took', () => {
    const log = ['INFO flushed 40 docs', 'INFO flags: write_v2_alias false -> true', 'INFO state idle -> busy'];
    assert.deepEqual(errorLines(log.join('\n')).lines, ['INFO flags: write_v2_alias false -> true']);
  });
});

describe('Secrets', () => {
  it('are never listed for a whole namespace: their values would come along', async () => {
    await assert.rejects(listObjects.run({ kind: 'Secret', namespace: NS }, freshContext()), /Secrets are not listed/);
  });

  it('never carry values, only key names, through a read by name and get', async () => {
    const listed = await listObjects.run(
      { kind: 'Secret', namespace: NS, fieldSelector: 'metadata.name=db-creds' },
      freshContext(),
    );
    const read = await getObject.run({ kind: 'Secret', namespace: NS, name: 'db-creds' }, ctx);
    const encoded = Buffer.from(SECRET_VALUE).toString('base64');
    for (const answer of [listed, read]) {
      const text = JSON.stringify(answer);
      assert.ok(!text.includes(SECRET_VALUE));
      assert.ok(!text.includes(encoded));
      assert.ok(!text.includes('"data"'));
    }
    assert.deepEqual((listed.items[0] as SecretShape | undefined)?.keys, ['password', 'user']);
    assert.equal(listed.items[0]?.metadata?.annotations?.owner, 'platform');
    assert.ok(read.found);
  });
});

describe('rollout_history', () => {
  it('lists the revisions the Deployment controls, newest first, marking the current one', async () => {
    const result = await rolloutHistory.run({ namespace: NS, deployment: 'api' }, freshContext());
    assert.deepEqual(
      result.revisions.map((revision) => [revision.revision, revision.replicaSet, revision.current]),
      [
        [3, 'api-cccc3', true],
        [2, 'api-bbbb2', false],
        [1, 'api-aaaa1', false],
      ],
    );
    assert.deepEqual(result.revisions[0]?.images, ['registry.example/api:3']);
  });

  it('says when the Deployment does not exist', async () => {
    const result = await rolloutHistory.run({ namespace: NS, deployment: 'missing' }, freshContext());
    assert.equal(result.found, false);
  });
});

describe('objects as API JSON', () => {
  it('keeps JSON field names and RFC 3339 times', async () => {
    const policies = await listObjects.run({ kind: 'NetworkPolicy', namespace: NS }, freshContext());
    const rule = (policies.items[0] as ObjectOf<'NetworkPolicy'> | undefined)?.spec?.ingress?.[0];
    assert.deepEqual(rule?.from, [
      { podSelector: { matchLabels: { role: 'gateway' } } },
      { namespaceSelector: { matchLabels: { team: 'edge' } } },
    ]);
    assert.equal(policies.items[0]?.kind, 'NetworkPolicy');
    const replicaSets = await listObjects.run({ kind: 'ReplicaSet', namespace: NS }, ctx);
    const created = replicaSets.items[0]?.metadata?.creationTimestamp;
    assert.equal(typeof created, 'string');
    assert.ok(!Number.isNaN(Date.parse(created as string)));
  });

  it('answers found:false for a missing object', async () => {
    const answer = await getObject.run({ kind: 'ConfigMap', namespace: NS, name: 'nope' }, freshContext());
    assert.deepEqual(answer, { found: false });
  });

  it('narrows events to one object', async () => {
    const answer = await eventsFor.run({ kind: 'Pod', namespace: NS, name: 'api-cccc3-x1y2z' }, freshContext());
    assert.deepEqual(
      answer.items.map((event) => event.reason),
      ['BackOff'],
    );
  });

  it('refuses invalid arguments before any request', async () => {
    const before = simulation.requests().length;
    await assert.rejects(listObjects.run({ kind: 'Widget' as never }, freshContext()));
    assert.equal(simulation.requests().length, before);
  });
});

describe('audit', () => {
  it('records one event per call with the reason, the arguments, the result size and the time', async () => {
    const context = freshContext('why not');
    await listObjects.run({ kind: 'Pod', namespace: NS }, context);
    await getObject.run({ kind: 'Deployment', namespace: NS, name: 'api' }, context);
    await assert.rejects(prometheusQuery.run({ query: 'sum(' }, context));
    assert.deepEqual(
      audit.entries.map((entry) => [entry.actor, entry.action, entry.target, entry.justification, entry.incidentId]),
      [
        ['bot', 'tool.list_objects', `Pod/${NS}`, 'why not', 'inc-1'],
        ['bot', 'tool.get_object', `Deployment/${NS}/api`, 'why not', 'inc-1'],
        ['bot', 'tool.prometheus_query', 'sum(', 'why not', 'inc-1'],
      ],
    );
    const details = audit.entries[0]?.details ?? {};
    assert.deepEqual(details.args, { kind: 'Pod', namespace: NS });
    assert.equal(typeof details.resultBytes, 'number');
    assert.equal(typeof details.ms, 'number');
    assert.ok(typeof audit.entries[2]?.details?.error === 'string');
  });

  it('offers only read-only tools, each with a description and an argument schema', () => {
    assert.deepEqual(
      investigationTools.map((tool) => tool.name),
      ['list_objects', 'get_object', 'events_for', 'pod_logs', 'rollout_history', 'prometheus_query'],
    );
    for (const tool of investigationTools) assert.ok(tool.description.length > 20 && tool.args);
  });
});

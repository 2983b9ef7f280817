import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { againstSetting, namesSetting, settingsOf } from '../../src/investigation/evidence/limit-settings.ts';
import { pairSetIn } from '../../src/investigation/evidence/node-label-sources.ts';
import { nameLists } from '../../src/investigation/evidence/scoped-objects.ts';
import { definesStep, quotedSteps } from '../../src/investigation/evidence/warned-templates.ts';

const object = (spec: unknown, extra: Record<string, unknown> = {}): CustomObject =>
  ({
    apiVersion: 'example.io/v1',
    kind: 'Thing',
    metadata: { name: 'thing', namespace: 'ns' },
    spec,
    ...extra,
  }) as CustomObject;

test('a setting is found by walking the spec, config lines included, and named by its distinctive words', () => {
  const settings = settingsOf(
    object({
      server: { extraConfig: ['max-memory 96mb', 'eviction-policy none'] },
      quotas: { maxSize: '1.5Ti' },
      nodeSets: [{ config: { 'cluster.routing.allocation.disk.watermark.flood_stage': '70%' } }],
    }),
  );
  const byPath = new Map(settings.map((s) => [s.path, s]));
  const memory = byPath.get('spec.server.extraConfig.max-memory');
  const quota = byPath.get('spec.quotas.maxSize');
  const flood = byPath.get('spec.nodeSets[0].config.cluster.routing.allocation.disk.watermark.flood_stage');
  assert.deepEqual(memory?.words, ['memory']);
  assert.deepEqual(quota?.words, ['quota']);
  assert.deepEqual(flood?.words, ['flood', 'stage']);
  const line = 'write refused: used memory 191.7MB over max-memory (96mb)';
  assert.ok(memory && namesSetting(memory, line));
  assert.equal(memory && againstSetting(memory, line), 'quotes');
  assert.ok(quota && namesSetting(quota, "pool 'replicapool' is full (reached quota's max_bytes: 1.5 TiB)"));
  assert.equal(quota && againstSetting(quota, "reached quota's max_bytes: 1.5 TiB"), 'quotes');
  assert.ok(flood && namesSetting(flood, 'flood stage disk watermark [70%] exceeded on node-0'));
  assert.equal(flood && againstSetting(flood, 'disk usage 74.1% above the flood-stage watermark'), 'exceeds');
});

test('a node label is found wherever a spec sets it as a plain entry', () => {
  const found = pairSetIn(object({ target: { matchLabels: { 'topology.example.io/rack': 'r9' } } }), [
    { key: 'topology.example.io/rack', value: 'r9' },
  ]);
  assert.equal(found?.path, 'spec.target.matchLabels.topology.example.io/rack');
  assert.equal(pairSetIn(object({ nodeLabels: { rack: 'r3' } }), [{ key: 'rack', value: 'r9' }]), undefined);
});

test('lists of names outside the spec count (a top-level scopes), metadata and status do not', () => {
  const lists = nameLists(object({ backend: 'pg' }, { scopes: ['writer-v2', 'reader'], status: { seen: ['x'] } }));
  assert.deepEqual(lists, [{ path: 'scopes', names: ['writer-v2', 'reader'] }]);
});

test('a quoted step that errored is told from one that failed its check', () => {
  const event = (message: string) =>
    ({
      type: 'Warning',
      message,
      involvedObject: { apiVersion: 'deliver.example.io/v1', kind: 'Release', name: 'api', namespace: 'ns' },
    }) as never;
  const [errored] = quotedSteps([event('check "p95-latency" assessed Error after 3 consecutive errors')]);
  const [failed] = quotedSteps([event('check "p95-latency" assessed Failed: 0.91 < 0.99')]);
  assert.equal(errored?.errored, true);
  assert.deepEqual(errored?.quoted, ['p95-latency']);
  assert.equal(failed?.errored, false);
  assert.ok(definesStep(object({ checks: [{ name: 'p95-latency', query: 'q' }] }), 'p95-latency'));
});

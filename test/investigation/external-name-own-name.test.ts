import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A caller that dials an ExternalName Service by its cluster name reports that name as not found, never the alias:
// cluster DNS answered it with the alias, which does not resolve. The alias is named with the caller's error.
test('an ExternalName Service is blamed when its own cluster name does not resolve for its callers', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/ferry-external-name-own-name-nxdomain.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'ferry', name: 'paygate' });
  assert.equal(result.faultType, 'other');
  assert.ok(result.confidence >= 0.8, `confidence ${result.confidence}`);
  const evidence = result.hypotheses[0]?.evidence.map((e) => e.text).join('\n') ?? '';
  assert.match(evidence, /an alias of api\.paygate-sandbox\.example\.net/);
  assert.match(evidence, /ENOTFOUND paygate\.ferry\.svc\.cluster\.local/);
});

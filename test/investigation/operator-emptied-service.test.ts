import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

describe("a Service left without pods by the operator's resource that makes its siblings", () => {
  it('blames the resource that owns the sibling pods directly, changed shortly before, not the unchanged selector', async () => {
    const { result } = await replayScenarioFile(fixture('kelpmoor-tables-roomset-patched-to-no-tables'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'RoomSet', namespace: 'tables', name: 'poker' }),
    );
    assert.equal(result.faultType, 'other');
  });

  it('follows the owner chain through the StatefulSet the operator generates', async () => {
    const { result } = await replayScenarioFile(fixture('lyndale-catalog-search-cluster-lost-data-node-set'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'SearchCluster', namespace: 'catalog', name: 'catalog' }),
    );
  });

  it('keeps a selector edited shortly before as the fault, beside an unchanged resource', async () => {
    const { result } = await replayScenarioFile(fixture('kelpmoor-tables-service-selector-typo-beside-roomset'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'Service', namespace: 'tables', name: 'poker-tables' }),
    );
    assert.equal(result.faultType, 'service-selector');
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'RoomSet'));
  });
});

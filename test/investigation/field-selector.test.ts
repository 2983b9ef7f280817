import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldSelectorTest } from '../../src/investigation/evidence/field-selector.ts';

test('a field selector narrows objects read as the API server narrows a list', () => {
  const warnings = fieldSelectorTest('type=Warning');
  assert.ok(warnings);
  assert.equal(warnings({ type: 'Warning' }), true);
  assert.equal(warnings({ type: 'Normal' }), false);
  assert.equal(warnings({}), false);
  const notRunning = fieldSelectorTest('status.phase!=Running,status.phase!=Succeeded');
  assert.ok(notRunning);
  assert.equal(notRunning({ status: { phase: 'Pending' } }), true);
  assert.equal(notRunning({ status: { phase: 'Running' } }), false);
  // An absent field compares as '': it is not Running.
  assert.equal(notRunning({}), true);
  const nodes = fieldSelectorTest('involvedObject.kind==Node');
  assert.equal(nodes?.({ involvedObject: { kind: 'Node' } }), true);
});

test('a field selector beyond a plain reading is left to the server', () => {
  assert.equal(fieldSelectorTest('metadata.name=a\\,b'), undefined);
  assert.equal(fieldSelectorTest('source=kubelet'), undefined);
  assert.equal(fieldSelectorTest('garbage'), undefined);
});

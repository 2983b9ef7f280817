import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_ACTION_STYLE, AUDIT_ACTIONS } from '../../src/audit/actions.ts';

test('every audit action is spelled one way and listed once', () => {
  const misspelled = AUDIT_ACTIONS.filter((action) => !AUDIT_ACTION_STYLE.test(action));
  assert.deepEqual(misspelled, []);
  assert.equal(new Set(AUDIT_ACTIONS).size, AUDIT_ACTIONS.length);
});

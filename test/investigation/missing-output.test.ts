import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { saysOutputMissing } from '../../src/investigation/evidence/missing-output.ts';

const says = (text: string) => saysOutputMissing(AlertSchema.parse({ source: 'slack', title: 'help', text }));

test('data that does not show up where it is read is output missing', () => {
  assert.ok(says("orders placed since noon don't show up in the dashboard"));
  assert.ok(says('new listings are not appearing in search'));
  assert.ok(!says('search answers 500 since noon'));
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { answerOf } from './support/answer.ts';

// A Service port mismatch read from specs is the new symptom's cause only when the control plane agrees and it is new:
// Endpoints listing ready addresses under a named port say the name resolved, and a Service and pods unchanged for
// days (nothing refused) say the mismatch has stood through days the symptom did not. Invented scenarios, replayed
// through the simulated API server.
const DIR = join(import.meta.dirname, '../fixtures/standing');

const servicePortNamed = (got: Awaited<ReturnType<typeof answerOf>>) =>
  got.hypotheses.filter((h) => h.faultType === 'service-port').map((h) => refKey(h.entity));

test('on the symptom path, a named targetPort the Endpoints resolve gives way to the erring callee', async () => {
  const got = await answerOf(join(DIR, 'wickfold-prices-erring-named-port-resolved.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, got.expectedType);
  assert.deepEqual(servicePortNamed(got), []);
});

test('a called Service whose port mismatch has stood for weeks gives way to the caller erring since the onset', async () => {
  const got = await answerOf(join(DIR, 'pennyreach-orders-erring-standing-pool-port.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, got.expectedType);
  assert.deepEqual(servicePortNamed(got), []);
});

test('a port name a rollout just changed, which the Endpoints do not resolve, is still the service-port fault', async () => {
  const got = await answerOf(join(DIR, 'mossbarrow-quotes-port-renamed-by-rollout.yaml'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, 'service-port');
});

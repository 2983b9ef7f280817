import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { looksLikeError } from '../../src/investigation/evidence/log-line.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

// A runtime reports a refused or reset connection by its errno name, with no word `error`: still an error line, so
// the callee it names is read — here a crash-looping callee in another namespace whose edited ConfigMap it quotes.
test('a caller that logs only `connect ECONNREFUSED` leads to the crash-looping callee and its changed ConfigMap', async () => {
  const { result } = await replayScenarioFile(fixture('tinselworks-errno-callers-reach-crashing-callee-config'));
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'tinsel-api', name: 'quote-builder-settings' });
  assert.equal(result.faultType, 'crashloop-bad-config');
});

describe('looksLikeError', () => {
  it('holds connection failures worded by errno names', () => {
    for (const line of [
      'GET /basket -> 503 upstream quotes: connect ECONNREFUSED 10.0.3.4:8080',
      'socket closed: read ECONNRESET',
      'fetch https://rates.internal/v1 ETIMEDOUT',
      'connect EHOSTUNREACH 10.0.9.9:5432',
    ])
      assert.ok(looksLikeError(line), line);
  });
  it('leaves lines that only describe connections', () => {
    for (const line of ['pool: 3 idle connections, 5 busy', 'connected to 10.0.3.4:8080 in 3ms'])
      assert.ok(!looksLikeError(line), line);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowlyAnsweringPeers } from '../../src/investigation/evidence/slow-callee.ts';
import { app, cluster, logs } from './support/cluster.ts';

const calling = (line: string) =>
  cluster((s) => {
    app(s, 'catalog', {
      env: [
        { name: 'SEARCH_URL', value: 'http://search-query.finder.svc.cluster.local:9200' },
        { name: 'AUTH_URL', value: 'http://authz.identity.svc.cluster.local:8080' },
      ],
    });
    logs(s, 'catalog', ['2026-11-20T10:00:00Z INFO GET /catalog 200 120ms', line]);
  });

test("a caller's warning that an answer took seconds names the namespace it calls, by the Service's first word", () => {
  const named = calling('2026-11-20T10:20:00Z WARN GET /catalog 200 2810ms (search 2750ms)');
  assert.deepEqual(slowlyAnsweringPeers(named, 'shop', []), ['finder']);
  const json = calling('2026-11-20T10:20:00Z {"level":"warn","msg":"lookup took 2.6s","upstream":"search-query"}');
  assert.deepEqual(slowlyAnsweringPeers(json, 'shop', []), ['finder']);
});

test('fast answers, and slow ones naming nothing called, lead nowhere', () => {
  assert.deepEqual(
    slowlyAnsweringPeers(calling('2026-11-20T10:20:00Z WARN GET /catalog 200 480ms (search 450ms)'), 'shop', []),
    [],
  );
  assert.deepEqual(slowlyAnsweringPeers(calling('2026-11-20T10:20:00Z WARN GC pause 2400ms'), 'shop', []), []);
});

// A client with a deadline logs the call that did not answer in time, not how long it took: the callee it names is as
// much the one the time goes to.
test("a caller's error that a call to a Service it calls timed out names that Service's namespace", () => {
  const timedOut = calling('2026-11-20T10:20:00Z warn: Search lookup timed out after 250ms -> fallback empty result');
  assert.deepEqual(slowlyAnsweringPeers(timedOut, 'shop', []), ['finder']);
  assert.deepEqual(
    slowlyAnsweringPeers(calling('2026-11-20T10:20:00Z error: Cache lookup timed out after 250ms'), 'shop', []),
    [],
  );
  // A connection that never opened reached no server to answer slowly: dropped packets, not a slow callee.
  const dropped = calling('2026-11-20T10:20:00Z error: search: Connection timeout to search-query after 2000ms');
  assert.deepEqual(slowlyAnsweringPeers(dropped, 'shop', []), []);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A running, ready container resolved its Secret references when it started: its Secrets are read only when it is
// suspected — on the symptom's path, pointed at by the alert, or (after the logs) logging errors. The connection URL in
// the Secret of the symptom's callee leads to the dependency's namespace.
test("Secrets are read for the pods on the symptom's path, not for healthy bystanders", async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/wren-secrets-of-bystanders-unread.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'StatefulSet', namespace: 'rates-data', name: 'rates-db' });
  assert.equal(result.faultType, 'dependency-down');
  const secrets = requests.filter((r) => r.path.endsWith('/secrets'));
  const byName = secrets.flatMap((r) => (r.query?.fieldSelector ? [r.query.fieldSelector] : []));
  assert.deepEqual(byName.sort(), ['metadata.name=applications-db', 'metadata.name=scoring-db']);
  // Besides them, at most one list of the namespace's Secrets' metadata (when each was written: no value).
  assert.ok(secrets.length - byName.length <= 1);
});

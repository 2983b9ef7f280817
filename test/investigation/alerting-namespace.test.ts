import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { namespaceLabel } from '../../src/investigation/focus.ts';
import { replayScenarioFile } from './support/replay.ts';

describe('namespaceLabel', () => {
  const alert = (labels: Record<string, string>) => AlertSchema.parse({ source: 'alertmanager', title: 'x', labels });
  it("is none when the namespace is the alerting stack's own, stamped on the rule's alert", () => {
    assert.equal(namespaceLabel(alert({ namespace: 'watch', prometheus: 'watch/main' })), undefined);
    assert.equal(namespaceLabel(alert({ namespace: 'tarn', prometheus: 'watch/main' })), 'tarn');
    assert.equal(namespaceLabel(alert({ namespace: 'tarn' })), 'tarn');
  });
});

// The rule lost its namespace; the alert carries the alerting stack's: it is located by its words, not examined there.
test("an alert stamped with the alerting stack's namespace is located by what it names", async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/pixel-alert-stamped-with-alerting-namespace.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'pixel-render', name: 'thumbnailer' });
  assert.ok(!requests.some((request) => request.path.includes('/namespaces/observability/')));
});

describe('namespaceLabel of a request metric reported by a proxy', () => {
  const alert = (labels: Record<string, string>) => AlertSchema.parse({ source: 'alertmanager', title: 'x', labels });
  it("is the destination's namespace, not the reporting gateway's", () => {
    assert.equal(namespaceLabel(alert({ namespace: 'mesh-gw', destination_service_namespace: 'till' })), 'till');
    assert.equal(namespaceLabel(alert({ namespace: 'mesh-gw', destination_workload_namespace: 'till' })), 'till');
    assert.equal(namespaceLabel(alert({ namespace: 'mesh-gw' })), 'mesh-gw');
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import type { Focus } from '../../src/investigation/focus.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { app, cluster, deploymentRef, logs, NS, OLD } from './support/cluster.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// A callee answering 404 to a path it never had is doing its job: the caller that rolled out just before and now
// sends such requests is the fault, even when the callee had a release of its own shortly before.
test('a caller rolled out just before the onset outranks its callee answering 404 (and the Ingress root routes the host)', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'quill-web-rollout-callee-404.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'quill', name: 'web' });
  assert.equal(result.faultType, 'bad-rollout');
  assert.match(result.summary, /revision 3 .*web:8\.0\.0/);
  assert.ok(result.hypotheses.slice(1).some((h) => h.entity.name === 'notes-api'));
  assert.deepEqual(result.remediation?.action, {
    type: 'rollout-undo',
    namespace: 'quill',
    name: 'web',
    toRevision: 2,
  });
});

const START = '2026-11-20T10:20:00Z';
const focusOn = (name: string): Focus => ({
  namespace: NS,
  symptom: { kind: 'Service', namespace: NS, name },
  startedAt: START,
  alertText: 'HighErrorRate',
  assumptions: [],
});

/** storefront (revision 2 rolled out at `rolledAt`, revision 1 before it) calls catalog. */
const storefront = (rolledAt: string, catalogLines: string[]) =>
  cluster((s) => {
    app(s, 'catalog');
    app(s, 'storefront', {
      env: [{ name: 'CATALOG_URL', value: 'http://catalog:8080' }],
      revision: 2,
      changedAt: rolledAt,
      image: 'registry.example/storefront:2.0',
    });
    olderRevision(s, 'storefront', 'registry.example/storefront:1.9');
    logs(s, 'catalog', catalogLines);
  });

function olderRevision(s: ClusterSnapshot, name: string, image: string) {
  const current = s.replicaSets.find((rs) => rs.metadata?.ownerReferences?.[0]?.name === name);
  const copy = structuredClone(current) as ClusterSnapshot['replicaSets'][number];
  copy.metadata = {
    ...copy.metadata,
    name: `${name}-old00001`,
    creationTimestamp: OLD,
    annotations: { 'deployment.kubernetes.io/revision': '1' },
  };
  const container = copy.spec?.template?.spec?.containers[0];
  if (container) container.image = image;
  s.replicaSets.push(copy);
}

test('a silent caller whose callee refuses its requests since its rollout is the suspect the refusals fit', () => {
  const refusals = [
    '2026-11-20T10:19:00Z 10.1.0.7 - - "GET /v2/items/91 HTTP/1.1" 404 19',
    '2026-11-20T10:21:00Z 10.1.0.7 - - "GET /v2/items/12 HTTP/1.1" 404 19',
  ];
  const d = diagnose(storefront('2026-11-20T10:16:00Z', refusals), focusOn('storefront'), {});
  assert.deepEqual(d.rootCause, deploymentRef('storefront'));
  assert.equal(d.faultType, 'bad-rollout');
  assert.match(d.summary, /rolled out revision 2/);
  assert.ok(d.hypotheses[0]?.evidence.some((e) => /" 404 19/.test(e.text)));
  // The 404 answers are no errors of catalog's own: it is not named.
  assert.ok(!d.hypotheses.some((h) => h.entity.name === 'catalog'));

  // The same refusals, already there before the rollout, do not fit it: only a weaker "changed shortly before".
  const before = diagnose(
    storefront(
      '2026-11-20T10:16:00Z',
      refusals.map((l) => l.replace('10:19', '09:59').replace('10:21', '10:01')),
    ),
    focusOn('storefront'),
    {},
  );
  assert.ok(before.confidence < d.confidence, `${before.confidence} < ${d.confidence}`);
});

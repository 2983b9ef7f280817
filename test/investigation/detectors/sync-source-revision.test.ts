import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syncSourceRevision } from '../../../src/investigation/detectors/sync-source-revision.ts';
import { symptomOnset } from '../../../src/investigation/evidence/onset.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { syncSourceLists } from '../../../src/investigation/evidence/sync-sources.ts';
import { app, cluster, OLD } from '../support/cluster.ts';
import { named } from '../support/detect.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';

// Made-up delivery tool `shipit.test`: a Channel object follows a git source; it marks what it applies
// `shipit.test/applied-by: channel_<name>`.
const PINNED = '2026-11-20T10:05:00Z';
const APPLIED = '2026-11-20T10:06:00Z';
const STARTS = '2026-11-20T10:10:00Z';

function delivered(s: ClusterSnapshot, edit: Record<string, unknown>): void {
  app(s, 'viewer', { changedAt: APPLIED, revision: 4 });
  const deployment = s.deployments[0];
  if (deployment?.metadata)
    deployment.metadata.annotations = {
      ...deployment.metadata.annotations,
      'shipit.test/applied-by': 'channel_prod-line',
    };
  s.apiGroups.push({
    group: 'shipit.test',
    version: 'v1',
    resources: [
      { kind: 'Target', plural: 'targets', namespaced: true, version: 'v1' },
      { kind: 'Channel', plural: 'channels', namespaced: true, version: 'v1' },
    ],
  });
  s.customObjects.push({
    apiVersion: 'shipit.test/v1',
    kind: 'Channel',
    metadata: {
      name: 'prod-line',
      namespace: 'shipit',
      creationTimestamp: OLD,
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: PINNED, fieldsV1: edit }],
    },
    spec: { source: { repo: 'https://git.example/ops.git', revision: 'v1.2.0' } },
  });
}

const detectWith = (snapshot: ClusterSnapshot) =>
  syncSourceRevision.detect(snapshot, buildGraph(snapshot), { startsAt: STARTS } as never);

test("a workload changed shortly before lists the kinds of the tool whose mark it carries, the mark's kind first", () => {
  const snapshot = cluster((s) => delivered(s, {}));
  const lists = syncSourceLists(snapshot, symptomOnset(snapshot, STARTS));
  assert.deepEqual(
    lists.map((w) => w.resource.kind),
    ['Channel', 'Target'],
  );
});

test('the sync object whose source revision was edited just before the workload changed is the finding', () => {
  const pinned = cluster((s) => delivered(s, { 'f:spec': { 'f:source': { 'f:revision': {} } } }));
  const findings = detectWith(pinned);
  assert.deepEqual(named(findings), ['Channel/shipit/prod-line other']);
  assert.ok(findings[0]?.affects.some((ref) => ref.kind === 'Deployment' && ref.name === 'viewer'));
  // An edit of something else (values, an interval) leaves the workload's own setting the fault.
  const values = cluster((s) => delivered(s, { 'f:spec': { 'f:interval': {} } }));
  assert.deepEqual(detectWith(values), []);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

describe('a volume that fails to mount is made from the object its CSI attributes name', () => {
  it('blames the object changed before the mounts failed, surer when the mount error quotes what it sets', async () => {
    const { result, requests } = await replayScenarioFile(fixture('fernhollow-reports-bucket-profile-key-refused'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'BucketProfile', namespace: 'reports', name: 'reports-archive' }),
    );
    assert.equal(result.faultType, 'other');
    // The kind is found by the attribute's key through discovery and listed once, where the pods run.
    assert.deepEqual(
      requests.filter((r) => r.path.includes('storage.fernhollow.dev/')).map((r) => r.path),
      ['/apis/storage.fernhollow.dev/v1/namespaces/reports/bucketprofiles'],
    );
    assert.ok((result.confidence ?? 0) >= 0.8);
  });

  it('blames it less surely when the error quotes nothing of it', async () => {
    const { result } = await replayScenarioFile(fixture('quillbrook-search-mount-profile-staging-timeout'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'MountProfile', namespace: 'search', name: 'scratch-fast' }),
    );
    assert.ok((result.confidence ?? 1) < 0.8);
  });

  it('does not blame a changed object when another volume is the one that fails to mount', async () => {
    const { result } = await replayScenarioFile(
      fixture('fernhollow-reports-settings-configmap-gone-beside-edited-profile'),
    );
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'Deployment', namespace: 'reports', name: 'report-api' }),
    );
    assert.equal(result.faultType, 'missing-configmap');
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'BucketProfile'));
  });
});

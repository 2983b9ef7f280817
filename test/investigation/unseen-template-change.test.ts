import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicaSet } from '../../src/investigation/evidence/revisions.ts';
import { unseenTemplateWrite } from '../../src/investigation/evidence/unseen-template-change.ts';

const CREATED = '2026-11-20T10:05:00Z';
const container = { name: 'app', image: 'registry.example/app:1.0', env: [{ name: 'MODE', value: 'live' }] };
const revision = (name: string, created: string, annotations?: Record<string, string>): ReplicaSet =>
  ({
    metadata: { name, namespace: 'shop', creationTimestamp: created },
    spec: { template: { metadata: { annotations }, spec: { containers: [container] } } },
  }) as ReplicaSet;
const previous = revision('app-1', '2026-11-01T00:00:00Z');
const current = revision('app-2', CREATED);
const written = (manager: string, time: string, subresource?: string) => ({
  managedFields: [
    { manager: 'helm', operation: 'Update', time: '2026-11-01T00:00:00Z', fieldsV1: {} },
    { manager, operation: 'Update', time, fieldsV1: {}, ...(subresource ? { subresource } : {}) },
  ],
});

describe('unseenTemplateWrite', () => {
  it('names the write that made a new revision the revisions kept no longer tell apart', () => {
    assert.deepEqual(unseenTemplateWrite(written('kubectl-edit', '2026-11-20T10:04:30Z'), previous, current), {
      manager: 'kubectl-edit',
      at: '2026-11-20T10:04:30Z',
    });
  });

  it('is not a change when only controllers or status wrote at that time, or no one did', () => {
    assert.equal(unseenTemplateWrite(written('kube-controller-manager', CREATED), previous, current), undefined);
    assert.equal(unseenTemplateWrite(written('kubectl-edit', CREATED, 'status'), previous, current), undefined);
    assert.equal(unseenTemplateWrite(written('kubectl-edit', '2026-11-20T09:30:00Z'), previous, current), undefined);
  });

  it('is not a change when the new revision is a restart (the restartedAt annotation moved)', () => {
    const restarted = revision('app-2', CREATED, { 'kubectl.kubernetes.io/restartedAt': CREATED });
    assert.equal(unseenTemplateWrite(written('kubectl-rollout', CREATED), previous, restarted), undefined);
  });
});

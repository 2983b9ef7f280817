import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsChangedAt } from '../../src/investigation/evidence/changed-fields.ts';
import { faultOfChange } from '../../src/investigation/ranking/suspects.ts';

const AT = '2026-11-20T10:05:00Z';
const metadata = {
  managedFields: [
    {
      manager: 'helm',
      operation: 'Update',
      time: '2026-10-01T00:00:00Z',
      fieldsV1: { 'f:spec': { 'f:selector': {} } },
    },
    { manager: 'helm', operation: 'Update', time: AT, fieldsV1: { 'f:spec': { 'f:ports': {} }, 'f:metadata': {} } },
    { manager: 'kube-controller', operation: 'Update', time: AT, subresource: 'status', fieldsV1: { 'f:status': {} } },
  ],
};

describe('fieldsChangedAt', () => {
  it('lists the fields the change at that time wrote, two levels deep, not its status nor earlier changes', () => {
    assert.deepEqual(fieldsChangedAt(metadata, AT), ['spec.ports', 'metadata']);
    assert.deepEqual(fieldsChangedAt(metadata, '2026-11-20T10:06:00Z'), []);
    assert.deepEqual(fieldsChangedAt(undefined, AT), []);
  });
});

describe('faultOfChange', () => {
  it('names a Service change by the field it wrote, and only when it wrote one of them', () => {
    assert.equal(faultOfChange('Service', ['spec.ports']), 'service-port');
    assert.equal(faultOfChange('Service', ['spec.selector']), 'service-selector');
    assert.equal(faultOfChange('Service', ['spec.ports', 'spec.selector']), 'other');
    assert.equal(faultOfChange('Service', []), 'other');
    assert.equal(faultOfChange('NetworkPolicy', []), 'network-policy');
  });
});

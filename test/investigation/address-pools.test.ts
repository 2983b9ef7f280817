import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  addressesIn,
  addressPools,
  inRanges,
  rangesIn,
  reporterKinds,
  unallocated,
} from '../../src/investigation/evidence/address-pools.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

// Made-up cluster: a LoadBalancer Service `edge` in `depot`, whose allocator `lbkeeper-controller` reports a failure.
const custom = (apiVersion: string, kind: string, name: string, spec: unknown): CustomObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'depot' },
  spec,
});

test('address ranges as CIDRs and start-end ranges, and whether an address lies in them', () => {
  const ranges = rangesIn({ addresses: ['192.0.2.64/27', '198.51.100.10 - 198.51.100.20'], note: 'not-an-address' });
  assert.equal(ranges.length, 2);
  assert.equal(inRanges('192.0.2.70', ranges), true);
  assert.equal(inRanges('192.0.2.40', ranges), false);
  assert.equal(inRanges('198.51.100.20', ranges), true);
  assert.deepEqual(addressesIn('cannot allocate ["192.0.2.40"] for x/y (10.0.0.999 is no address)'), ['192.0.2.40']);
});

test("the allocator's pools: the group spelled with the reporting component's word, its kinds holding addresses first", () => {
  const snapshot = emptySnapshot('2026-05-01T10:00:00Z');
  const warning = {
    metadata: { name: 'edge.1', namespace: 'depot' },
    type: 'Warning',
    reason: 'AllocationFailed',
    reportingComponent: 'lbkeeper-controller',
    involvedObject: { kind: 'Service', name: 'edge', namespace: 'depot' },
  };
  const served = [
    {
      group: 'lbkeeper.test',
      version: 'v1',
      resources: [
        { kind: 'Announcement', plural: 'announcements', namespaced: true, version: 'v1' },
        { kind: 'AddressPool', plural: 'addresspools', namespaced: true, version: 'v1' },
      ],
    },
    {
      group: 'other.test',
      version: 'v1',
      resources: [{ kind: 'Pool', plural: 'pools', namespaced: true, version: 'v1' }],
    },
  ];
  assert.deepEqual(
    reporterKinds(served, [warning]).map((k) => k.kind),
    ['AddressPool', 'Announcement'],
  );
  const pool = { ...custom('lbkeeper.test/v1', 'AddressPool', 'public', { addresses: ['192.0.2.0/28'] }) };
  const announcement = custom('lbkeeper.test/v1', 'Announcement', 'l2', { pools: ['public'] });
  snapshot.customObjects.push(pool, announcement);
  assert.deepEqual(addressPools(snapshot, [warning]), [pool]);
  assert.equal(unallocated({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }), true);
  assert.equal(
    unallocated({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }),
    false,
  );
});

test("a Service recreated just before is no answer to its allocator's refusal: the pool it allocates from is read", async () => {
  // The Service's own change is found first; the allocator warns that it has no address to give, which no change of
  // the Service explains: the pools are read although a suspect was found, and the narrowed range is the answer.
  const { result, steps } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/harrowgate-range-shrunk-recreated-service-gets-no-address.json'),
  );
  assert.equal(result.rootCause && refKey(result.rootCause), refKey({ kind: 'IPRange', name: 'edge-range' }));
  assert.ok(steps.some((step) => /LoadBalancer Service is refused an address/.test(step)));
});

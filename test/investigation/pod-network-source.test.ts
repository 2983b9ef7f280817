import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

describe("pods whose sandbox the network plugin cannot set up get their network from the plugin's resource that selects them", () => {
  it('blames a cluster-scoped resource selecting them by pod and namespace selectors, changed before the failures', async () => {
    const { result } = await replayScenarioFile(fixture('ashpoint-pay-address-plan-shrunk'));
    assert.equal(result.rootCause && refKey(result.rootCause), refKey({ kind: 'AddressPlan', name: 'payments' }));
    assert.equal(result.faultType, 'other');
  });

  it('takes a namespaced resource with a bare pod selector to select pods of its own namespace only', async () => {
    const { result } = await replayScenarioFile(fixture('ashpoint-pay-subnet-claim-stale-security-group'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'SubnetClaim', namespace: 'pay', name: 'pay-api-net' }),
    );
    assert.ok(!result.hypotheses.some((h) => h.entity.namespace === 'ledger'));
  });

  it('blames no resource that changed but selects other pods, beside one that selects them unchanged', async () => {
    const { result } = await replayScenarioFile(fixture('ashpoint-pay-sandbox-fails-beside-edited-foreign-plan'));
    assert.equal(
      result.rootCause && refKey(result.rootCause),
      refKey({ kind: 'Deployment', namespace: 'pay', name: 'pay-api' }),
    );
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'AddressPlan'));
  });
});

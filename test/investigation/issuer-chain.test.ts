import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { answerOf } from './support/answer.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);
const rootOf = async (name: string) => {
  const got = await answerOf(fixture(name));
  return { root: got.answer, result: got };
};

describe("a certificate's issuer, changed between its last issuance and its failing renewals", () => {
  it('blames the namespaced Issuer when a probe rejects the expired certificate', async () => {
    const { root, result } = await rootOf('corvale-issuer-solver-edit-stops-renewals');
    assert.equal(root, refKey({ kind: 'Issuer', namespace: 'corv-web', name: 'shop-acme' }));
    assert.ok(result.hypotheses[0]?.evidence.some((e) => /zone not found/.test(e.text)));
  });

  it('blames the ClusterIssuer when a person reports the certificate warning', async () => {
    const { root } = await rootOf('gildcrest-clusterissuer-edited-before-renewal');
    assert.equal(root, refKey({ kind: 'ClusterIssuer', name: 'public-acme' }));
  });

  it('names the Certificate, not the issuer, when the issuer is unchanged since the last issuance', async () => {
    const { root } = await rootOf('gildcrest-certificate-expired-issuer-unchanged');
    assert.equal(root, refKey({ kind: 'Certificate', namespace: 'gild-portal', name: 'portal-gildcrest-app' }));
  });
});

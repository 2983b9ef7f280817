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

describe('a route claiming the host the alert names is on its path, wherever it lives', () => {
  it('blames a route made shortly before in another namespace that claims a host other routes served', async () => {
    const { root, result } = await rootOf('tarnlight-labs-route-claims-docs-host');
    assert.equal(root, refKey({ kind: 'SiteRoute', namespace: 'tarn-labs', name: 'labs-preview' }));
    assert.equal(result.faultType, 'other');
  });

  it('blames a route edited onto the host, which its router reports in conflict, above the standing route', async () => {
    const { root, result } = await rootOf('orchidway-promo-mapping-edited-onto-shop-host');
    assert.equal(root, refKey({ kind: 'HostMapping', namespace: 'orch-promo', name: 'promo' }));
    assert.ok(!result.hypotheses.some((h) => h.entity.name === 'cart' && h.entity.kind === 'HostMapping'));
  });

  it('does not blame a new route that claims a host of its own', async () => {
    const { root, result } = await rootOf('tarnlight-labs-route-own-host-docs-fine');
    assert.equal(root, refKey({ kind: 'Service', namespace: 'tarn-docs', name: 'docs-web' }));
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'SiteRoute'));
  });
});

describe('a claim is fresh or standing by the onset, not by when the evidence is read', () => {
  it('blames a route made minutes before an onset four hours before the snapshot', async () => {
    const { root } = await rootOf('tarnlight-labs-route-claims-docs-host-hours-later');
    assert.equal(root, refKey({ kind: 'SiteRoute', namespace: 'tarn-labs', name: 'labs-preview' }));
  });

  it('blames a route edited onto the host minutes before an onset hours before the snapshot', async () => {
    const { root } = await rootOf('orchidway-promo-mapping-edited-onto-shop-host-hours-later');
    assert.equal(root, refKey({ kind: 'HostMapping', namespace: 'orch-promo', name: 'promo' }));
  });

  it('does not blame a claim of the host that stood for hours before the onset', async () => {
    const { root, result } = await rootOf('tarnlight-labs-route-claim-stood-before-onset');
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'SiteRoute'));
    assert.equal(root, refKey({ kind: 'Service', namespace: 'tarn-docs', name: 'docs-web' }));
  });
});

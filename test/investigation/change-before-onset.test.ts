import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { namesIdentifier } from '../../src/investigation/evidence/config-mentions.ts';
import { app, cluster, configMap, deploymentRef, focusOn, logs, NS, OLD } from './support/cluster.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// A callee answering 404 to a path it never had is doing its job: the caller that rolled out just before and now
// sends such requests is the fault, even when the callee had a release of its own shortly before.
test('a caller rolled out just before the onset outranks its callee answering 404 (and the Ingress root routes the host)', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'quill-web-rollout-callee-404.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'quill', name: 'web' });
  assert.equal(result.faultType, 'bad-rollout');
  assert.match(result.summary, /revision 3 .*web:8\.0\.0/);
  // The callee answering 404 was looked at (an alternative, or checked and found doing its job), never the answer.
  assert.ok([...result.hypotheses.slice(1), ...result.ruledOut].some((h) => h.entity.name === 'notes-api'));
  assert.deepEqual(result.remediation?.action, {
    type: 'rollout-undo',
    namespace: 'quill',
    name: 'web',
    toRevision: 2,
  });
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

// A reference that stood for months without failing cannot explain an onset: the flag switched just before, which
// sent the code down the path that uses it, can — whether the errors name the flag (in another spelling) or not.
test('a flag switched just before the onset outranks the standing env reference its errors fail on', async () => {
  for (const variant of ['named', 'unnamed']) {
    const { result } = await replayScenarioFile(join(FIXTURES, `parcel-flag-switch-${variant}-unknown-host.yaml`));
    assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'parcel', name: 'rates-flags' }, variant);
    assert.equal(result.faultType, 'feature-flag');
    const rates = result.ruledOut.find((r) => r.entity.name === 'rates');
    assert.match(rates?.reason ?? '', /ZONE_MODEL_URL.*a consequence of ConfigMap rates-flags/, variant);
    if (variant === 'named') assert.match(result.summary, /\(zone-pricing-v3\).*zonePricingV3/);
    else assert.match(result.summary, /errors began after the change, none before/);
  }
});

/** rates reads the flag file `rates-flags` (changed at 10:15) and calls a host no Service has; its log read from 09:00. */
const ratesShop = (
  errorTimes: string[],
  read: { readFrom?: string; cut?: boolean } = { readFrom: '2026-11-20T09:00:00Z' },
) =>
  cluster((s) => {
    app(s, 'rates', {
      env: [{ name: 'MODEL_URL', value: 'http://zone-model:8080/v1' }],
      volumes: [{ name: 'flags', configMap: { name: 'rates-flags' } }],
    });
    configMap(
      s,
      'rates-flags',
      { 'flags.json': '{"flags": {"zone-pricing": {"state": "ENABLED"}}}' },
      '2026-11-20T10:15:00Z',
    );
    logs(
      s,
      'rates',
      errorTimes.map((at) => `${at} ERROR quote failed: getaddrinfo ENOTFOUND zone-model`),
    );
    Object.assign(s.logs.at(-1) ?? {}, read);
  });

test('errors the logs cannot prove began after the flag changed are not woken by it: the standing reference stays the answer', () => {
  const focus = focusOn('rates');
  const after = ['2026-11-20T10:17:00Z', '2026-11-20T10:22:00Z'];
  assert.deepEqual(diagnose(ratesShop(after), focus).rootCause, {
    kind: 'ConfigMap',
    namespace: NS,
    name: 'rates-flags',
  });
  // Errors already there before the change.
  const before = ['2026-11-20T10:05:00Z', '2026-11-20T10:22:00Z'];
  assert.deepEqual(diagnose(ratesShop(before), focus).rootCause, deploymentRef('rates'));
  // A log read only from after the change, or cut short, cannot say when the errors began.
  assert.deepEqual(
    diagnose(ratesShop(after, { readFrom: '2026-11-20T10:16:00Z' }), focus).rootCause,
    deploymentRef('rates'),
  );
  assert.deepEqual(
    diagnose(ratesShop(after, { readFrom: '2026-11-20T09:00:00Z', cut: true }), focus).rootCause,
    deploymentRef('rates'),
  );
});

test('namesIdentifier: one compound name in the spellings code gives it, as a whole token', () => {
  assert.ok(namesIdentifier('ERROR [rates.zonePricingV3] call failed', 'zone-pricing-v3'));
  assert.ok(namesIdentifier('ERROR pricing.surge_v2: demand failed', 'surge-v2'));
  assert.ok(namesIdentifier('ZONE_PRICING_V3 is on', 'zone-pricing-v3'));
  assert.ok(!namesIdentifier('zone-pricing-v30 is on', 'zone-pricing-v3'));
  assert.ok(!namesIdentifier('max-zone-pricing-v3 is on', 'zone-pricing-v3'));
  assert.ok(!namesIdentifier('the surge was v2', 'surge-v2'));
});

// A dependency in another namespace that fails on its own: what it reads there is read too, and a flag switched in
// it just before is the fault — not the alerted caller's own rollout, whose errors only relay that failure.
test('the configuration a failing dependency reads in its own namespace is read, and a flag switched there found', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'brisk-flag-in-callee-namespace.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'core', name: 'orders-flags' });
  assert.equal(result.faultType, 'feature-flag');
  assert.match(result.summary, /splitShipments/);
  assert.equal(requests.filter((r) => r.path === '/api/v1/namespaces/core/configmaps').length, 1);
});

test("a rollout whose errors relay a callee's own failure is a weaker lead than the failing callee", () => {
  const relayed = ['2026-11-20T10:21:00Z ERROR GET http://catalog:8080/items -> 500'];
  const snapshot = storefront('2026-11-20T10:05:00Z', [
    '2026-11-20T10:19:00Z ERROR ItemsHandler: java.lang.IllegalStateException: index corrupt',
  ]);
  logs(snapshot, 'storefront', relayed);
  const d = diagnose(snapshot, focusOn('storefront'), {});
  assert.deepEqual(d.rootCause, deploymentRef('catalog'));
  const storefrontLead = d.ruledOut.find((r) => r.entity.name === 'storefront');
  assert.match(storefrontLead?.reason ?? '', /rolled out revision 2.*a consequence of Deployment catalog/);
});

test('a key rotated in the namespace of a failing dependency is read by name and found', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'brisk-acquirer-key-other-namespace.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Secret', namespace: 'pay', name: 'acquirer-api-key' });
  assert.equal(result.faultType, 'bad-secret-value');
  const secretReads = requests.filter((r) => r.path === '/api/v1/namespaces/pay/secrets');
  assert.deepEqual(
    secretReads.map((r) => r.query?.fieldSelector),
    ['metadata.name=acquirer-api-key'],
  );
});

// A Recreate rollout scales the previous revision to zero before the new one starts: that the previous revision ran
// for days is what says it served. In another namespace, the revisions are read once its pods are seen not ready.
test('a dependency in another namespace broken by its own rollout is a bad rollout, not merely down', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'atlas-search-rollout-other-namespace.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'search', name: 'indexer-api' });
  assert.equal(result.faultType, 'bad-rollout');
  assert.equal(requests.filter((r) => r.path === '/apis/apps/v1/namespaces/search/replicasets').length, 1);
});

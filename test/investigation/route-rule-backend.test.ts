import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { parse } from 'yaml';
import { routeRuleService } from '../../src/investigation/evidence/route-rule-backend.ts';
import type { HTTPRoute } from '../../src/investigation/evidence/routing-objects.ts';
import { replayScenarioFile } from './support/replay.ts';

const route = (namespace: string, name: string, rules: { name: string; kind?: string; namespace?: string }[][]) =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, uid: `${namespace}-${name}`, creationTimestamp: '2026-10-01T08:00:00Z' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'gateways' }],
      hostnames: [`${name}.example`],
      rules: rules.map((refs, at) => ({
        matches: [{ path: { type: 'PathPrefix', value: `/v${at}` } }],
        backendRefs: refs.map((ref) => ({ port: 8080, ...ref })),
      })),
    },
  }) as HTTPRoute;

describe('routeRuleService', () => {
  const routes = [
    route('orchard', 'storefront', [[{ name: 'catalogue' }], [{ name: 'baskets' }], [{ name: 'tills' }]]),
    route('orchard', 'single', [[{ name: 'pressing' }], [{ name: 'pressing' }]]),
  ];
  it("names the Service of the rule the router's id numbers (Envoy Gateway's rule/<index>, from 0)", () => {
    assert.equal(routeRuleService('httproute/orchard/storefront/rule/2', 'storefront', routes), 'tills');
    assert.equal(routeRuleService('httproute/orchard/storefront/rule/0', 'storefront', routes), 'catalogue');
  });
  it('names the one Service every rule of the route sends to when the id numbers no rule', () => {
    assert.equal(routeRuleService('httproute/orchard/single', 'single', routes), 'pressing');
  });
  it('names none when the rules send to several Services, the rule is missing, or the backend is no Service here', () => {
    assert.equal(routeRuleService('httproute/orchard/storefront', 'storefront', routes), undefined);
    assert.equal(routeRuleService('httproute/orchard/storefront/rule/7', 'storefront', routes), undefined);
    assert.equal(routeRuleService('httproute/orchard/absent/rule/0', 'absent', routes), undefined);
    const split = [route('orchard', 'canary', [[{ name: 'cider-v1' }, { name: 'cider-v2' }]])];
    assert.equal(routeRuleService('httproute/orchard/canary/rule/0', 'canary', split), undefined);
    const elsewhere = [
      route('orchard', 'far', [[{ name: 'cellar', namespace: 'vaults' }], [{ name: 'bucket', kind: 'Bucket' }]]),
    ];
    assert.equal(routeRuleService('httproute/orchard/far/rule/0', 'far', elsewhere), undefined);
    assert.equal(routeRuleService('httproute/orchard/far/rule/1', 'far', elsewhere), undefined);
  });
});

/**
 * The marlin fixture (a new image that does not exist behind `tides`), with the proxy naming a route's rule instead of
 * the Service: `httproute/marlin/harbour/rule/<n>`, the route `harbour` sending rule 0 to charts and rule 1 to tides.
 */
async function replayRouteRule(rule: number) {
  const file = join(import.meta.dirname, '../fixtures/scenarios/marlin-router-cluster-name-label.yaml');
  const scenario = parse(await readFile(file, 'utf8'));
  scenario.alert.labels.envoy_cluster_name = `httproute/marlin/harbour/rule/${rule}`;
  scenario.alert.annotations.summary = `5xx on httproute/marlin/harbour/rule/${rule}`;
  scenario.cluster.objects.push(route('marlin', 'harbour', [[{ name: 'charts' }], [{ name: 'tides' }]]));
  const dir = await mkdtemp(join(tmpdir(), 'route-rule-'));
  const path = join(dir, 'scenario.json');
  await writeFile(path, JSON.stringify(scenario));
  return replayScenarioFile(path);
}

test("a router's id for a route's rule leads to the Service that rule sends to", async () => {
  const { result } = await replayRouteRule(1);
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'marlin', name: 'tides' });
  assert.equal(result.faultType, 'bad-image');
  assert.ok(
    result.assumptions.some((a) => a.includes('its route harbour sends that traffic to Service tides')),
    result.assumptions.join('\n'),
  );
});

test("another rule of the same route leads to that rule's Service, not to the broken one", async () => {
  const { result } = await replayRouteRule(0);
  assert.ok(
    result.assumptions.some((a) => a.includes('its route harbour sends that traffic to Service charts')),
    result.assumptions.join('\n'),
  );
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import {
  backendService,
  decodeBackend,
  looseBackendIds,
  routerBackendIds,
  unlabelledRouterIds,
} from '../../src/investigation/evidence/router-backend.ts';
import { replayScenarioFile } from './support/replay.ts';

const NAMESPACES = ['edge', 'shop', 'shop-web', 'kube-system'];

describe('routerBackendIds', () => {
  it('keeps service label values no Service could be named, a URL excepted', () => {
    const alert = (service: string) => AlertSchema.parse({ source: 'alertmanager', title: 'x', labels: { service } });
    assert.deepEqual(routerBackendIds(alert('shop-web-site-front-80@kubernetescrd')), [
      'shop-web-site-front-80@kubernetescrd',
    ]);
    assert.deepEqual(routerBackendIds(alert('front')), []);
    assert.deepEqual(routerBackendIds(alert('shop_front_80')), ['shop_front_80']);
    assert.deepEqual(routerBackendIds(alert('http://front.shop/x')), []);
  });
});

describe('routerBackendIds in other labels', () => {
  it("keeps any label naming a backend with '/', '@' or '|', not paths, URLs, the scraper's own labels or '_'", () => {
    const alert = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: {
        envoy_cluster_name: 'shop/cart/8080/da39a3',
        route: '/v1/cart',
        reason: 'no_upstream',
        url: 'http://a/b',
        prometheus: 'monitoring/k8s',
        job: 'serviceMonitor/monitoring/cart/0',
      },
    });
    assert.deepEqual(routerBackendIds(alert), ['shop/cart/8080/da39a3']);
  });
});

describe('unlabelledRouterIds', () => {
  it("adds dotted label values (a router's route or backend id), not versions, addresses, URLs or the scraper's labels", () => {
    const alert = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: {
        route: 'shop.storefront.www-shop-example.cart',
        version: '1.4.2',
        upstream_addr: '10.0.0.3:8080',
        url: 'https://www.shop.example/cart',
        instance: 'gw.edge.svc:8100',
        envoy_cluster_name: 'shop/cart/8080/da39a3',
      },
    });
    assert.deepEqual(unlabelledRouterIds(alert).sort(), [
      'shop.storefront.www-shop-example.cart',
      'shop/cart/8080/da39a3',
    ]);
  });
});

describe('looseBackendIds', () => {
  it('keeps any other label value joining names with _ . : or /, a URL by its host, ports dropped', () => {
    const alert = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: {
        proxy: 'shop_cart_http',
        dest: 'http://cart.shop.svc.cluster.local:8080/v1/items',
        queue: 'orders.created',
        code: '503',
        version: '1.4.2',
        image: 'registry.example/shop/cart:1.2',
        upstream: 'shop/cart/8080',
        pod: 'proxy-7c9f-x2x9z',
        instance: '10.0.0.3:9100',
        summary_text: 'no healthy upstream',
      },
    });
    assert.deepEqual(looseBackendIds(alert), ['shop_cart_http', 'cart.shop.svc.cluster.local', 'orders.created']);
  });
});

describe('decodeBackend', () => {
  it('takes the longest namespace the id begins with, and drops the port', () => {
    assert.deepEqual(decodeBackend('shop-web-site-front-80@kubernetescrd', NAMESPACES), {
      namespace: 'shop-web',
      rest: 'site-front',
    });
    assert.deepEqual(decodeBackend('shop-cart-8080@kubernetes', NAMESPACES), { namespace: 'shop', rest: 'cart' });
  });
  it("takes the name right after the namespace in a separated form: Contour's cluster, Envoy Gateway's route", () => {
    assert.deepEqual(decodeBackend('shop/cart/8080/da39a3ee5e', NAMESPACES), { namespace: 'shop', rest: 'cart' });
    assert.deepEqual(decodeBackend('httproute/shop-web/front/rule/0', NAMESPACES), {
      namespace: 'shop-web',
      rest: 'front',
    });
  });
  it('reads separated forms and cluster DNS names', () => {
    assert.deepEqual(decodeBackend('shop/cart:8080', NAMESPACES), { namespace: 'shop', rest: 'cart' });
    assert.deepEqual(decodeBackend('shop_cart_8080', NAMESPACES), { namespace: 'shop', rest: 'cart' });
    assert.deepEqual(decodeBackend('outbound|80||cart.shop.svc.cluster.local', NAMESPACES), {
      namespace: 'shop',
      rest: 'cart',
    });
  });
  it("reads dot-separated ids: Kong's <namespace>.<service>.<port> and <namespace>.<ingress>.<host>.<path>", () => {
    assert.deepEqual(decodeBackend('shop-web.front.80', NAMESPACES), { namespace: 'shop-web', rest: 'front' });
    assert.deepEqual(decodeBackend('shop.storefront.www-shop-example.cart', NAMESPACES), {
      namespace: 'shop',
      rest: 'storefront',
    });
    assert.equal(decodeBackend('www.example.com', NAMESPACES), undefined);
  });
  it('is undefined when no namespace of the cluster begins it', () => {
    assert.equal(decodeBackend('billing-api-80@kubernetes', NAMESPACES), undefined);
  });
});

describe('backendService', () => {
  it('is the longest Service the rest ends with', () => {
    assert.equal(backendService('site-portal-web', ['web', 'portal-web', 'site']), 'portal-web');
    assert.equal(backendService('cart', ['cart', 'carts']), 'cart');
    assert.equal(backendService('site-front', ['back']), undefined);
  });
});

// The alert carries the router's namespace and its own name for the backend; the backend Service, in the namespace
// the name begins with, has no endpoints. The router (healthy, reporting it) is not the answer.
test("a router's backend id leads to the backend's namespace and Service, not to the router", async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/quill-router-backend-no-endpoints.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'quill-web', name: 'frontend' });
  assert.equal(result.faultType, 'service-selector');
  const paths = requests.map((request) => request.path);
  assert.equal(paths.filter((path) => path === '/api/v1/namespaces/quill-web/services').length, 1);
  assert.ok(!paths.some((path) => path.startsWith('/api/v1/namespaces/edge/')));
});

// A proxy's own label (an Envoy cluster name) names the backend; a Service of the same name in a neighbouring
// namespace is not it.
test("a backend named in the proxy's own label leads to the namespace and Service it names", async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/marlin-router-cluster-name-label.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'marlin', name: 'tides' });
  assert.equal(result.faultType, 'bad-image');
});

// No namespace label: the gateway's dotted id for its backend names the namespace (not the one that only begins like
// it) and the Service; no detector fires, and the walk names the Service by the field its change wrote (its selector).
test("a gateway's dotted backend id locates an alert without a namespace label", async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/quokka-gateway-service-id-selector-change.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'parcels', name: 'tracker' });
  assert.equal(result.faultType, 'service-selector');
  assert.ok(result.confidence >= 0.3 && result.confidence <= 0.5, `${result.confidence}`);
});

// A label of any name (`dest`, beside the proxy's own pod label) carries the backend as a URL: its namespace and
// Service, found among the cluster's Services, are where the investigation starts; a healthy Service of the same name
// elsewhere is not it.
test('a backend named in a label of any name, in any spelling, leads to the Service it names', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/marigold-proxy-target-url-label.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'marigold-tix', name: 'seat-map' });
  assert.equal(result.faultType, 'service-selector');
  const paths = requests.map((request) => request.path);
  // One cluster-wide list of Services stands for the namespace's own: no Namespace list, no second Services read.
  assert.ok(!paths.includes('/api/v1/namespaces'));
  assert.ok(!paths.includes('/api/v1/namespaces/marigold-tix/services'));
});

describe('looseBackendIds of a probe', () => {
  it("keeps a probe's target URL by its host, even in the scrape's own instance label", () => {
    const probe = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: { namespace: 'watch', job: 'blackbox', instance: 'http://front.shop.svc.cluster.local:8080/health' },
    });
    assert.deepEqual(looseBackendIds(probe), ['front.shop.svc.cluster.local']);
    const scrape = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: { namespace: 'watch', job: 'node', instance: 'front.shop.svc:9100' },
    });
    assert.deepEqual(looseBackendIds(scrape), []);
  });
});

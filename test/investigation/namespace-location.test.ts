import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { ingressRoutes, mentionedHosts } from '../../src/investigation/evidence/ingress-routes.ts';
import { troubleByNamespace } from '../../src/investigation/evidence/namespace-trouble.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { chooseNamespace, nameWordMatches } from '../../src/investigation/focus.ts';
import { replayScenarioFile } from './support/replay.ts';

type Ingress = ClusterSnapshot['ingresses'][number];
const ingress = (namespace: string, name: string, rules: NonNullable<Ingress['spec']>['rules']): Ingress => ({
  metadata: { namespace, name },
  spec: { rules },
});
const route = (path: string, service: string) => ({
  path,
  pathType: 'Prefix',
  backend: { service: { name: service, port: { number: 80 } } },
});
const INGRESSES = [
  ingress('market', 'front', [
    { host: 'shop.example.io', http: { paths: [route('/', 'site'), route('/find', 'finder')] } },
  ]),
  ingress('tenants', 'wild', [{ host: '*.tenants.example.io', http: { paths: [route('/', 'portal')] } }]),
];

describe('mentionedHosts', () => {
  it('finds hosts and URL paths, not versions or abbreviations', () => {
    assert.deepEqual(mentionedHosts('see https://Shop.Example.io/find?q=x and api.example.com, e.g. v2.8.0'), [
      { host: 'shop.example.io', path: '/find?q=x' },
      { host: 'api.example.com', path: '' },
    ]);
    assert.deepEqual(mentionedHosts('rollout 2.8.0 panics, e.g. on start'), []);
  });
});

describe('ingressRoutes', () => {
  it('resolves a host to its namespace and the backend of the longest matching path', () => {
    assert.deepEqual(ingressRoutes('search on shop.example.io is empty', INGRESSES), [
      { host: 'shop.example.io', namespace: 'market', ingress: 'front', service: 'site' },
    ]);
    assert.equal(ingressRoutes('https://shop.example.io/find/shoes fails', INGRESSES)[0]?.service, 'finder');
  });

  it('routes a host named without a path as a request for "/", whatever the order of the paths', () => {
    const apiFirst = [
      ingress('market', 'front', [
        { host: 'shop.example.io', http: { paths: [route('/api', 'backend'), route('/', 'site')] } },
      ]),
    ];
    assert.equal(ingressRoutes('pages on shop.example.io show 500', apiFirst)[0]?.service, 'site');
    assert.equal(ingressRoutes('shop.example.io/api/cart answers 502', apiFirst)[0]?.service, 'backend');
    // No path prefixes "/": the rule's first path still says where the host enters.
    const noRoot = [
      ingress('market', 'front', [{ host: 'shop.example.io', http: { paths: [route('/api', 'backend')] } }]),
    ];
    assert.equal(ingressRoutes('shop.example.io is down', noRoot)[0]?.service, 'backend');
  });

  it('matches wildcard rules one label deep only', () => {
    assert.equal(ingressRoutes('acme.tenants.example.io is down', INGRESSES)[0]?.namespace, 'tenants');
    assert.deepEqual(ingressRoutes('a.b.tenants.example.io is down', INGRESSES), []);
    assert.deepEqual(ingressRoutes('docs.example.io is down', INGRESSES), []);
  });
});

describe('nameWordMatches', () => {
  it('picks a name a word is a whole component of, when only one name has it', () => {
    const picked = nameWordMatches('search shows no results', ['web', 'search-api', 'cart-api']);
    assert.deepEqual([...picked], [['search-api', ['search']]]);
  });

  it('treats a name extending another (a headless Service) as the same one, and accepts plurals', () => {
    assert.deepEqual(
      [...nameWordMatches('orders time out', ['orders-db', 'orders-db-headless'])],
      [['orders-db', ['orders']]],
    );
    assert.deepEqual([...nameWordMatches('carts are empty', ['cart-api', 'web'])], [['cart-api', ['carts']]]);
  });

  it('ignores words that several names share, parts of words, and prose', () => {
    assert.equal(nameWordMatches('the api fails', ['cart-api', 'search-api']).size, 0);
    assert.equal(nameWordMatches('research is slow', ['search-api']).size, 0);
    assert.equal(nameWordMatches('errors are high', ['errors-api', 'high-mem']).size, 0);
  });
});

describe('troubleByNamespace', () => {
  const service = (namespace: string, name: string, selector?: Record<string, string>) => ({
    metadata: { namespace, name },
    spec: selector ? { selector } : {},
  });
  const endpoints = (namespace: string, name: string, ready: boolean) => ({
    metadata: { namespace, name },
    subsets: ready ? [{ addresses: [{ ip: '10.0.0.1' }] }] : [{ notReadyAddresses: [{ ip: '10.0.0.2' }] }],
  });

  it('counts Services with a selector that no ready pod serves', () => {
    const signs = troubleByNamespace({
      pods: [],
      events: [{ metadata: { namespace: 'b' }, involvedObject: {} }],
      services: [
        service('a', 'healthy', { app: 'healthy' }),
        service('a', 'unserved', { app: 'x' }),
        service('b', 'manual'),
        service('c', 'also-healthy', { app: 'y' }),
      ],
      endpoints: [
        endpoints('a', 'healthy', true),
        endpoints('a', 'unserved', false),
        endpoints('b', 'manual', false),
        endpoints('c', 'also-healthy', true),
      ],
    });
    assert.deepEqual([...signs].sort(), [
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('does not judge Services when Endpoints were not read', () => {
    const signs = troubleByNamespace({
      pods: [],
      events: [],
      services: [service('a', 's', { app: 's' })],
      endpoints: [],
    });
    assert.equal(signs.size, 0);
  });
});

describe('chooseNamespace without a named object', () => {
  const named = [
    { namespace: 'market', name: 'site' },
    { namespace: 'market', name: 'finder-api' },
    { namespace: 'stock', name: 'orders-db' },
  ];

  it('follows the Ingress that routes a host the text mentions', () => {
    const choice = chooseNamespace('shop.example.io shows nothing', {
      namespaces: ['market', 'stock'],
      named,
      routes: ingressRoutes('shop.example.io shows nothing', INGRESSES),
      troubleSigns: new Map([['stock', 3]]),
    });
    assert.equal(choice.namespace, 'market');
    assert.match(choice.assumption, /Ingress front routes shop\.example\.io.*Service site/);
    assert.equal(choice.entryService, 'site');
  });

  it('follows the words of names before the signs of trouble elsewhere', () => {
    const choice = chooseNamespace('finder shows no results', {
      namespaces: ['market', 'stock'],
      named,
      troubleSigns: new Map([['stock', 3]]),
    });
    assert.equal(choice.namespace, 'market');
    assert.match(choice.assumption, /finder-api/);
  });

  it('counts Services without ready endpoints as trouble when the alert names nothing', () => {
    const signs = troubleByNamespace({
      pods: [],
      events: [],
      services: [{ metadata: { namespace: 'stock', name: 'orders-db' }, spec: { selector: { app: 'db' } } }],
      endpoints: [{ metadata: { namespace: 'stock', name: 'orders-db' }, subsets: [] }],
    });
    const choice = chooseNamespace('nothing works', { namespaces: ['market', 'stock'], named, troubleSigns: signs });
    assert.equal(choice.namespace, 'stock');
    assert.match(choice.assumption, /Services without ready endpoints/);
  });

  it('says the choice is a guess when signs of trouble are tied', () => {
    const choice = chooseNamespace('nothing works', {
      namespaces: ['market', 'stock'],
      named,
      troubleSigns: new Map([
        ['market', 2],
        ['stock', 2],
      ]),
    });
    assert.match(choice.assumption, /guess/);
  });

  it('never takes a namespace silently when nothing discriminates', () => {
    const choice = chooseNamespace('nothing works', {
      namespaces: ['market', 'stock'],
      named,
      troubleSigns: new Map(),
    });
    assert.equal(choice.namespace, 'market');
    assert.match(choice.assumption, /a guess — nothing in the alert or the cluster points to one of the 2 namespaces/);
  });
});

describe("chooseNamespace with the application's own name in the text", () => {
  // The database cluster carries the product's name; the product's workloads are labelled part-of it elsewhere.
  const named = [
    { namespace: 'atlas-data', name: 'pg-atlas' },
    { namespace: 'atlas-data', name: 'redis' },
    { namespace: 'apps', name: 'web', application: 'atlas' },
    { namespace: 'apps', name: 'billing', application: 'atlas' },
    { namespace: 'atlas-data', name: 'cache-warmer', application: 'atlas' },
  ];

  it('does not let that name pick the one component carrying it, and follows where its workloads run', () => {
    const choice = chooseNamespace('atlas: receipts not sent since 10:00', {
      namespaces: ['apps', 'atlas-data'],
      named,
    });
    assert.equal(choice.namespace, 'apps');
    assert.match(choice.assumption, /most workloads of atlas, which the alert names, run there/);
  });

  it('lets the other words pick a component first', () => {
    const choice = chooseNamespace('atlas: warmer stuck since 10:00', { namespaces: ['apps', 'atlas-data'], named });
    assert.equal(choice.namespace, 'atlas-data');
    assert.match(choice.assumption, /cache-warmer/);
  });

  it('lets a word that is no application pick as before', () => {
    assert.deepEqual([...nameWordMatches('atlas is slow', ['pg-atlas', 'web'], new Set(['atlas']))], []);
    assert.deepEqual([...nameWordMatches('atlas is slow', ['pg-atlas', 'web'])], [['pg-atlas', ['atlas']]]);
  });
});

// The page names the product; its database cluster carries the name, its workloads are labelled part-of it in another
// namespace, where the mailer cannot start.
test("the product's name in a page leads to where its workloads run, not to the database named after it", async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/tern-product-word-picks-no-component.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'shop', name: 'courier' });
  assert.ok(!requests.some((request) => request.path.startsWith('/api/v1/namespaces/shop-data/pods/')));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingressesServingPath } from '../../src/investigation/evidence/ingress-routes.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { writtenPaths } from '../../src/investigation/evidence/route-path-words.ts';

type Ingress = ClusterSnapshot['ingresses'][number];

// An alert that names no object writes the path whose requests fail (`5xx from /ledger/api`): the Ingress rule whose
// path covers it longest, whatever its host, routes it to a Service of its namespace. Made-up Ingresses.
const ingress = (namespace: string, name: string, paths: [string, string][]): Ingress => ({
  metadata: { namespace, name },
  spec: {
    rules: [
      {
        host: `${name}.example.org`,
        http: {
          paths: paths.map(([path, service]) => ({
            path,
            pathType: 'Prefix',
            backend: { service: { name: service, port: { number: 80 } } },
          })),
        },
      },
    ],
  },
});

const site = ingress('books', 'front', [
  ['/', 'web'],
  ['/ledger/api', 'ledger-servers'],
  ['/ledger', 'ledger-ui'],
]);

test('the rule whose path covers the written path longest names the namespace and its Service', () => {
  const paths = writtenPaths('Ledger API error budget spent: HTTP 5xx from /ledger/api/v3 above 20%');
  assert.deepEqual(paths, ['/ledger/api/v3']);
  assert.deepEqual(ingressesServingPath(paths, [site]), [
    { host: 'front.example.org', namespace: 'books', ingress: 'front', service: 'ledger-servers' },
  ]);
});

test('negative: only the bare "/" serves it, a prefix that is not a whole segment, or two namespaces tie', () => {
  assert.deepEqual(ingressesServingPath(['/reports/daily'], [site]), []);
  assert.deepEqual(ingressesServingPath(['/ledgers/x'], [ingress('books', 'front', [['/ledger', 'ledger-ui']])]), []);
  const twin = ingress('books-staging', 'front', [['/ledger/api', 'ledger-servers']]);
  assert.deepEqual(ingressesServingPath(['/ledger/api/v3'], [site, twin]), []);
});

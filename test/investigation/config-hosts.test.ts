import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calledHostNamespaces } from '../../src/investigation/evidence/config-hosts.ts';

const settings = ['CART_URL: http://cart.shop-core.svc:8080\nSEARCH_URL: http://search.catalog.svc:9200'];

test('a file of addresses leads to the namespace of the Service the errors name bare', () => {
  assert.deepEqual(calledHostNamespaces(settings, 'web', ['{"msg":"upstream error","upstream":"cart","status":502}']), [
    'shop-core',
  ]);
});

test('a file of addresses leads nowhere when no error names one of its Services', () => {
  assert.deepEqual(calledHostNamespaces(settings, 'web', ['request timed out after 30s']), []);
  // A longer word that only contains a Service's name does not name it.
  assert.deepEqual(calledHostNamespaces(settings, 'web', ['cartography tiles failed']), []);
});

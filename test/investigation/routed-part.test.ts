import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routedPartNamed } from '../../src/investigation/evidence/routed-part.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

// A site of one host whose mesh route sends each path to its own Service; the alert names the site's front and the
// part that fails ("Members portal: invoice list empty"). Made-up objects.
const NOW = '2026-04-01T12:00:00Z';

function site() {
  const snapshot = emptySnapshot(NOW);
  snapshot.virtualServices.push({
    metadata: { name: 'members-portal', namespace: 'club' },
    spec: {
      hosts: ['members.example.org'],
      http: [
        { match: [{ uri: { prefix: '/api/invoices' } }], route: [{ destination: { host: 'billing-api' } }] },
        {
          match: [{ uri: { prefix: '/api/events' } }],
          route: [{ destination: { host: 'agenda.club.svc.cluster.local' } }],
        },
        { route: [{ destination: { host: 'members-portal' } }] },
      ],
    },
  });
  return snapshot;
}

test('the part of the site the alert names is the Service its path is routed to', () => {
  const part = routedPartNamed('Members portal: invoices list empty, downloads fail', 'members-portal', site(), 'club');
  assert.deepEqual(part, {
    service: 'billing-api',
    route: { kind: 'VirtualService', name: 'members-portal' },
    path: '/api/invoices',
    word: 'invoices',
  });
});

test('negative: no path word said, two parts said, or a route that does not front the named Service', () => {
  assert.equal(routedPartNamed('Members portal slow for everyone', 'members-portal', site(), 'club'), undefined);
  assert.equal(
    routedPartNamed('Members portal: invoices and events both empty', 'members-portal', site(), 'club'),
    undefined,
  );
  assert.equal(routedPartNamed('billing invoices failing', 'billing-gateway', site(), 'club'), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH_FAILURE } from '../../src/investigation/evidence/auth-refusal.ts';
import { refusedConfiguredClient } from '../../src/investigation/evidence/refused-clients.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Deployment = ClusterSnapshot['deployments'][number];

const REFUSAL =
  '2026-05-02T09:10:00Z [WARN ][auth] [index-0] Authentication finally failed for loader from 10.9.9.9:5100';

function server(lines: string[]): ClusterSnapshot {
  const snapshot = emptySnapshot('2026-05-02T09:30:00Z');
  snapshot.pods.push({ metadata: { name: 'index-0', namespace: 'vault-data', labels: { app: 'index' } } });
  snapshot.services.push({
    metadata: { name: 'index', namespace: 'vault-data' },
    spec: { selector: { app: 'index' } },
  });
  snapshot.logs.push({ namespace: 'vault-data', pod: 'index-0', container: 'index', previous: false, lines });
  return snapshot;
}

function client(name: string, env: Record<string, string>, namespace = 'ingest'): Deployment {
  return {
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        spec: {
          containers: [{ name, image: name, env: Object.entries(env).map(([key, value]) => ({ name: key, value })) }],
        },
      },
    },
  };
}

test('a server that refuses a login names it: the client configured to call it with that login, in a namespace not read', () => {
  assert.match(REFUSAL, AUTH_FAILURE);
  const writer = client('page-writer', { INDEX_URL: 'https://index.vault-data.svc:9200', INDEX_USER: 'loader' });
  const browser = client('browse-ui', { INDEX_URL: 'http://index.vault-data:9200', INDEX_USER: 'viewer' });
  const elsewhere = client('reports', { DB_HOST: 'ledger.vault-data.svc', DB_USER: 'loader' });
  const read = new Set(['vault-data']);
  const found = refusedConfiguredClient(server([REFUSAL]), 'vault-data', [browser, writer, elsewhere], read);
  assert.equal(found?.metadata?.name, 'page-writer');
  // Its namespace read already: it is no client still to find.
  assert.equal(refusedConfiguredClient(server([REFUSAL]), 'vault-data', [writer], new Set(['ingest'])), undefined);
  // The refusal names no login a client is configured with: the only client there is, else none.
  assert.equal(refusedConfiguredClient(server([REFUSAL]), 'vault-data', [browser], read)?.metadata?.name, 'browse-ui');
  const other = client('browse-api', { INDEX_URL: 'http://index.vault-data:9200' }, 'portal');
  assert.equal(refusedConfiguredClient(server([REFUSAL]), 'vault-data', [browser, other], read), undefined);
  // No refusal in the server's log: nothing to look for.
  assert.equal(refusedConfiguredClient(server(['cluster health GREEN']), 'vault-data', [writer], read), undefined);
});

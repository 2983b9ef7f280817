import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerLogTargets } from '../../src/investigation/evidence/peer-log-targets.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

const pod = (namespace: string, name: string, app: string, ready: boolean): ClusterSnapshot['pods'][number] => ({
  metadata: { name, namespace, labels: { app } },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      { name: app, ready, restartCount: 0, image: app, imageID: '', state: { running: { startedAt: '' } } },
    ],
  },
});

function snapshot(line: string): ClusterSnapshot {
  const s = emptySnapshot('2026-12-10T09:30:00Z');
  s.services.push({ metadata: { name: 'claims', namespace: 'insurer' }, spec: { selector: { app: 'claims' } } });
  s.pods.push(pod('insurer', 'claims-a', 'claims', true), pod('insurer', 'claims-b', 'claims', false));
  s.pods.push(pod('clinic', 'portal-a', 'portal', true));
  s.logs.push({ namespace: 'clinic', pod: 'portal-a', container: 'portal', previous: false, lines: [line] });
  return s;
}

test('the errors naming a Service of another namespace lead to the log of its least healthy pod', () => {
  const targets = peerLogTargets(
    snapshot('level=error msg="call failed" url=http://claims.insurer.svc.cluster.local:8080/v1 status=503'),
    'clinic',
    1,
  );
  assert.deepEqual(
    targets.map((t) => `${t.namespace}/${t.pod}/${t.container}`),
    ['insurer/claims-b/claims'],
  );
});

test('errors naming only Services at home, or nothing, lead to no log elsewhere', () => {
  assert.deepEqual(peerLogTargets(snapshot('level=error msg="call failed" upstream=claims:8080'), 'clinic', 1), []);
  assert.deepEqual(peerLogTargets(snapshot('panic: nil map'), 'clinic', 1), []);
});

/**
 * A caller whose errors name its callee bare (`upstream=ledger`) while its own configuration calls
 * `ledger.books.svc`: the callee's pod there is read. `also` adds Services to the snapshot (a local one of that name,
 * or a second namespace's).
 */
function bareNameSnapshot(lines: string[], also: { namespace: string; name: string }[] = []): ClusterSnapshot {
  const s = emptySnapshot('2026-12-10T09:30:00Z');
  for (const { namespace, name } of [{ namespace: 'books', name: 'ledger' }, ...also])
    s.services.push({ metadata: { name, namespace }, spec: { selector: { app: name } } });
  s.pods.push(pod('books', 'ledger-a', 'ledger', false));
  const caller = pod('clinic', 'portal-a', 'portal', true);
  caller.spec = {
    containers: [
      {
        name: 'portal',
        env: [
          { name: 'LEDGER_URL', value: 'http://ledger.books.svc:8080' },
          ...also.map(({ namespace, name }) => ({ name: 'OTHER_URL', value: `http://${name}.${namespace}.svc:80` })),
        ],
      },
    ],
  };
  s.pods.push(caller);
  s.logs.push({ namespace: 'clinic', pod: 'portal-a', container: 'portal', previous: false, lines });
  return s;
}

const readPods = (targets: ReturnType<typeof peerLogTargets>) => targets.map((t) => `${t.namespace}/${t.pod}`);

test('an error naming its callee by bare name leads to the one Service of that name the configuration calls elsewhere', () => {
  assert.deepEqual(
    readPods(peerLogTargets(bareNameSnapshot(['level=error msg="call failed" upstream=ledger']), 'clinic', 1)),
    ['books/ledger-a'],
  );
});

test('a bare name leads nowhere when it is not in an error line, a Service here has it, or two namespaces do', () => {
  // (An error line of its own, so that the caller is not a silent client, whose configured servers are read anyway.)
  const notInError = bareNameSnapshot(['level=info msg="called" upstream=ledger', 'level=error msg="disk full"']);
  assert.deepEqual(peerLogTargets(notInError, 'clinic', 1), []);
  const local = bareNameSnapshot(
    ['level=error msg="call failed" upstream=ledger'],
    [{ namespace: 'clinic', name: 'ledger' }],
  );
  assert.deepEqual(peerLogTargets(local, 'clinic', 1), []);
  const twice = bareNameSnapshot(
    ['level=error msg="call failed" upstream=ledger'],
    [{ namespace: 'archive', name: 'ledger' }],
  );
  assert.deepEqual(peerLogTargets(twice, 'clinic', 1), []);
});

test('a bare name configured elsewhere leads nowhere when the error line uses it as a word, not where a host goes', () => {
  const worded = bareNameSnapshot(['level=error msg="ledger entry rejected: duplicate id"']);
  assert.deepEqual(peerLogTargets(worded, 'clinic', 1), []);
  const addressed = bareNameSnapshot(['{"level":"error","msg":"call failed","upstream":"ledger"}']);
  assert.deepEqual(readPods(peerLogTargets(addressed, 'clinic', 1)), ['books/ledger-a']);
});

// Which server a client's configuration calls has one answer, whether its errors name the server bare or it logs none:
// the settings of the containers its controller declares, its command line as much as its env.
test("a silent client's server is read by the same answer its errors' bare names go by, its arguments included", () => {
  const s = bareNameSnapshot(['level=info msg="ready"']);
  const client = s.pods.find((p) => p.metadata?.name === 'portal-a');
  assert.ok(client?.spec);
  client.spec.containers = [{ name: 'portal', args: ['--ledger=ledger.books.svc:8080'] }];
  assert.deepEqual(readPods(peerLogTargets(s, 'clinic', 1)), ['books/ledger-a']);
});

// The caller's address for its callee comes from a file (or a map it reads whole): its env names nothing. Among the
// namespaces the investigation followed the errors to, the one holding a Service of that name places the bare name.
test('an error naming its callee bare, configured nowhere the pod spec shows, leads to the followed namespace holding it', () => {
  const s = bareNameSnapshot([
    '{"level":"error","msg":"proxy failed","upstream":"ledger","error":"connect ECONNREFUSED"}',
  ]);
  const caller = s.pods.find((p) => p.metadata?.name === 'portal-a');
  assert.ok(caller?.spec);
  caller.spec.containers = [{ name: 'portal' }];
  assert.deepEqual(readPods(peerLogTargets(s, 'clinic', 1, ['books'])), ['books/ledger-a']);
  // Not followed there: a bare name resolves at home, and Services read for other reasons do not place it.
  assert.deepEqual(peerLogTargets(s, 'clinic', 1), []);
  // Two followed namespaces hold a Service of that name: which one is meant is not known.
  s.services.push({ metadata: { name: 'ledger', namespace: 'archive' }, spec: { selector: { app: 'ledger' } } });
  assert.deepEqual(peerLogTargets(s, 'clinic', 1, ['books', 'archive']), []);
});

test('a bare name leads to the Service elsewhere that a ConfigMap of the namespace addresses, no pod referencing it', () => {
  const s = bareNameSnapshot(['level=error msg="upstream error" upstream=cart err="cart responded 500"']);
  s.services.push({ metadata: { name: 'cart', namespace: 'shop-core' }, spec: { selector: { app: 'cart' } } });
  s.pods.push(pod('shop-core', 'cart-a', 'cart', true));
  // An application that loads its settings itself: the file names the address, no pod template mounts it.
  s.configMaps.push({
    metadata: { name: 'portal-settings', namespace: 'clinic' },
    data: { CART_URL: 'http://cart.shop-core.svc:8080' },
  });
  assert.deepEqual(readPods(peerLogTargets(s, 'clinic', 1)), ['shop-core/cart-a']);
});

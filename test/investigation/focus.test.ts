import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../src/alert/alert.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import {
  alertText,
  chooseNamespace,
  namespacesNamed,
  mentionedNames,
  namespaceLabel,
  owningWorkload,
  resolveSymptom,
  stemMatch,
  wordsMatch,
} from '../../src/investigation/focus.ts';
import { namespacesNamedIn, peerNamespaces } from '../../src/investigation/evidence/peer-namespaces.ts';

const alert = (partial: Partial<Alert>): Alert => ({
  source: 'alertmanager',
  title: 'Alert',
  labels: {},
  annotations: {},
  ...partial,
});

function snapshot(): ClusterSnapshot {
  const base = emptySnapshot('2026-01-01T12:00:00Z');
  const meta = (name: string, extra: object = {}) => ({ name, namespace: 'shop', uid: `uid-${name}`, ...extra });
  base.deployments = [{ metadata: meta('web') }, { metadata: meta('web-cache') }, { metadata: meta('payments') }];
  base.services = [{ metadata: meta('web') }, { metadata: meta('ledger') }];
  base.statefulSets = [{ metadata: meta('db') }];
  base.replicaSets = [
    {
      metadata: meta('payments-6d4f8b9c7', {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments', uid: 'uid-payments', controller: true },
        ],
      }),
    },
  ];
  base.pods = [
    {
      metadata: meta('payments-6d4f8b9c7-abcde', {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-6d4f8b9c7', uid: 'rs', controller: true },
        ],
      }),
    },
    { metadata: meta('debug-shell') },
  ];
  return base;
}

function withNames(names: string[]): ClusterSnapshot {
  const base = emptySnapshot('2026-01-01T12:00:00Z');
  base.deployments = names.map((name) => ({ metadata: { name, namespace: 'shop' } }));
  return base;
}

describe('mentionedNames', () => {
  it('matches whole names only, longest first', () => {
    assert.deepEqual(mentionedNames('web-cache is slow, web too', ['web', 'web-cache', 'we']), ['web-cache', 'web']);
    assert.deepEqual(mentionedNames('the webshop is down', ['web']), []);
    assert.deepEqual(mentionedNames('errors in Shop.', ['shop']), ['shop']);
  });

  it('matches a dashed name written as words in prose', () => {
    assert.deepEqual(mentionedNames('the pet store is down since noon', ['pet-store', 'store-db']), ['pet-store']);
    assert.deepEqual(mentionedNames('the carpet store is down', ['pet-store']), []);
  });

  it('matches a dashed name written in the singular, so the longer name wins over its first word', () => {
    assert.deepEqual(mentionedNames('NAKs from the dock gateway since 01:00', ['dock', 'dock-gateways']), [
      'dock-gateways',
      'dock',
    ]);
    assert.deepEqual(mentionedNames('orders are late', ['order']), []);
  });
});

describe('namespaceLabel', () => {
  it('prefers the exported namespace over the scraping target’s', () => {
    assert.equal(namespaceLabel(alert({ labels: { namespace: 'monitoring', exported_namespace: 'shop' } })), 'shop');
    assert.equal(namespaceLabel(alert({ labels: { namespace: 'shop' } })), 'shop');
    assert.equal(namespaceLabel(alert({})), undefined);
  });
});

describe('chooseNamespace', () => {
  it('takes the part of a named namespace that the alert describes by what its name adds', () => {
    const namespaces = ['default', 'kestrel', 'kestrel-billing', 'kestrel-web'];
    const choice = chooseNamespace('Kestrel: 0 invoices billed in 20 min', { namespaces });
    assert.equal(choice.namespace, 'kestrel-billing');
    assert.equal(choice.partOf, 'kestrel');
    assert.equal(chooseNamespace('Kestrel checkout down', { namespaces }).namespace, 'kestrel', 'no part described');
    const both = 'kestrel billing stuck\nwhy does the web page still show the old balance';
    assert.equal(chooseNamespace(both, { namespaces }).namespace, 'kestrel-billing', 'the title decides');
    const neither = 'kestrel slow\nbilling and web pages both lag';
    assert.equal(chooseNamespace(neither, { namespaces }).namespace, 'kestrel', 'two parts, none titled');
  });

  // Principle: the failing caller is where the reporter points; a server they name only to say it looks up (or fine)
  // is what they checked. The caller's namespace is examined, whichever name is longer.
  it('takes the namespace of what fails, not of a server the reporter says looks up', () => {
    const named = [
      { namespace: 'front', name: 'storefront' },
      { namespace: 'identity', name: 'login-server' },
    ];
    const namespaces = ['default', 'front', 'identity'];
    const asked = chooseNamespace('storefront 403\nevery buyer is bounced after sign-in. login-server looks up?', {
      namespaces,
      named,
    });
    assert.equal(asked.namespace, 'front');
    // Another wording, the server first and in a sentence of its own.
    const said = chooseNamespace('The login server seems to be up. Storefront answers 403 to everyone since 9:00', {
      namespaces,
      named,
    });
    assert.equal(said.namespace, 'front');
  });

  it('prefers a word of the failing part over a name the reporter says still works', () => {
    const named = [
      { namespace: 'reading', name: 'reader-app' },
      { namespace: 'reading-data', name: 'index' },
    ];
    const text = 'reader broken, every page says "failed to load". the index still works. did someone deploy it?';
    assert.equal(
      chooseNamespace(text, { namespaces: ['default', 'reading', 'reading-data'], named }).namespace,
      'reading',
    );
    // With nothing else named, the cleared name is still the best lead there is.
    const only = chooseNamespace('pages fail to load. the index still works', {
      namespaces: ['default', 'reading', 'reading-data'],
      named,
    });
    assert.equal(only.namespace, 'reading-data');
  });

  it('still takes a server the text names as looking up something: that is a call, not a verdict', () => {
    const choice = chooseNamespace('storefront 403: login-server looks up the session in redis and fails', {
      namespaces: ['default', 'front', 'identity'],
      named: [
        { namespace: 'front', name: 'storefront' },
        { namespace: 'identity', name: 'login-server' },
      ],
    });
    assert.equal(choice.namespace, 'identity');
  });

  it('takes a namespace the text names', () => {
    const choice = chooseNamespace('checkout errors in the shop namespace', { namespaces: ['default', 'shop', 'ops'] });
    assert.equal(choice.namespace, 'shop');
    assert.match(choice.assumption, /shop/);
  });

  it('does not take a namespace the reporter names only to say it is fine', () => {
    const text =
      "the app shows 'device unreachable' for many users. devices look fine in the broker dashboard. relay-api seems idle?";
    const choice = chooseNamespace(text, {
      namespaces: ['default', 'broker', 'edge-api'],
      named: [{ namespace: 'edge-api', name: 'relay-api' }],
    });
    assert.equal(choice.namespace, 'edge-api');
    assert.deepEqual(namespacesNamed('broker is down? broker pods restarting', ['broker']), ['broker']);
    assert.deepEqual(namespacesNamed('the broker is fine; checkout fails', ['broker', 'checkout']), ['checkout']);
    assert.deepEqual(namespacesNamed("the broker doesn't look fine", ['broker']), ['broker']);
  });

  it('falls back to the namespace of a workload the text names', () => {
    const choice = chooseNamespace('ledger returns 500', {
      namespaces: ['default', 'shop'],
      named: [{ namespace: 'shop', name: 'ledger' }],
    });
    assert.equal(choice.namespace, 'shop');
  });

  it('prefers, among namespaces holding the named workload, the one with unhealthy pods', () => {
    const choice = chooseNamespace('ledger returns 500', {
      namespaces: ['a', 'b'],
      named: [
        { namespace: 'a', name: 'ledger' },
        { namespace: 'b', name: 'ledger' },
      ],
      troubleSigns: new Map([['b', 2]]),
    });
    assert.equal(choice.namespace, 'b');
  });

  it('assumes the namespace with most unhealthy pods when nothing is named, and says so', () => {
    const choice = chooseNamespace('everything is slow', {
      namespaces: ['a', 'b', 'c'],
      named: [],
      troubleSigns: new Map([
        ['a', 1],
        ['c', 4],
      ]),
    });
    assert.equal(choice.namespace, 'c');
    assert.match(choice.assumption, /names nothing/);
  });
});

describe('resolveSymptom', () => {
  it('uses a workload label when the workload exists', () => {
    const { symptom } = resolveSymptom(alert({ labels: { deployment: 'payments' } }), 'shop', snapshot());
    assert.deepEqual(symptom, { kind: 'Deployment', namespace: 'shop', name: 'payments' });
  });

  it('maps a pod label to the Deployment that owns it', () => {
    const { symptom } = resolveSymptom(alert({ labels: { pod: 'payments-6d4f8b9c7-abcde' } }), 'shop', snapshot());
    assert.deepEqual(symptom, { kind: 'Deployment', namespace: 'shop', name: 'payments' });
  });

  it('maps a vanished pod to its workload by the shape of its name', () => {
    const { symptom } = resolveSymptom(alert({ labels: { pod: 'db-2' } }), 'shop', snapshot());
    assert.deepEqual(symptom, { kind: 'StatefulSet', namespace: 'shop', name: 'db' });
    assert.deepEqual(owningWorkload('payments-7f7f7f7f7-zzzzz', 'shop', snapshot()), {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'payments',
    });
  });

  it('keeps a bare pod as the symptom', () => {
    const { symptom } = resolveSymptom(alert({ labels: { pod: 'debug-shell' } }), 'shop', snapshot());
    assert.deepEqual(symptom, { kind: 'Pod', namespace: 'shop', name: 'debug-shell' });
  });

  it('prefers the Service for a service label', () => {
    const { symptom } = resolveSymptom(alert({ labels: { service_name: 'web' } }), 'shop', snapshot());
    assert.deepEqual(symptom, { kind: 'Service', namespace: 'shop', name: 'web' });
  });

  it('finds the longest name the free text mentions', () => {
    const { symptom, assumptions } = resolveSymptom(
      alert({ source: 'slack', title: 'web-cache down', text: 'web-cache times out' }),
      'shop',
      snapshot(),
    );
    assert.deepEqual(symptom, { kind: 'Deployment', namespace: 'shop', name: 'web-cache' });
    assert.equal(assumptions.length, 1);
  });

  it('takes the one name a word of the text is the stem of', () => {
    const { symptom, assumptions } = resolveSymptom(
      alert({ source: 'slack', title: 'payment failing', text: 'customers cannot pay' }),
      'shop',
      withNames(['payment-api', 'ledger']),
    );
    assert.deepEqual(symptom, { kind: 'Deployment', namespace: 'shop', name: 'payment-api' });
    assert.match(assumptions[0] ?? '', /closest name/);
    assert.equal(stemMatch('orders are failing', ['orderservice', 'web']), 'orderservice');
    assert.equal(stemMatch('cache is slow', ['cache-api', 'cache-worker']), undefined);
  });

  it('finds the workload whose pods carry the application name a label gives', () => {
    const base = snapshot();
    base.pods.push({
      metadata: {
        name: 'payments-6d4f8b9c7-fghij',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/name': 'billing' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-6d4f8b9c7', uid: 'rs', controller: true },
        ],
      },
    });
    const { symptom } = resolveSymptom(alert({ labels: { service_name: 'billing' } }), 'shop', base);
    assert.deepEqual(symptom, { kind: 'Deployment', namespace: 'shop', name: 'payments' });
  });

  it('names nothing when nothing matches, and records the assumption', () => {
    const { symptom, assumptions } = resolveSymptom(alert({ title: 'orders failing' }), 'shop', snapshot());
    assert.equal(symptom, null);
    assert.match(assumptions[0] ?? '', /names no workload/);
  });

  it('falls back to the Service the Ingress routes the alert’s host to, when it exists', () => {
    const text = alert({ title: 'shop.example.io is down' });
    assert.deepEqual(resolveSymptom(text, 'shop', snapshot(), 'ledger').symptom, {
      kind: 'Service',
      namespace: 'shop',
      name: 'ledger',
    });
    assert.equal(resolveSymptom(text, 'shop', snapshot(), 'missing').symptom, null);
    // A name the text gives comes first.
    assert.equal(
      resolveSymptom(alert({ title: 'payments on shop.example.io' }), 'shop', snapshot(), 'ledger').symptom?.name,
      'payments',
    );
  });

  it('records a labelled workload that does not exist', () => {
    const { symptom, assumptions } = resolveSymptom(alert({ labels: { deployment: 'gone' } }), 'shop', snapshot());
    assert.equal(symptom, null);
    assert.match(assumptions[0] ?? '', /gone/);
  });
});

describe('alertText', () => {
  it('joins title, text and annotations', () => {
    const text = alertText(alert({ title: 'T', text: 'body', annotations: { summary: 'sum' } }));
    assert.equal(text, 'T\nbody\nsum');
  });
});

describe('peerNamespaces', () => {
  const pod = (...values: string[]) => ({
    spec: { containers: [{ name: 'c', env: values.map((value, index) => ({ name: `V${index}`, value })) }] },
  });

  it('finds namespaces named by cluster DNS, most referenced first, ignoring public hosts and its own', () => {
    const pods = [
      pod('db.data.svc.cluster.local:5432', 'cache.shared:6379', 'https://api.example.com/v1', 'example.com'),
      pod('postgres://user:pw@pg.data.svc:5432/app', 'web.mine:80', 'local:8080'),
    ];
    assert.deepEqual(peerNamespaces(pods, 'mine'), ['data', 'shared']);
  });

  it("ignores containers the pods' controller does not declare (a sidecar injected at admission)", () => {
    const owned = (containers: { name: string; env?: { name: string; value: string }[] }[]) => ({
      metadata: {
        name: 'api-1',
        namespace: 'mine',
        ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7f', uid: 'rs-1', apiVersion: 'apps/v1', controller: true }],
      },
      spec: { containers },
    });
    const proxy = { name: 'proxy', env: [{ name: 'XDS', value: 'xds.mesh.svc:15012' }] };
    const pods = [owned([{ name: 'api', env: [{ name: 'DB', value: 'pg.data.svc:5432' }] }, proxy]), owned([proxy])];
    const replicaSet = {
      metadata: { uid: 'rs-1', name: 'api-7f', namespace: 'mine' },
      spec: { template: { spec: { containers: [{ name: 'api' }] } } },
    };
    assert.deepEqual(peerNamespaces(pods, 'mine', [replicaSet]), ['data']);
    // Without the controller nothing tells the sidecar apart.
    assert.deepEqual(peerNamespaces(pods, 'mine'), ['mesh', 'data']);
  });

  it('reads command-line arguments as configuration too', () => {
    const pods = [{ spec: { containers: [{ name: 'c', args: ['--db=pg.data.svc:5432', '--port=8080'] }] } }];
    assert.deepEqual(peerNamespaces(pods, 'mine'), ['data']);
  });
});

describe('namespacesNamedIn', () => {
  it('finds the namespaces error lines name through cluster DNS names', () => {
    const lines = [
      'level=error msg="call failed" url=http://claims.insurer.svc.cluster.local:8080/v1 status=503',
      'dial tcp: lookup ledger on 10.96.0.10:53: no such host',
    ];
    assert.deepEqual(namespacesNamedIn(lines, 'clinic'), ['insurer']);
  });

  it("does not take a stack frame's source file and line for a Service and namespace", () => {
    const lines = [
      'java.net.SocketTimeoutException: Read timed out (claims.insurer:8080)',
      '\tat java.base/java.lang.Thread.run(Thread.java:833)',
      '\tat com.clinic.billing.Client.call(Client.java:57)',
    ];
    assert.deepEqual(namespacesNamedIn(lines, 'clinic'), ['insurer']);
  });
});

describe('resolveSymptom without a name in the alert', () => {
  it("takes the namespace's only Service exposed outside the cluster as what users see failing", () => {
    const s = snapshot();
    s.services.push({ metadata: { name: 'storefront', namespace: 'shop' }, spec: { type: 'NodePort' } });
    const { symptom, assumptions } = resolveSymptom(alert({ title: 'every page returns 500' }), 'shop', s);
    assert.deepEqual(symptom, { kind: 'Service', namespace: 'shop', name: 'storefront' });
    assert.match(assumptions.join('\n'), /only Service exposed outside the cluster \(NodePort\)/);
  });

  it('guesses nothing when several Services are exposed', () => {
    const s = snapshot();
    s.services.push(
      { metadata: { name: 'storefront', namespace: 'shop' }, spec: { type: 'NodePort' } },
      { metadata: { name: 'admin', namespace: 'shop' }, spec: { type: 'LoadBalancer' } },
    );
    assert.equal(resolveSymptom(alert({ title: 'every page returns 500' }), 'shop', s).symptom, null);
  });

  it("takes an autoscaler alert's autoscaler as the symptom", () => {
    const s = snapshot();
    s.horizontalPodAutoscalers.push({
      metadata: { name: 'payments', namespace: 'shop' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'payments' }, maxReplicas: 4 },
    });
    const { symptom } = resolveSymptom(alert({ labels: { horizontalpodautoscaler: 'payments' } }), 'shop', s);
    assert.deepEqual(symptom, { kind: 'HorizontalPodAutoscaler', namespace: 'shop', name: 'payments' });
  });

  it('a name of several words written side by side in any order names its component; scattered words name nothing', () => {
    const names = ['lens-web', 'lens-api', 'photo-portal'];
    assert.equal(wordsMatch('PACS web lens: "Unable to load study"', names), 'lens-web');
    assert.equal(wordsMatch('photos portal down', names), 'photo-portal');
    // A title's last word and the text's first are not a phrase; nor are words a sentence apart.
    assert.equal(wordsMatch('results missing in portal\nphotos say nothing', names), undefined);
    assert.equal(wordsMatch('the web is slow. lens broke', names), undefined);
  });
});

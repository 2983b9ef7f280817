import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitsEveryCall, networkPolicy } from '../../../src/investigation/detectors/network-policy.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const policy = (s: ClusterSnapshot, name: string, spec: Record<string, unknown>) =>
  s.networkPolicies.push({
    metadata: { name, namespace: NS, creationTimestamp: '2026-11-20T10:17:00Z' },
    spec: spec as never,
  });

const shop = (s: ClusterSnapshot) => {
  app(s, 'inventory', { port: 3550 });
  app(s, 'web', { env: [{ name: 'INVENTORY_ADDR', value: 'inventory:3550' }] });
  app(s, 'orders', { env: [{ name: 'INVENTORY_URL', value: 'http://inventory.shop.svc.cluster.local:3550' }] });
};

test('an ingress policy admitting only one caller names the policy when another caller depends on the pods', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'inventory-allow-web', {
      podSelector: { matchLabels: { app: 'inventory' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 3550 }] }],
    });
    logs(s, 'orders', ['rpc error: code = DeadlineExceeded desc = context deadline exceeded']);
  });
  const findings = detect(networkPolicy, snapshot);
  assert.deepEqual(named(findings), ['NetworkPolicy/shop/inventory-allow-web network-policy']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'orders' }]);
  assert.equal(findings[0]?.remediation?.action.type, 'delete-network-policy');
});

test('a default-deny egress policy on the caller is found too', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'deny-all-egress', { podSelector: {}, policyTypes: ['Egress'] });
  });
  assert.deepEqual(named(detect(networkPolicy, snapshot)), ['NetworkPolicy/shop/deny-all-egress network-policy']);
});

test('a policy that admits every caller is no finding', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'inventory-allow-shop', {
      podSelector: { matchLabels: { app: 'inventory' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'orders'] }] } }] },
      ],
    });
  });
  assert.deepEqual(detect(networkPolicy, snapshot), []);
});

test('an egress policy that forgets DNS names the policy when the pods log failed lookups', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'orders-egress', {
      podSelector: { matchLabels: { app: 'orders' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'inventory' } } }], ports: [{ protocol: 'TCP', port: 3550 }] },
      ],
    });
    logs(s, 'orders', ['dial tcp: lookup inventory.shop.svc.cluster.local on 10.96.0.10:53: read udp: i/o timeout']);
  });
  const findings = detect(networkPolicy, snapshot);
  assert.deepEqual(named(findings), ['NetworkPolicy/shop/orders-egress network-policy']);
  assert.match(findings[0]?.summary ?? '', /DNS/);
});

const lookupsTimeOut = (s: ClusterSnapshot) =>
  logs(s, 'orders', ['Error: getaddrinfo EAI_AGAIN inventory inventory:3550']);

test('an egress rule open on every port but only to pods of its own namespace does not let lookups reach the cluster DNS', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'baseline-deny-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    policy(s, 'baseline-allow-namespace', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    lookupsTimeOut(s);
  });
  const findings = detect(networkPolicy, snapshot).filter((f) => /DNS/.test(f.summary));
  assert.equal(findings.length, 1);
  assert.match(findings[0]?.entity.name ?? '', /^baseline-/);
  assert.ok(findings[0]?.affects.some((a) => a.name === 'orders'));
});

test('an egress rule to the cluster DNS pods on port 53 lets lookups out: no DNS finding', () => {
  const snapshot = cluster((s) => {
    shop(s);
    policy(s, 'baseline-deny-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    policy(s, 'baseline-allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    lookupsTimeOut(s);
  });
  assert.deepEqual(
    detect(networkPolicy, snapshot).filter((f) => /DNS/.test(f.summary)),
    [],
  );
});

test('an egress policy that admits every callee but no lookup to the cluster DNS does not admit every call', () => {
  const web = { kind: 'Deployment', namespace: NS, name: 'web' };
  const toInventory = { to: [{ podSelector: { matchLabels: { app: 'inventory' } } }], ports: [{ port: 3550 }] };
  const admitted = (egress: unknown[]) => {
    const snapshot = cluster((s) => {
      shop(s);
      policy(s, 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress });
    });
    const graph = buildGraph(snapshot);
    return admitsEveryCall(snapshot, graph, snapshot.networkPolicies[0]!, web);
  };
  // Calls go by Service name: each starts with a lookup the policy refuses.
  assert.equal(admitted([toInventory]), false);
  assert.equal(admitted([toInventory, { ports: [{ protocol: 'UDP', port: 53 }] }]), true);
  assert.equal(admitted([{ ports: [{ protocol: 'UDP', port: 53 }] }]), false);
});

test('a rule with a port range (port to endPort) admits the callers on every port inside it, and none outside', () => {
  const ranged = (port: number, endPort: number) =>
    cluster((s) => {
      shop(s);
      policy(s, 'inventory-range', {
        podSelector: { matchLabels: { app: 'inventory' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port, endPort }] }],
      });
      logs(s, 'orders', ['dial tcp 10.0.0.5:3550: i/o timeout']);
    });
  assert.deepEqual(detect(networkPolicy, ranged(3500, 3600)), []);
  assert.deepEqual(named(detect(networkPolicy, ranged(3600, 3700))), [
    'NetworkPolicy/shop/inventory-range network-policy',
  ]);
});

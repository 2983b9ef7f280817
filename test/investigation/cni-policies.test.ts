import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asNetworkPolicies, cniPolicyKinds } from '../../src/investigation/evidence/cni-policies.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import type { ServedGroup } from '../../src/investigation/evidence/routing-objects.ts';

const groups: ServedGroup[] = [
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resources: [{ kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, version: 'v1' }],
  },
  {
    group: 'cilium.io',
    version: 'v2',
    resources: [
      { kind: 'CiliumNetworkPolicy', plural: 'ciliumnetworkpolicies', namespaced: true, version: 'v2' },
      {
        kind: 'CiliumClusterwideNetworkPolicy',
        plural: 'ciliumclusterwidenetworkpolicies',
        namespaced: false,
        version: 'v2',
      },
      { kind: 'CiliumEndpoint', plural: 'ciliumendpoints', namespaced: true, version: 'v2' },
    ],
  },
];

describe("the network plugin's own policies", () => {
  it('are the served kinds named …NetworkPolicy outside Kubernetes’ own groups, namespaced or clusterwide', () => {
    assert.deepEqual(
      cniPolicyKinds(groups).map((k) => `${k.kind}:${k.namespaced}`),
      ['CiliumNetworkPolicy:true', 'CiliumClusterwideNetworkPolicy:false'],
    );
  });

  it('read a Cilium policy as a NetworkPolicy: endpoint selector, namespace label, ports, its own kind', () => {
    const policy: CustomObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'ledger-db-callers', namespace: 'vault' },
      spec: {
        endpointSelector: { matchLabels: { 'k8s:app': 'ledger-db' } },
        ingress: [
          {
            fromEndpoints: [
              { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'accounts' } },
              { matchLabels: { role: 'backup' } },
            ],
            toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
          },
        ],
      },
    };
    const [read] = asNetworkPolicies([policy], cniPolicyKinds(groups));
    assert.equal(read?.kind, 'CiliumNetworkPolicy');
    assert.deepEqual(read?.spec?.podSelector, { matchLabels: { app: 'ledger-db' } });
    assert.deepEqual(read?.spec?.policyTypes, ['Ingress']);
    assert.deepEqual(read?.spec?.ingress?.[0]?.ports, [{ port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(read?.spec?.ingress?.[0]?.from, [
      {
        podSelector: { matchLabels: {} },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'accounts' } },
      },
      // A selector naming no namespace means the policy's own.
      {
        podSelector: { matchLabels: { role: 'backup' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } },
      },
    ]);
  });

  it('reads Cilium rules by address or DNS name as admitting no pod; a rule naming no peer admits all on its ports', () => {
    const policy: CustomObject = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'planner-egress', namespace: 'dispatch' },
      spec: {
        endpointSelector: { matchLabels: { app: 'planner' } },
        egress: [
          { toFQDNs: [{ matchName: 'maps.vendor.example' }] },
          { toCIDRSet: [{ cidr: '10.40.0.0/16', except: ['10.40.9.0/24'] }], toCIDR: ['192.0.2.7/32'] },
          { toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        ],
      },
    };
    const [read] = asNetworkPolicies([policy], cniPolicyKinds(groups));
    assert.deepEqual(read?.spec?.egress, [
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/0'] } }] },
      {
        to: [{ ipBlock: { cidr: '192.0.2.7/32' } }, { ipBlock: { cidr: '10.40.0.0/16', except: ['10.40.9.0/24'] } }],
      },
      { ports: [{ port: 443, protocol: 'TCP' }] },
    ]);
  });

  it('reads a Calico policy by its selector expressions and Allow rules only', () => {
    const policy: CustomObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'queue-allowlist' },
      spec: {
        selector: 'app == \'queue\' && tier == "data"',
        types: ['Ingress'],
        ingress: [
          { action: 'Deny', source: { namespaceSelector: "team == 'guests'" } },
          { action: 'Allow', source: { namespaceSelector: "team == 'billing'" }, destination: { ports: [5672] } },
        ],
      },
    };
    const kinds = [
      {
        group: 'projectcalico.org',
        version: 'v3',
        plural: 'globalnetworkpolicies',
        kind: 'GlobalNetworkPolicy',
        namespaced: false,
      },
    ];
    const [read] = asNetworkPolicies([policy], kinds);
    assert.equal(read?.metadata?.namespace, undefined);
    assert.deepEqual(read?.spec?.podSelector, { matchLabels: { app: 'queue', tier: 'data' } });
    assert.equal(read?.spec?.ingress?.length, 1);
    assert.deepEqual(read?.spec?.ingress?.[0]?.from?.[0]?.namespaceSelector, { matchLabels: { team: 'billing' } });
    assert.deepEqual(read?.spec?.ingress?.[0]?.ports, [{ port: 5672 }]);
  });

  it("reads Calico's Pass as letting the rest on, a rule by address only as admitting no pod, set and namespace terms", () => {
    const policy: CustomObject = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'lab-deny' },
      spec: {
        selector: "projectcalico.org/namespace in {'orchard', 'cellar'} && tier != 'edge' && has(owner)",
        types: ['Ingress'],
        ingress: [
          { action: 'Deny', source: { nets: ['172.20.0.0/16'] } },
          { action: 'Allow', protocol: 'TCP', source: { nets: ['10.50.8.0/24'] }, destination: { ports: [5432] } },
          {
            action: 'Allow',
            source: { selector: "projectcalico.org/namespace == 'orchard' && role == 'picker'" },
          },
          { action: 'Pass' },
        ],
      },
    };
    const kinds = [
      {
        group: 'crd.projectcalico.org',
        version: 'v1',
        plural: 'globalnetworkpolicies',
        kind: 'GlobalNetworkPolicy',
        namespaced: false,
      },
    ];
    const [read] = asNetworkPolicies([policy], kinds);
    // The namespace terms of the policy's own selector cannot select pods by label: they are left out (not required).
    assert.deepEqual(read?.spec?.podSelector, {
      matchLabels: {},
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['edge'] },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    const [byAddress, pickers, pass] = read?.spec?.ingress ?? [];
    assert.deepEqual(byAddress?.from, [{ ipBlock: { cidr: '10.50.8.0/24' } }]);
    assert.deepEqual(byAddress?.ports, [{ port: 5432, protocol: 'TCP' }]);
    assert.deepEqual(pickers?.from, [
      {
        podSelector: { matchLabels: { role: 'picker' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'orchard' } },
      },
    ]);
    // Pass hands everything on: like a rule with no peers and no ports, it admits all.
    assert.deepEqual(pass, {});
  });
});

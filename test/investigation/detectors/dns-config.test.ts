import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsConfig } from '../../../src/investigation/detectors/dns-config.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const corefile = (kubernetesBlock: string) => `.:53 {
    errors
    health
${kubernetesBlock}
    forward . /etc/resolv.conf
    cache 30
    reload
}
`;
const SERVES_ALL = `    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
    }`;

/** The cluster DNS's ConfigMap in kube-system, last edited at `changedAt`. */
const dnsConfigMap = (s: ClusterSnapshot, Corefile: string, changedAt = '2026-10-01T00:00:00Z') =>
  s.configMaps.push({
    metadata: {
      name: 'dns-server',
      namespace: 'kube-system',
      creationTimestamp: '2026-10-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: changedAt }],
    },
    data: { Corefile },
  });

const lookupsFail = (s: ClusterSnapshot) => {
  app(s, 'basket', { env: [{ name: 'PRICES_URL', value: 'http://prices:8080' }] });
  app(s, 'prices');
  logs(s, 'basket', [
    '2026-11-20T10:21:00Z Error: getaddrinfo ENOTFOUND prices prices:8080',
    '2026-11-20T10:28:00Z Error: getaddrinfo ENOTFOUND prices prices:8080',
  ]);
};

test("a Corefile serving only some namespaces names the ConfigMap when the failing pods' namespace is not among them", () => {
  const snapshot = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(
      s,
      corefile(`    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       namespaces kube-system default monitoring
    }`),
    );
  });
  const findings = detect(dnsConfig, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/kube-system/dns-server dns']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'basket' }]);
  assert.match(findings[0]?.summary ?? '', /namespaces kube-system, default, monitoring: names of Services in shop/);
});

test('a qualified name looked up in a served namespace does not blame the filter', () => {
  const snapshot = cluster((s) => {
    app(s, 'basket');
    logs(s, 'basket', [
      '2026-11-20T10:28:00Z lookup prices.monitoring.svc.cluster.local on 10.96.0.10:53: no such host',
    ]);
    dnsConfigMap(s, corefile('    kubernetes cluster.local {\n       namespaces monitoring\n    }'));
  });
  assert.deepEqual(detect(dnsConfig, snapshot), []);
});

test('a Corefile without a kubernetes plugin for the cluster domain is a finding', () => {
  const snapshot = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(s, corefile(''));
  });
  assert.deepEqual(named(detect(dnsConfig, snapshot)), ['ConfigMap/kube-system/dns-server dns']);
});

test('a Corefile changed shortly before lookups began to fail is a weak suspect; an old one that looks right is none', () => {
  const recent = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(s, corefile(SERVES_ALL), '2026-11-20T10:15:00Z');
  });
  const [finding] = detect(dnsConfig, recent);
  assert.equal(finding?.entity.name, 'dns-server');
  assert.ok((finding?.strength ?? 1) <= 0.5);
  assert.equal(finding?.changedAt, '2026-11-20T10:15:00Z');

  const untouched = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(s, corefile(SERVES_ALL));
  });
  assert.deepEqual(detect(dnsConfig, untouched), []);
});

test('no failed lookups: the DNS configuration is not examined', () => {
  const snapshot = cluster((s) => {
    app(s, 'basket');
    dnsConfigMap(s, corefile(''));
  });
  assert.deepEqual(detect(dnsConfig, snapshot), []);
});

// A hosts plugin for a few outside names, in the server block that serves the cluster domain.
const withHosts = (hostsBlock: string) => `.:53 {
    errors
    ready
${hostsBlock}
${SERVES_ALL}
    forward . /etc/resolv.conf
    reload
}
`;

test('a hosts plugin without fallthrough in the root block answers every Service name NXDOMAIN before kubernetes', () => {
  const snapshot = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(
      s,
      withHosts(`    hosts {
      192.0.2.10 ftp.supplier.example
      192.0.2.11 edi.supplier.example
    }`),
      '2026-11-20T10:15:00Z',
    );
  });
  const findings = detect(dnsConfig, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/kube-system/dns-server dns']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.9);
  assert.match(
    findings[0]?.summary ?? '',
    /hosts plugin for \. without fallthrough \(it lists only ftp\.supplier\.example/,
  );
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'basket' }]);
});

test('a hosts file plugin whose zones take in the cluster domain shadows it too, in a block of the cluster domain', () => {
  const snapshot = cluster((s) => {
    lookupsFail(s);
    dnsConfigMap(
      s,
      `cluster.local:53 {
    errors
    hosts /etc/coredns/extra.hosts local
${SERVES_ALL}
}
.:53 {
    forward . /etc/resolv.conf
}
`,
    );
  });
  const findings = detect(dnsConfig, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/kube-system/dns-server dns']);
  assert.match(findings[0]?.summary ?? '', /hosts plugin for local without fallthrough/);
});

test('a hosts plugin that falls through, or answers only a zone of its own, leaves the cluster domain to kubernetes', () => {
  for (const hostsBlock of [
    '    hosts {\n      192.0.2.10 ftp.supplier.example\n      fallthrough\n    }',
    '    hosts /etc/hosts supplier.example {\n      192.0.2.10 ftp.supplier.example\n    }',
  ]) {
    const snapshot = cluster((s) => {
      lookupsFail(s);
      dnsConfigMap(s, withHosts(hostsBlock));
    });
    assert.deepEqual(detect(dnsConfig, snapshot), [], hostsBlock);
  }
});

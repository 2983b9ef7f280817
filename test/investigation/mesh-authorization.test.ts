import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { governingResource } from '../../src/investigation/detectors/governing-resource.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { buildGraph } from '../../src/investigation/evidence/graph.ts';
import { governedWorkloads } from '../../src/investigation/evidence/policy-targets.ts';
import { refusalsIn } from '../../src/investigation/evidence/governing-resources.ts';
import { errorLines } from '../../src/investigation/tools/error-lines.ts';
import { cluster, app, logs, NS, OLD, podOf } from './support/cluster.ts';
import { detect } from './support/detect.ts';
import { replayScenarioFile } from './support/replay.ts';

// Principle: a request refused by the data plane of a mesh or a gateway (the proxy beside the server, or the gateway in
// front of it) is refused by a policy object that selects the server's pods — by a label selector, or by a targetRef to
// the Service, the route or another object that selects them — or that such a policy requires (the identities it
// admits). The server's application never sees the request and logs nothing; its proxy says what it refused. The
// policy changed shortly before is the cause (type `other`); the server and its callers are victims. A refusal the
// server's application answers itself is not the data plane's, and no policy selecting it is blamed for it.

const customObject = (kind: string, name: string, spec: unknown, namespace = NS): CustomObject =>
  ({ apiVersion: 'security.meshy.example/v1', kind, metadata: { name, namespace }, spec }) as CustomObject;

describe('which workloads a policy governs, by its shape', () => {
  const snapshot = cluster((s) => {
    app(s, 'ledger-core', { labels: { app: 'ledger-core', tier: 'core' } });
    app(s, 'teller-ui', { labels: { app: 'teller-ui' } });
  });
  const graph = buildGraph(snapshot);
  const names = (object: CustomObject) => governedWorkloads(object, snapshot, graph).map((ref) => ref.name);

  it('reads a label selector of pods, bare or as matchLabels, in its own namespace only', () => {
    assert.deepEqual(names(customObject('GuardPolicy', 'a', { selector: { matchLabels: { tier: 'core' } } })), [
      'ledger-core',
    ]);
    assert.deepEqual(names(customObject('GuardPolicy', 'b', { workloadSelector: { app: 'teller-ui' } })), [
      'teller-ui',
    ]);
    assert.deepEqual(
      names(customObject('GuardPolicy', 'c', { selector: { matchLabels: { tier: 'core' } } }, 'elsewhere')),
      [],
    );
  });

  it('follows a targetRef to a Service, and to an object that selects pods itself', () => {
    assert.deepEqual(
      names(customObject('GuardPolicy', 'd', { targetRefs: [{ kind: 'Service', name: 'teller-ui' }] })),
      ['teller-ui'],
    );
    snapshot.customObjects.push(
      customObject('PortServer', 'ledger-http', { podSelector: { matchLabels: { app: 'ledger-core' } }, port: 8080 }),
    );
    const policy = customObject('GuardPolicy', 'e', {
      targetRef: { kind: 'PortServer', name: 'ledger-http' },
      requiredPeerRefs: [{ kind: 'PeerAuthentication', name: 'ledger-peers' }],
    });
    snapshot.customObjects.push(policy);
    assert.deepEqual(names(policy), ['ledger-core']);
    // The identities the policy requires govern what it governs: the rule is split over the two.
    assert.deepEqual(names(customObject('PeerAuthentication', 'ledger-peers', { identities: ['x'] })), ['ledger-core']);
  });

  it('governs nothing without a selector or a targetRef (a namespace default, a broker user)', () => {
    assert.deepEqual(names(customObject('PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } })), []);
    assert.deepEqual(names(customObject('QueueUser', 'teller-ui', { permissions: [{ vhost: '/' }] })), []);
  });
});

describe('a peer without the mesh identity, dropped by a proxy that requires mutual TLS', () => {
  it('is a refusal the proxy logs in an access line with no word of failure, kept when its log is read', () => {
    const line =
      '2026-11-20T10:14:00Z [2026-11-20T10:14:00Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" 10.3.0.9:8443 10.3.1.7:51000';
    assert.deepEqual(refusalsIn([line]), ['authorization']);
    assert.deepEqual(errorLines(`2026-11-20T10:13:00Z listener ready\n${line}`).lines, [line]);
  });
});

describe('a refusal answered by the server application itself', () => {
  it('blames no policy that selects the server, however recently it changed', () => {
    const snapshot = cluster((s) => {
      app(s, 'ledger-core', { labels: { app: 'ledger-core' } });
      app(s, 'teller-ui', { env: [{ name: 'LEDGER_URL', value: 'http://ledger-core:8080' }] });
      s.customObjects.push({
        ...customObject('GuardPolicy', 'ledger-core', {
          selector: { matchLabels: { app: 'ledger-core' } },
          rules: [{ from: [{ principals: ['cluster.local/ns/shop/sa/teller-ui'] }] }],
        }),
        metadata: {
          name: 'ledger-core',
          namespace: NS,
          creationTimestamp: OLD,
          managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-11-20T10:10:00Z' }],
        },
      } as CustomObject);
      // The application's own answer: its log, one container, no word of a data plane.
      logs(s, 'ledger-core', ['2026-11-20T10:21:00Z WARN 403 Forbidden: account 7781 is frozen for teller-ui']);
      logs(s, 'teller-ui', ['2026-11-20T10:21:00Z ERROR ledger-core answered 403 Forbidden (account frozen)']);
    });
    const findings = detect(governingResource, snapshot);
    assert.deepEqual(
      findings.map((f) => f.entity.name),
      [],
      'a policy selecting a server whose application refuses on its own is not the rule refusing',
    );
    // The same refusal, logged by the proxy beside the server: the policy that selects it is the rule.
    const pod = podOf(snapshot, 'ledger-core');
    pod.spec?.containers.push({ name: 'mesh-sidecar', image: 'registry.example/meshy/proxy:1.4' });
    pod.status?.containerStatuses?.push({
      name: 'mesh-sidecar',
      image: 'registry.example/meshy/proxy:1.4',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { running: { startedAt: OLD } },
    });
    snapshot.logs = snapshot.logs.filter((log) => !log.pod.startsWith('ledger-core-'));
    snapshot.logs.push({
      namespace: NS,
      pod: pod.metadata?.name ?? '',
      container: 'mesh-sidecar',
      previous: false,
      lines: ['2026-11-20T10:21:00Z inbound "POST /v1/entries HTTP/1.1" 403 - rbac_access_denied_matched_policy[none]'],
    });
    const blamed = detect(governingResource, snapshot);
    assert.deepEqual(
      blamed.map((f) => [f.entity.kind, f.entity.name]),
      [['GuardPolicy', 'ledger-core']],
    );
  });
});

describe('an allow-list that admits the refused caller', () => {
  it('is not the rule refusing it; the one changed beside it that does not admit the caller is', () => {
    const changed = (name: string, spec: unknown): CustomObject =>
      ({
        ...customObject('GuardPolicy', name, spec),
        metadata: {
          name,
          namespace: NS,
          creationTimestamp: OLD,
          managedFields: [{ manager: 'gitops-sync', operation: 'Update', time: '2026-11-20T10:10:00Z' }],
        },
      }) as CustomObject;
    const snapshot = cluster((s) => {
      app(s, 'ledger-core', { labels: { app: 'ledger-core' } });
      app(s, 'teller-ui', { env: [{ name: 'LEDGER_URL', value: 'http://ledger-core:8080' }] });
      const caller = podOf(s, 'teller-ui');
      caller.status = { ...caller.status, podIP: '10.9.0.44' };
      caller.spec = { ...caller.spec, containers: caller.spec?.containers ?? [], serviceAccountName: 'teller' };
      const server = podOf(s, 'ledger-core');
      server.spec?.containers.push({ name: 'mesh-sidecar', image: 'registry.example/meshy/proxy:1.4' });
      server.status?.containerStatuses?.push({
        name: 'mesh-sidecar',
        image: 'registry.example/meshy/proxy:1.4',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: OLD } },
      });
      s.customObjects.push(
        // Lists the caller's identity, under an ALLOW action: it admits teller-ui.
        changed('ledger-core-tellers', {
          selector: { matchLabels: { app: 'ledger-core' } },
          action: 'ALLOW',
          rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/teller'] } }] }],
        }),
        // Denies by path what the caller asks for: the rule behind the refusals.
        changed('ledger-core-writes', {
          selector: { matchLabels: { app: 'ledger-core' } },
          action: 'DENY',
          rules: [{ to: [{ operation: { methods: ['POST'], paths: ['/v1/entries'] } }] }],
        }),
      );
      s.logs.push({
        namespace: NS,
        pod: server.metadata?.name ?? '',
        container: 'mesh-sidecar',
        previous: false,
        lines: [
          '2026-11-20T10:21:00Z "POST /v1/entries HTTP/1.1" 403 - rbac_access_denied_matched_policy 10.9.0.44:52100',
        ],
      });
    });
    const findings = detect(governingResource, snapshot);
    assert.deepEqual(
      findings.map((f) => f.entity.name),
      ['ledger-core-writes'],
    );
  });
});

// ---- Through the production path: scenario files served by the simulation, investigated by the real client. ----

const NOW = '2026-11-20T10:30:00Z';
const ONSET = '2026-11-20T10:12:00Z';
const LONG_AGO = '2026-08-01T08:00:00Z';

type Obj = Record<string, unknown>;

interface Workload {
  name: string;
  namespace: string;
  ip: string;
  labels?: Record<string, string>;
  env?: { name: string; value: string }[];
  /** The container beside the application that its pods run, injected at admission (not in the template). */
  sidecar?: string;
  serviceAccount?: string;
}

/** A Deployment, its ReplicaSet, one ready pod (with the injected sidecar, if any), a Service and its Endpoints. */
function workload(w: Workload): Obj[] {
  const labels = w.labels ?? { app: w.name };
  const meta = (name: string, extra: Obj = {}) => ({
    name,
    namespace: w.namespace,
    uid: `${w.namespace}-${name}-${String(extra.kind ?? '')}`,
    creationTimestamp: LONG_AGO,
    ...extra,
  });
  const template = {
    metadata: { labels },
    spec: {
      serviceAccountName: w.serviceAccount ?? w.name,
      containers: [{ name: 'app', image: `registry.example/${w.name}:2.0`, env: w.env ?? [] }],
    },
  };
  const rs = `${w.name}-6d9f8b7c5`;
  const containers = [
    { name: 'app', image: `registry.example/${w.name}:2.0`, env: w.env ?? [] },
    ...(w.sidecar ? [{ name: w.sidecar, image: 'registry.example/meshy/proxy:1.4' }] : []),
  ];
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        ...meta(w.name),
        uid: `dep-${w.namespace}-${w.name}`,
        annotations: { 'deployment.kubernetes.io/revision': '3' },
      },
      spec: { replicas: 1, selector: { matchLabels: labels }, template },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        ...meta(rs),
        uid: `rs-${w.namespace}-${w.name}`,
        annotations: { 'deployment.kubernetes.io/revision': '3' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: w.name,
            uid: `dep-${w.namespace}-${w.name}`,
            controller: true,
          },
        ],
      },
      spec: { replicas: 1, selector: { matchLabels: labels }, template },
      status: { replicas: 1, readyReplicas: 1 },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...meta(`${rs}-x7k2p`),
        uid: `pod-${w.namespace}-${w.name}`,
        labels: { ...labels, 'pod-template-hash': '6d9f8b7c5' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${w.namespace}-${w.name}`, controller: true },
        ],
      },
      spec: { nodeName: 'node-1', serviceAccountName: w.serviceAccount ?? w.name, containers },
      status: {
        phase: 'Running',
        podIP: w.ip,
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: LONG_AGO } },
        })),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(w.name),
      spec: {
        selector: labels,
        clusterIP: `10.96.${w.ip.split('.').slice(2).join('.')}`,
        ports: [{ port: 8080, targetPort: 8080 }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta(w.name),
      subsets: [
        {
          addresses: [{ ip: w.ip, targetRef: { kind: 'Pod', name: `${rs}-x7k2p`, namespace: w.namespace } }],
          ports: [{ port: 8080 }],
        },
      ],
    },
  ];
}

const podName = (name: string) => `${name}-6d9f8b7c5-x7k2p`;

/** A custom object of the mesh's policy group, last changed at `changedAt`. */
function policy(kind: string, name: string, namespace: string, spec: Obj, changedAt = LONG_AGO): Obj {
  return {
    apiVersion: 'policy.meshy.example/v1',
    kind,
    metadata: {
      name,
      namespace,
      uid: `${kind}-${name}`,
      creationTimestamp: LONG_AGO,
      managedFields: [
        { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'policy.meshy.example/v1', time: changedAt },
      ],
    },
    spec,
  };
}

function scenario(id: string, alert: Obj, objects: Obj[], logLines: Obj[], culprit: Obj): string {
  const namespaces = [...new Set(objects.map((o) => (o.metadata as { namespace?: string }).namespace).filter(Boolean))];
  const file = join(mkdtempSync(join(tmpdir(), 'mesh-authorization-')), `${id}.json`);
  const body = {
    apiVersion: 'scenario/v1',
    id,
    title: id,
    description:
      'invented for the principle: a request refused by the data plane is refused by the policy that selects the server',
    now: NOW,
    alert,
    cluster: {
      objects: [
        ...namespaces.map((name) => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name,
            uid: `ns-${name}`,
            creationTimestamp: LONG_AGO,
            labels: { 'meshy.example/inject': 'enabled' },
          },
        })),
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-1', uid: 'node-1', creationTimestamp: LONG_AGO },
          status: {
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: LONG_AGO }],
            allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
          },
        },
        ...objects,
      ],
      logs: logLines,
    },
    groundTruth: { rootCause: [culprit], faultType: 'other' },
  };
  writeFileSync(file, JSON.stringify(body));
  return file;
}

const quietApp = (namespace: string, name: string, what: string) => ({
  namespace,
  pod: podName(name),
  container: 'app',
  lines: [`2026-11-20T10:05:00Z INFO ${what} 200 in 12ms`, `2026-11-20T10:25:00Z INFO ${what} 200 in 11ms`],
});

describe('a request refused by the proxy beside a server that logs nothing wrong', () => {
  it('names the permission that targets the server through its Service, read from the proxy the collector reads', async () => {
    // The alert is on the server; its application is quiet; the proxy says it refused an unauthorized route; the
    // permission targeting its Service was edited shortly before (an identity dropped). The caller says nothing.
    const objects = [
      ...workload({ name: 'stock-ledger', namespace: 'depot', ip: '10.4.1.20', sidecar: 'meshy-proxy' }),
      ...workload({
        name: 'order-intake',
        namespace: 'depot',
        ip: '10.4.1.31',
        sidecar: 'meshy-proxy',
        env: [{ name: 'LEDGER_ADDR', value: 'http://stock-ledger.depot:8080' }],
      }),
      policy(
        'TrafficPermission',
        'ledger-callers',
        'depot',
        {
          targetRef: { kind: 'Service', name: 'stock-ledger' },
          from: [{ identities: ['picking-robot.depot.serviceaccount.identity.meshy.local'] }],
        },
        '2026-11-20T10:08:00Z',
      ),
      policy('TrafficPermission', 'probes', 'depot', {
        targetRef: { kind: 'Service', name: 'order-intake' },
        from: [{ networks: ['10.4.0.0/16'] }],
      }),
    ];
    const file = scenario(
      'depot-permission-dropped',
      {
        source: 'alertmanager',
        title: 'LedgerErrorRatio',
        labels: { alertname: 'LedgerErrorRatio', namespace: 'depot', service: 'stock-ledger', severity: 'critical' },
        annotations: { summary: 'stock-ledger non-2xx ratio 0.9 over 5m' },
        startsAt: ONSET,
      },
      objects,
      [
        quietApp('depot', 'stock-ledger', 'GET /v2/stock'),
        {
          namespace: 'depot',
          pod: podName('stock-ledger'),
          container: 'meshy-proxy',
          lines: [
            '2026-11-20T10:09:00Z INFO inbound:server{port=8080}: request failed error=client 10.4.1.31:50122: unauthorized request on route',
            '2026-11-20T10:24:00Z INFO inbound:server{port=8080}: request failed error=client 10.4.1.31:50410: unauthorized request on route',
          ],
        },
        quietApp('depot', 'order-intake', 'POST /v1/orders'),
      ],
      { kind: 'TrafficPermission', namespace: 'depot', name: 'ledger-callers' },
    );
    const { result, requests } = await replayScenarioFile(file);
    assert.deepEqual(result.rootCause, { kind: 'TrafficPermission', namespace: 'depot', name: 'ledger-callers' });
    assert.equal(result.faultType, 'other');
    const proxyReads = requests.filter((r) => r.path.endsWith('/log') && r.query?.container === 'meshy-proxy');
    assert.equal(proxyReads.length, 1, 'one proxy log: the quiet server the alert points at');
  });

  it('names the authentication a selecting policy requires, when a caller in another namespace quotes the mesh', async () => {
    // The caller (alerted) lives elsewhere and quotes the mesh's refusal; the server's policy selects its pods by label
    // and requires a set of identities, the object that changed. The server's own log is quiet; its proxy is read.
    const objects = [
      ...workload({
        name: 'claims-portal',
        namespace: 'frontdesk',
        ip: '10.7.2.11',
        sidecar: 'meshy-proxy',
        env: [{ name: 'RATING_URL', value: 'http://rating-engine.actuarial.svc.cluster.local:8080/v3' }],
      }),
      ...workload({
        name: 'rating-engine',
        namespace: 'actuarial',
        ip: '10.7.3.40',
        sidecar: 'meshy-proxy',
        labels: { 'app.kubernetes.io/name': 'rating-engine' },
      }),
      policy('AccessPolicy', 'rating-engine-access', 'actuarial', {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'rating-engine' } },
        requiredAuthenticationRefs: [{ kind: 'PeerAuthentication', name: 'rating-clients' }],
      }),
      policy(
        'PeerAuthentication',
        'rating-clients',
        'actuarial',
        { identities: ['claims-batch.frontdesk.serviceaccount.identity.meshy.local'] },
        '2026-11-20T10:10:00Z',
      ),
    ];
    const file = scenario(
      'actuarial-identities-replaced',
      {
        source: 'pagerduty',
        title: 'claims-portal: quote step failing for all users',
        startsAt: ONSET,
      },
      objects,
      [
        {
          namespace: 'frontdesk',
          pod: podName('claims-portal'),
          container: 'app',
          lines: [
            '2026-11-20T10:13:00Z ERROR quote failed: POST http://rating-engine.actuarial.svc.cluster.local:8080/v3/quote -> 403 "RBAC: access denied"',
            '2026-11-20T10:26:00Z ERROR quote failed: POST http://rating-engine.actuarial.svc.cluster.local:8080/v3/quote -> 403 "RBAC: access denied"',
          ],
        },
        quietApp('actuarial', 'rating-engine', 'POST /v3/quote'),
        {
          namespace: 'actuarial',
          pod: podName('rating-engine'),
          container: 'meshy-proxy',
          lines: [
            '2026-11-20T10:13:00Z "POST /v3/quote HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] 10.7.2.11:40110',
          ],
        },
      ],
      { kind: 'PeerAuthentication', namespace: 'actuarial', name: 'rating-clients' },
    );
    const { result } = await replayScenarioFile(file);
    assert.deepEqual(result.rootCause, { kind: 'PeerAuthentication', namespace: 'actuarial', name: 'rating-clients' });
    assert.equal(result.faultType, 'other');
    assert.ok(!result.hypotheses.some((h) => h.entity.kind === 'Secret'), 'a policy refusal is no bad credential');
  });
  it('names the transport policy made strict for a server whose plaintext caller, outside the mesh, is reset', async () => {
    // The caller runs without a sidecar in a namespace the mesh does not inject; it logs resets naming the server's
    // host. The server's application is quiet; its proxy drops the plaintext connections. A policy selecting the
    // server by a bare label map was made strict shortly before; the namespace-wide one is old and selects nothing.
    const objects = [
      ...workload({
        name: 'scan-uploader',
        namespace: 'intake',
        ip: '10.5.8.12',
        env: [{ name: 'INDEX_ENDPOINT', value: 'http://vault-index.archive:8080' }],
      }),
      ...workload({ name: 'vault-index', namespace: 'archive', ip: '10.5.9.30', sidecar: 'meshy-proxy' }),
      policy('TransportPolicy', 'archive-default', 'archive', { mtls: { mode: 'PERMISSIVE' } }),
      policy(
        'TransportPolicy',
        'vault-index-strict',
        'archive',
        { workloadSelector: { app: 'vault-index' }, mtls: { mode: 'STRICT' } },
        '2026-11-20T10:09:00Z',
      ),
    ];
    const file = scenario(
      'archive-strict-transport',
      {
        source: 'alertmanager',
        title: 'UploaderForwardFailures',
        labels: { alertname: 'UploaderForwardFailures', namespace: 'intake', service: 'scan-uploader' },
        startsAt: ONSET,
      },
      objects,
      [
        {
          namespace: 'intake',
          pod: podName('scan-uploader'),
          container: 'app',
          lines: [
            '2026-11-20T10:12:30Z ERROR index call failed: read ECONNRESET (http://vault-index.archive:8080/v1/documents)',
            '2026-11-20T10:27:30Z ERROR index call failed: read ECONNRESET (http://vault-index.archive:8080/v1/documents)',
          ],
        },
        quietApp('archive', 'vault-index', 'GET /v1/documents'),
        {
          namespace: 'archive',
          pod: podName('vault-index'),
          container: 'meshy-proxy',
          lines: [
            '2026-11-20T10:12:30Z [2026-11-20T10:12:30Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" 10.5.9.30:8080 10.5.8.12:40022',
          ],
        },
      ],
      { kind: 'TransportPolicy', namespace: 'archive', name: 'vault-index-strict' },
    );
    const { result } = await replayScenarioFile(file);
    assert.deepEqual(result.rootCause, { kind: 'TransportPolicy', namespace: 'archive', name: 'vault-index-strict' });
    assert.equal(result.faultType, 'other');
  });
});

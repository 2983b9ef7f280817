import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicePort } from '../../../src/investigation/detectors/service-port.ts';
import { app, cluster, NOW, NS, service } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

/** Ten minutes before the snapshot: a change new enough to have started the symptom. */
const RECENT = new Date(Date.parse(NOW) - 10 * 60_000).toISOString();

test('a targetPort no container exposes names the Service and proposes the container port', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001, changedAt: RECENT });
  });
  const findings = detect(servicePort, snapshot);
  assert.deepEqual(named(findings), ['Service/shop/quotes service-port']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'set-service-port',
    namespace: 'shop',
    name: 'quotes',
    port: 80,
    targetPort: 7000,
  });
});

test('a named targetPort that the container declares is fine', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false, container: { ports: [{ name: 'grpc', containerPort: 7000 }] } });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 'grpc' });
  });
  assert.deepEqual(detect(servicePort, snapshot), []);
});

test('a pod with a container that declares no ports cannot prove the targetPort wrong', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    const pod = s.pods[0];
    pod?.spec?.containers.push({ name: 'sidecar', image: 'proxy' });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
  });
  assert.deepEqual(detect(servicePort, snapshot), []);
});

test('a long-standing second port that the container merely does not declare is no fault', () => {
  const snapshot = cluster((s) => {
    app(s, 'queue', { port: 5672, service: false });
    service(s, 'queue', { selector: { app: 'queue' }, port: 5672, targetPort: 5672 });
    s.services[0]?.spec?.ports?.push({ name: 'management', port: 15672, targetPort: 15672 });
  });
  assert.deepEqual(detect(servicePort, snapshot), []);
});

test('the same undeclared second port, just edited on the Service, is named', () => {
  const snapshot = cluster((s) => {
    app(s, 'queue', { port: 5672, service: false });
    service(s, 'queue', { selector: { app: 'queue' }, port: 5672, targetPort: 5672 });
    const queue = s.services[0]!;
    queue.spec?.ports?.push({ name: 'amqp-tls', port: 5671, targetPort: 5670 });
    queue.metadata!.managedFields = [{ manager: 'kubectl-edit', operation: 'Update', time: s.now }];
  });
  assert.deepEqual(named(detect(servicePort, snapshot)), ['Service/shop/queue service-port']);
});

/** Endpoints as the endpoints controller keeps them: ready pods listed under the Service port's name. */
function endpoints(s: Parameters<Parameters<typeof cluster>[0]>[0], name: string, portName: string, ready: boolean) {
  const pod = s.pods[0];
  const address = { ip: '10.1.0.9', targetRef: { kind: 'Pod', namespace: NS, name: pod?.metadata?.name ?? '' } };
  s.endpoints.push({
    metadata: { name, namespace: NS },
    subsets: [
      {
        ...(ready ? { addresses: [address] } : { notReadyAddresses: [address] }),
        ports: [{ name: portName, port: 8080 }],
      },
    ],
  });
}

// A Service whose named targetPort `web` the pods (ports named `http`) do not declare, changed recently, with Endpoints
// that list the pod's address ready or not ready under the port.
const namedPortMismatch = (endpointsReady: boolean) =>
  cluster((s) => {
    app(s, 'quotes', {
      port: 8080,
      service: false,
      changedAt: RECENT,
      container: { ports: [{ name: 'http', containerPort: 8080 }] },
    });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 'web', changedAt: RECENT });
    endpoints(s, 'quotes', 'main', endpointsReady);
  });

test('a named targetPort the pods read do not declare, which the Endpoints list ready addresses under, is no fault', () => {
  assert.deepEqual(detect(servicePort, namedPortMismatch(true)), []);
});

test('the same named targetPort with Endpoints that list no ready address under it is named', () => {
  assert.deepEqual(named(detect(servicePort, namedPortMismatch(false))), ['Service/shop/quotes service-port']);
});

test('a mismatch between a Service and pods that have all stood unchanged for days is a standing condition', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
  });
  assert.deepEqual(detect(servicePort, snapshot), []);
});

test('the same long-standing mismatch is named when pods just rolled out, or when a connection to it was refused', () => {
  const rolled = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false, changedAt: RECENT });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
  });
  assert.deepEqual(named(detect(servicePort, rolled)), ['Service/shop/quotes service-port']);
  const refused = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
    s.logs.push({
      namespace: NS,
      pod: 'web-1',
      container: 'web',
      previous: false,
      lines: [`${RECENT} error: connect ECONNREFUSED quotes.${NS}:80`],
    });
  });
  assert.deepEqual(named(detect(servicePort, refused)), ['Service/shop/quotes service-port']);
});

test('a mismatch with a Service whose change time was not read is not taken for a standing one', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
    const metadata = s.services.at(-1)?.metadata;
    if (metadata) {
      delete metadata.managedFields;
      delete metadata.creationTimestamp;
    }
  });
  assert.deepEqual(named(detect(servicePort, snapshot)), ['Service/shop/quotes service-port']);
});

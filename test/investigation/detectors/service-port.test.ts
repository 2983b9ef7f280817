import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servicePort } from '../../../src/investigation/detectors/service-port.ts';
import { app, cluster, service } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a targetPort no container exposes names the Service and proposes the container port', () => {
  const snapshot = cluster((s) => {
    app(s, 'quotes', { port: 7000, service: false });
    service(s, 'quotes', { selector: { app: 'quotes' }, port: 80, targetPort: 7001 });
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

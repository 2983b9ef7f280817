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

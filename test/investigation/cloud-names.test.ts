import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudMadeValues, serviceInCloudName } from '../../src/investigation/evidence/cloud-names.ts';

// Made-up cluster: what cloud load-balancer controllers make for its Services carries their names cut short.
const SERVICES = [
  { namespace: 'tidewater', name: 'quay-scheduler', uid: '8f14e45f-ceea-467f-a0e6-9a1d2c3b4e5f', type: 'ClusterIP' },
  {
    namespace: 'tidewater',
    name: 'quay-scheduler-edge',
    uid: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    type: 'LoadBalancer',
  },
  { namespace: 'berth-planning', name: 'crane-api', uid: '0b3d6f2a-7c1e-4a8b-9d5f-3e2c1b0a9f8e', type: 'ClusterIP' },
  { namespace: 'berth', name: 'crane-api', uid: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', type: 'ClusterIP' },
];

test("an AWS target group's name, namespace and name stripped of dashes and cut to 8, is its Service", () => {
  assert.equal(serviceInCloudName('k8s-berthpla-craneapi-3f9a1c0d7e', SERVICES)?.namespace, 'berth-planning');
  // The whole namespace outweighs a cut one that also fits.
  assert.equal(serviceInCloudName('k8s-berth-craneapi-3f9a1c0d7e', SERVICES)?.namespace, 'berth');
});

test("GKE's network endpoint group keeps dashes, a cluster id and a port around the names", () => {
  const found = serviceInCloudName('k8s1-7c3d9e2f-berth-planning-crane-api-8080-3b9f1e2a', SERVICES);
  assert.deepEqual([found?.namespace, found?.name], ['berth-planning', 'crane-api']);
});

test('names cut alike go to the Service a load balancer serves directly; no fit or an even tie names nothing', () => {
  assert.equal(
    serviceInCloudName('net/k8s-tidewate-quaysche-4d1e8a7c2b/9a0b1c2d', SERVICES)?.name,
    'quay-scheduler-edge',
  );
  assert.equal(serviceInCloudName('k8s-harbour-cranes-4d1e8a7c2b', SERVICES), undefined);
  const twins = [
    { namespace: 'ops', name: 'relay-a' },
    { namespace: 'ops', name: 'relay-b' },
  ];
  assert.equal(serviceInCloudName('k8s-ops-relay-4d1e8a7c2b', twins), undefined);
});

test("a classic load balancer's name is `a` and the Service's uid without dashes", () => {
  const elb = `a${'5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'.replaceAll('-', '').slice(0, 31)}`;
  assert.equal(serviceInCloudName(`${elb}-1234567890.eu-west-1.elb.amazonaws.com`, SERVICES)?.namespace, 'berth');
});

test('only values that look made by a controller are taken: a trailing hash after names, or a classic name', () => {
  const labels = {
    alertname: 'TargetGroup5xx',
    target_group: 'k8s-berthpla-craneapi-3f9a1c0d7e',
    load_balancer: 'harbour-edge',
    region: 'eu-west-1',
    team: 'berth-ops-2024',
  };
  assert.deepEqual(cloudMadeValues(labels, new Set(['alertname', 'region'])), ['k8s-berthpla-craneapi-3f9a1c0d7e']);
});

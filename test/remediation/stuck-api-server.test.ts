import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { KubeObjects } from '../../src/remediation/kube-objects.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { NS } from '../investigation/tool-scenario.ts';
import { type StuckApiServer, startStuckApiServer } from '../support/stuck-api-server.ts';

// An API server that stops answering (support/stuck-api-server.ts), as in the investigation's test of the same: a plan's
// reads (deriving it, checking its preconditions, verifying it) must not wait on it for ever either.
let stuck: StuckApiServer;
before(async () => {
  stuck = await startStuckApiServer();
});
after(() => stuck.server.close());

const kube = () => new KubeObjects(simulationKubeConfig(stuck.server.url));

it('answers as before when the API server answers', async () => {
  const deployment = await kube().read({ kind: 'Deployment', namespace: NS, name: 'api' });
  assert.equal(deployment?.metadata?.name, 'api');
  assert.equal(await kube().read({ kind: 'Deployment', namespace: NS, name: 'absent' }), null);
  const replicaSets = await kube().list('ReplicaSet', NS, 'app=api');
  assert.ok(replicaSets.length > 0);
});

it("a plan's read of one object the API server does not answer in time is aborted, saying which", async () => {
  await stuck.timedOut(
    () => kube().read({ kind: 'Deployment', namespace: NS, name: 'api' }),
    `/apis/apps/v1/namespaces/${NS}/deployments/api`,
    new RegExp(`^get Deployment ${NS}/api: no answer within 15 s$`),
  );
});

it('so is its list', async () => {
  await stuck.timedOut(
    () => kube().list('Pod', NS, 'app=api'),
    `/api/v1/namespaces/${NS}/pods`,
    new RegExp(`^list Pod in ${NS} \\(app=api\\): no answer within 15 s$`),
  );
});

it("a plan's writes the API server does not answer in time are aborted too, saying which", async () => {
  const api = { kind: 'Deployment', namespace: NS, name: 'api' } as const;
  await stuck.timedOut(
    () => kube().patch(api, [{ op: 'replace', path: '/spec/replicas', value: 3 }]),
    `/apis/apps/v1/namespaces/${NS}/deployments/api`,
    new RegExp(`^patch Deployment ${NS}/api: no answer within 15 s$`),
  );
  const policy = { kind: 'NetworkPolicy', namespace: NS, name: 'held-policy' } as const;
  const manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policy.name, namespace: NS },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  await stuck.timedOut(
    () => kube().create(policy, manifest),
    `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`,
    new RegExp(`^create NetworkPolicy ${NS}/held-policy: no answer within 15 s$`),
  );
  await stuck.timedOut(
    () => kube().remove(policy),
    `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/held-policy`,
    new RegExp(`^delete NetworkPolicy ${NS}/held-policy: no answer within 15 s$`),
  );
});

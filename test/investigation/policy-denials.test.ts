import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { policyDenials } from '../../src/investigation/evidence/policy-denials.ts';
import { quotedPolicy } from '../../src/investigation/evidence/webhook-refusals.ts';
import {
  admissionPolicyKinds,
  namedInRefusal,
  tiedToWebhook,
} from '../../src/investigation/evidence/admission-policies.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { replayScenarioFile } from './support/replay.ts';

type Event = ClusterSnapshot['events'][number];
const NOW = '2026-03-01T12:00:00Z';

const event = (fields: Partial<Event>): Event => ({
  metadata: { name: 'e', namespace: 'default' },
  involvedObject: {},
  type: 'Warning',
  lastTimestamp: '2026-03-01T11:50:00Z',
  ...fields,
});

describe('policy refusals in Warning events', () => {
  it("reads a policy engine's report about the policy object itself, and the object it refused", () => {
    const [denial, ...rest] = policyDenials(
      [
        event({
          involvedObject: { apiVersion: 'rules.example.com/v1', kind: 'ClusterRule', name: 'labels-required' },
          reason: 'PolicyViolation',
          message: 'Pod shop/cart-6d9f8-x2: [labels] fail (blocked); label owner is required',
        }),
      ],
      NOW,
    );
    assert.deepEqual(rest, []);
    assert.deepEqual(denial?.policy, { kind: 'ClusterRule', name: 'labels-required' });
    assert.deepEqual(denial?.refused, { kind: 'Pod', namespace: 'shop', name: 'cart-6d9f8-x2' });
  });

  it('keeps the namespace of a namespaced policy', () => {
    const [denial] = policyDenials(
      [
        event({
          involvedObject: { apiVersion: 'rules.example.com/v1', kind: 'Rule', name: 'no-root', namespace: 'shop' },
          message: 'Deployment/shop/cart rejected: runs as root',
        }),
      ],
      NOW,
    );
    assert.deepEqual(denial?.policy, { kind: 'Rule', namespace: 'shop', name: 'no-root' });
    assert.deepEqual(denial?.refused, { kind: 'Deployment', namespace: 'shop', name: 'cart' });
  });

  it("names a built-in admission policy quoted in a controller's refusal, refusing what the controller creates", () => {
    const [denial] = policyDenials(
      [
        event({
          metadata: { name: 'e', namespace: 'shop' },
          involvedObject: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-6d9f8', namespace: 'shop' },
          reason: 'FailedCreate',
          message:
            "Error creating: pods \"cart-6d9f8-x2\" is forbidden: ValidatingAdmissionPolicy 'limits' with binding 'limits-all' denied request: no limit",
        }),
      ],
      NOW,
    );
    assert.deepEqual(denial?.policy, { kind: 'ValidatingAdmissionPolicy', name: 'limits' });
    assert.deepEqual(denial?.refused, { kind: 'ReplicaSet', namespace: 'shop', name: 'cart-6d9f8' });
  });

  it('ignores audit reports, events about workloads, Normal events and refusals from before the change window', () => {
    const policy = { apiVersion: 'rules.example.com/v1', kind: 'ClusterRule', name: 'labels-required' };
    const denials = policyDenials(
      [
        // Audit mode reports a failure but refuses nothing.
        event({ involvedObject: policy, message: 'Pod shop/cart-1: [labels] fail; label owner is required' }),
        // A workload's own event is not a policy's, whatever it says.
        event({
          involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart', namespace: 'shop' },
          message: 'upstream denied the request',
        }),
        event({ involvedObject: policy, type: 'Normal', message: 'Pod shop/cart-1 blocked' }),
        event({
          involvedObject: policy,
          message: 'Pod shop/cart-1 blocked',
          lastTimestamp: '2026-02-20T00:00:00Z',
        }),
      ],
      NOW,
    );
    assert.deepEqual(denials, []);
  });
});

describe('the refusing policy is the answer, not the workload that cannot create its pods', () => {
  // Fixture: a made-up namespaced PodGuard reports, as events about itself, the StatefulSet pod it refuses.
  it("a policy engine's report about its own policy object", async () => {
    const { result } = await replayScenarioFile(
      join(import.meta.dirname, '../fixtures/scenarios/saltmarsh-guard-policy-refuses-statefulset-pod.json'),
    );
    assert.deepEqual(result.rootCause, { kind: 'PodGuard', namespace: 'saltmarsh', name: 'no-privileged-sidecars' });
    assert.equal(result.faultType, 'other');
  });

  // Fixture: a built-in ValidatingAdmissionPolicy, quoted in the ReplicaSet's FailedCreate, refuses a new revision.
  it("a built-in admission policy quoted in the controller's refusal", async () => {
    const { result } = await replayScenarioFile(
      join(import.meta.dirname, '../fixtures/scenarios/juniper-admission-policy-refuses-revision.json'),
    );
    assert.deepEqual(result.rootCause, { kind: 'ValidatingAdmissionPolicy', name: 'containers-need-memory-limit' });
    assert.equal(result.faultType, 'other');
    assert.ok(result.ruledOut.some((r) => r.entity.kind === 'Deployment' && r.entity.name === 'catalog'));
  });
});

describe('the policy a webhook refusal quotes', () => {
  it('reads the policy name a refusal quotes, not the object it names', () => {
    assert.equal(
      quotedPolicy('admission webhook "v.example.com" denied the request: failed policy: only-signed: image x'),
      'only-signed',
    );
    assert.equal(
      quotedPolicy('admission webhook "w" denied the request: violates policy "no-root-user"'),
      'no-root-user',
    );
    assert.equal(quotedPolicy('denied the request: policy Pod/shop/cart-1 for resource violation'), undefined);
    assert.equal(quotedPolicy('admission webhook "w" denied the request: image not signed'), undefined);
  });

  it('lists the served kinds that hold policies, cluster-scoped first', () => {
    const kinds = admissionPolicyKinds(
      [
        {
          group: 'gate.example.com',
          version: 'v1',
          resources: [
            { kind: 'TeamPolicy', plural: 'teampolicies', namespaced: true, version: 'v1' },
            { kind: 'ClusterGatePolicy', plural: 'clustergatepolicies', namespaced: false, version: 'v1' },
            { kind: 'GateReport', plural: 'gatereports', namespaced: true, version: 'v1' },
          ],
        },
        { group: 'policy', version: 'v1', resources: [] },
      ],
      ['v.example.com'],
      ['denied the request: failed policy: only-signed'],
      true,
      2,
    );
    assert.deepEqual(
      kinds.map((k) => [k.kind, k.namespaced]),
      [
        ['ClusterGatePolicy', false],
        ['TeamPolicy', true],
      ],
    );
  });

  // Fixture: a made-up cluster-scoped ClusterImageGatePolicy, quoted by the webhook that refuses a new revision's pods.
  it('is the answer, over the webhook configuration that relays it', async () => {
    const { result } = await replayScenarioFile(
      join(import.meta.dirname, '../fixtures/scenarios/larch-image-gate-policy-quoted-by-webhook.json'),
    );
    assert.deepEqual(result.rootCause, { kind: 'ClusterImageGatePolicy', name: 'approved-registries' });
    assert.equal(result.faultType, 'other');
  });
});

describe("the rule a webhook's engine keeps, named in its refusal", () => {
  const groups = [
    {
      group: 'constraints.gate.example.dev',
      version: 'v1',
      resources: [
        { kind: 'GateRequiredLabels', plural: 'gaterequiredlabels', namespaced: false, version: 'v1' },
        { kind: 'GateAllowedRepos', plural: 'gateallowedrepos', namespaced: false, version: 'v1' },
      ],
    },
    {
      group: 'templates.gate.example.dev',
      version: 'v1',
      resources: [{ kind: 'ConstraintTemplate', plural: 'constrainttemplates', namespaced: false, version: 'v1' }],
    },
    {
      group: 'other.example.com',
      version: 'v1',
      resources: [{ kind: 'AllowedRepos', plural: 'allowedrepos', namespaced: false, version: 'v1' }],
    },
  ];

  it("ties the engine's API groups to the webhook by a shared word, not by common ones", () => {
    assert.ok(tiedToWebhook('constraints.gate.example.dev', ['validation.gate.example.dev']));
    assert.ok(!tiedToWebhook('other.example.com', ['validation.gate.example.dev']));
    assert.ok(!tiedToWebhook('apps', ['validation.gate.example.dev']));
  });

  it('reads the kinds whose name the refusal says, of the tied groups only', () => {
    const message =
      'admission webhook "validation.gate.example.dev" denied the request: [prod-repos] container <a> has an invalid image repo <x/y:1>, allowed repos are ["r.example/"]';
    const kinds = admissionPolicyKinds(groups, ['validation.gate.example.dev'], [message], false, 2);
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['GateAllowedRepos'],
    );
  });

  it('finds a name standing alone in the message, not inside a longer one', () => {
    const object = (name: string) => ({ apiVersion: 'x/v1', kind: 'K', metadata: { name } });
    const message = 'denied the request: [prod-repos] image from prod-repos-mirror.example is not allowed';
    assert.ok(namedInRefusal(object('prod-repos'), message));
    assert.ok(!namedInRefusal(object('repos'), message));
    assert.ok(!namedInRefusal(object('prod'), 'denied: production'));
    assert.ok(
      namedInRefusal(object('only-internal'), 'blocked by the following rules\n\nonly-internal:\n  images: no'),
    );
  });

  // Fixture: a made-up engine's RegistryAllowList (not named …Policy), named on a line of its own in the Job
  // controller's FailedCreate: the CronJob's nightly Job never gets a pod.
  it("is the answer for a CronJob's Job whose pods it refuses", async () => {
    const { result } = await replayScenarioFile(
      join(import.meta.dirname, '../fixtures/scenarios/cinderpath-registry-allowlist-refuses-job-pods.json'),
    );
    assert.deepEqual(result.rootCause, { kind: 'RegistryAllowList', name: 'build-registry-only' });
    assert.equal(result.faultType, 'other');
  });
});

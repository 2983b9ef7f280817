import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

// Each case takes a fixture where an object acting on pods is the cause (a policy, a default class, a webhook) and
// changes one fact so that it no longer is: the answer must no longer name it.
const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// biome-ignore lint/suspicious/noExplicitAny: scenario JSON, edited in place by each case
type Scenario = { id: string; cluster: { objects: Record<string, any>[] } };

async function replayWith(fixture: string, change: (scenario: Scenario) => void) {
  const scenario = JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8')) as Scenario;
  change(scenario);
  const path = join(mkdtempSync(join(tmpdir(), 'acting-')), `${scenario.id}.json`);
  writeFileSync(path, JSON.stringify(scenario));
  return (await replayScenarioFile(path)).result;
}

async function answerWith(fixture: string, change: (scenario: Scenario) => void): Promise<string> {
  const result = await replayWith(fixture, change);
  return result.rootCause ? refKey(result.rootCause) : 'none';
}

const named = (scenario: Scenario, kind: string, name: string) => {
  const object = scenario.cluster.objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(object, `${kind} ${name}`);
  return object;
};

test('a new ingress policy on the dialled callee whose rules admit the caller namespace is not the cause', async () => {
  const answer = await answerWith('thornwick-basket-ledger-policy-by-dialled-port.json', (s) => {
    named(s, 'NetworkPolicy', 'ledger-db-ingress').spec.ingress.push({
      from: [{ namespaceSelector: { matchLabels: { team: 'storefront' } } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
  });
  assert.notEqual(answer, 'NetworkPolicy/thornwick-store/ledger-db-ingress');
});

test('a default class the preemptor’s template asks for by name is the workload’s choice, not a change of the class', async () => {
  const answer = await answerWith('cindervale-quote-preempted-by-new-default-class.json', (s) => {
    for (const kind of ['Job', 'CronJob']) {
      const owner = s.cluster.objects.find((o) => o.kind === kind);
      const template = kind === 'Job' ? owner?.spec.template : owner?.spec.jobTemplate.spec.template;
      template.spec.priorityClassName = 'batch-standard';
    }
  });
  assert.notEqual(answer, 'PriorityClass/batch-standard');
});

test('a webhook configuration unchanged since before the injected pods were made is not what stopped injecting', async () => {
  const answer = await answerWith('ottermere-quotes-new-pods-miss-token-agent.json', (s) => {
    named(s, 'MutatingWebhookConfiguration', 'token-agent-injector').metadata.managedFields[0].time =
      '2026-11-02T08:00:00Z';
  });
  assert.notEqual(answer, 'MutatingWebhookConfiguration/token-agent-injector');
});

test('an object a pod annotation names, unchanged since long before the pods were made, is not blamed for them', async () => {
  const answer = await answerWith('hollinsby-payments-scaleup-stuck-on-narrowed-subnet-claim.json', (s) => {
    named(s, 'SubnetClaim', 'payments-wide').metadata.managedFields[0].time = '2026-05-02T08:00:00Z';
  });
  assert.notEqual(answer, 'SubnetClaim/hollinsby-pay/payments-wide');
});

// A webhook rule names resources of its apiGroups: pods are in the core group, and `*/*` is every resource with its
// subresources, pods included.
test('a webhook configuration called for every resource of another API group is not what stopped injecting into pods', async () => {
  const result = await replayWith('ottermere-quotes-new-pods-miss-token-agent.json', (s) => {
    named(s, 'MutatingWebhookConfiguration', 'cert-webhook').webhooks[0].rules[0].resources = ['*'];
  });
  const named_ = result.hypotheses.map((h) => refKey(h.entity));
  assert.ok(!named_.includes('MutatingWebhookConfiguration/cert-webhook'), named_.join(', '));
  assert.equal(result.rootCause && refKey(result.rootCause), 'MutatingWebhookConfiguration/token-agent-injector');
});

test('a webhook configuration called for every resource and subresource (*/*) is one called for pods', async () => {
  const answer = await answerWith('ottermere-quotes-new-pods-miss-token-agent.json', (s) => {
    named(s, 'MutatingWebhookConfiguration', 'token-agent-injector').webhooks[0].rules[0].resources = ['*/*'];
  });
  assert.equal(answer, 'MutatingWebhookConfiguration/token-agent-injector');
});

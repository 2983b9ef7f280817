import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { DEMO_SCENARIO, runCli, startCli } from '../support/run-cli.ts';
import { type Harness, isAnswer, startHarness } from './harness.ts';

// README's trial: `simulate` serves a scenario, the running bot (reasoning at the wall clock, like in production)
// investigates it from the alert simulate wrote, and concludes what `investigate` concludes at the scenario's clock.

let simulate: ChildProcessWithoutNullStreams;
let ready: { kubeconfig: string; prometheus: string; alert: string };
let h: Harness;
before(async () => {
  simulate = startCli(['simulate', '--scenario', DEMO_SCENARIO]);
  const [line] = (await once(createInterface({ input: simulate.stdout }), 'line')) as [string];
  ready = JSON.parse(line);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(ready.kubeconfig);
  h = await startHarness({ kubeConfig, prometheusUrl: ready.prometheus });
});
after(async () => {
  await h.close();
  simulate.kill('SIGTERM');
  await once(simulate, 'close');
});

test('the bot at the wall clock diagnoses a simulated incident as investigate does at the scenario clock', async () => {
  const expected = await runCli(['investigate', '--scenario', DEMO_SCENARIO, '--json']);
  assert.equal(expected.code, 0, expected.stderr);
  const { rootCause, faultType } = JSON.parse(expected.stdout) as {
    rootCause: { kind: string; namespace?: string; name: string };
    faultType: string;
  };

  const response = await h.post('/webhooks/alertmanager', await readFile(ready.alert, 'utf8'), {
    authorization: 'Bearer am-token',
  });
  assert.equal(response.status, 202);
  await h.slack.waitFor((slack) => slack.rootMessages().length === 1, 60_000);
  const threadTs = String(h.slack.rootMessages()[0]?.response?.ts);
  await h.slack.waitFor((slack) => slack.replies(threadTs).some(isAnswer), 60_000);
  const answer = h.slack.replies(threadTs).find(isAnswer)!;
  const [header] = answer.args.blocks as { text: { text: string } }[];
  assert.equal(
    header!.text.text,
    `Root cause: ${rootCause.kind} ${rootCause.namespace}/${rootCause.name} (${faultType})`,
  );
});

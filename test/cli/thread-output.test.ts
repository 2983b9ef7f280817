import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mrkdwnToText } from '../../src/cli/block-text.ts';
import { printConclusion } from '../../src/cli/thread-output.ts';
import type { InvestigationResult } from '../../src/investigation/model.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { SMALL_SCENARIO } from './small-scenario.ts';

const deployment = { kind: 'Deployment', namespace: 'tiny', name: 'web' };
const scenario = parseScenario(
  {
    ...SMALL_SCENARIO,
    cluster: {
      ...SMALL_SCENARIO.cluster,
      objects: [
        ...SMALL_SCENARIO.cluster.objects,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'tiny', uid: 'deploy-uid', generation: 2, resourceVersion: '7' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'web', image: 'registry.example/web:does-not-exist' }] },
            },
          },
          status: { replicas: 1, unavailableReplicas: 1, observedGeneration: 2 },
        },
      ],
    },
  },
  'thread-output.test',
);

const result: InvestigationResult = {
  rootCause: deployment,
  faultType: 'bad-image',
  confidence: 0.9,
  summary: 'The image tag <does-not-exist> cannot be pulled',
  hypotheses: [
    {
      entity: deployment,
      faultType: 'bad-image',
      confidence: 0.9,
      summary: 'ImagePullBackOff',
      evidence: [
        { source: 'status', ref: { kind: 'Pod', namespace: 'tiny', name: 'web-0' }, text: 'ImagePullBackOff' },
      ],
      path: [deployment],
    },
  ],
  ruledOut: [{ entity: { kind: 'Node', name: 'node-1' }, reason: 'Ready' }],
  remediation: {
    summary: 'Roll web back to a pullable image',
    action: {
      type: 'set-image',
      kind: 'Deployment',
      namespace: 'tiny',
      name: 'web',
      container: 'web',
      image: 'registry.example/web:1.0',
    },
  },
  assumptions: [],
};

let simulation: Simulation;
before(async () => {
  simulation = await startSimulation(scenario);
});
after(() => simulation.close());

describe('the conclusion printed by investigate and demo', () => {
  it('is the Slack answer as text, then the plan derived from the cluster', async () => {
    const lines: string[] = [];
    await printConclusion((line) => lines.push(line), result, simulation.kubeConfig, new Date(scenario.now));
    const output = lines.join('\n');
    assert.match(output, /Root cause: Deployment tiny\/web \(bad-image\)/);
    // mrkdwn escaping is undone for the terminal.
    assert.match(output, /The image tag <does-not-exist> cannot be pulled/);
    assert.match(output, /Confidence: 90%/);
    assert.match(output, /Pod tiny\/web-0 \(status\): ImagePullBackOff/);
    assert.match(output, /Node node-1: Ready/);
    assert.match(output, /Remediation plan: Roll web back to a pullable image/);
    assert.match(output, /- .*image: registry\.example\/web:does-not-exist/);
    assert.match(output, /\+ .*image: registry\.example\/web:1\.0/);
    assert.match(output, /\[ Approve \] {2}\[ Reject \]/);
  });

  it('says why when the proposed change does not fit the cluster', async () => {
    const lines: string[] = [];
    const gone = {
      ...result,
      remediation: { ...result.remediation!, action: { ...result.remediation!.action, name: 'gone' } },
    };
    await printConclusion((line) => lines.push(line), gone as InvestigationResult, simulation.kubeConfig, new Date());
    assert.match(lines.join('\n'), /No remediation plan: Roll web back to a pullable image cannot be applied as is/);
  });
});

describe('mrkdwnToText', () => {
  it('turns links, dates, mentions, emoji and entities into plain text', () => {
    assert.equal(
      mrkdwnToText(
        ':white_check_mark: *Done* by <@U1> <!date^1^{date}|2026-01-01> — <https://x.example|runbook> &lt;a&amp;b&gt;',
      ),
      '✅ Done by @U1 2026-01-01 — runbook (https://x.example) <a&b>',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configuredNames, kindNamedBy } from '../../src/investigation/evidence/configured-objects.ts';
import { markingKinds, markNames, type MutationMark } from '../../src/investigation/evidence/admission-marks.ts';
import type { ServedGroup } from '../../src/investigation/evidence/routing-objects.ts';
import { kindsSpelledIn, spellsKind } from '../../src/investigation/evidence/spelled-kinds.ts';
import { kindNamedByKey, specReferences, stalled } from '../../src/investigation/evidence/referenced-objects.ts';
import { loggedFields } from '../../src/investigation/evidence/logged-objects.ts';

describe('custom resources found by what the evidence says of them', () => {
  it('reads a served kind spelt out in a refusal, in words of its own', () => {
    const message =
      'pods "relay-5f8c-" is forbidden: unable to validate against any pod guard profile: [profile "readers": …]';
    assert.ok(spellsKind(message, 'PodGuardProfile'));
    assert.ok(spellsKind('denied by volume allowance "scratch"', 'VolumeAllowance'));
    // One word is too common to tie a message to a kind; the words must come in a row.
    assert.ok(!spellsKind(message, 'Profile'));
    assert.ok(!spellsKind('the guard of the pod profile', 'PodGuardProfile'));
    const groups: ServedGroup[] = [
      {
        group: 'admission.example.io',
        version: 'v1',
        resources: [
          { kind: 'PodGuardProfile', plural: 'podguardprofiles', namespaced: false, version: 'v1' },
          { kind: 'GuardReport', plural: 'guardreports', namespaced: true, version: 'v1' },
        ],
      },
    ];
    assert.deepEqual(
      kindsSpelledIn(groups, [message], 2).map((k) => k.kind),
      ['PodGuardProfile'],
    );
  });

  it('takes a setting named after a served kind for the name of an object of that kind', () => {
    const names = configuredNames([
      {
        ref: { kind: 'Deployment', namespace: 'shop', name: 'writer' },
        spec: {
          containers: [
            {
              name: 'writer',
              env: [
                { name: 'SCORES_TOPIC', value: 'round-scores' },
                { name: 'BROKER_URL', value: 'nats://bus:4222' },
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'BATCH_SIZE', value: '500' },
              ],
            },
          ],
        },
      },
    ]);
    assert.deepEqual(
      names.map((n) => `${n.setting}=${n.value}`),
      ['SCORES_TOPIC=round-scores'],
    );
    assert.ok(kindNamedBy('StreamTopic', 'topic'));
    assert.ok(kindNamedBy('WorkQueue', 'queues'));
    assert.ok(!kindNamedBy('TopicPolicy', 'topic'));
  });

  it("reads the kinds of the software whose word a mutation's mark carries, and the rule the mark names", () => {
    const pod = { metadata: { name: 'printer-7f4a-v2k8d', namespace: 'box' } };
    const mark: MutationMark = {
      pod,
      text: 'enforce-nonroot/run-as-nonroot: set /spec/securityContext/runAsNonRoot=true',
      by: 'mutations.hemlock.dev/applied-patches',
      at: undefined,
    };
    const groups: ServedGroup[] = [
      {
        group: 'hemlock.dev',
        version: 'v1',
        resources: [{ kind: 'ClusterMutation', plural: 'clustermutations', namespaced: false, version: 'v1' }],
      },
      {
        group: 'other.example.org',
        version: 'v1',
        resources: [{ kind: 'MutationRule', plural: 'mutationrules', namespaced: true, version: 'v1' }],
      },
    ];
    assert.deepEqual(
      markingKinds(groups, [mark], 2).map((k) => k.kind),
      ['ClusterMutation'],
    );
    assert.ok(
      markNames(mark, { apiVersion: 'hemlock.dev/v1', kind: 'ClusterMutation', metadata: { name: 'enforce-nonroot' } }),
    );
    assert.ok(
      !markNames(mark, { apiVersion: 'hemlock.dev/v1', kind: 'ClusterMutation', metadata: { name: 'enforce' } }),
    );
  });

  it('reads the kind a waiting object names by a key of its spec (`<kind>Ref`, or the plural), never a generic ref', () => {
    const groups: ServedGroup[] = [
      {
        group: 'runs.example.io',
        version: 'v1',
        resources: [
          { kind: 'RunTemplate', plural: 'runtemplates', namespaced: true, version: 'v1' },
          { kind: 'Hook', plural: 'hooks', namespaced: true, version: 'v1' },
        ],
      },
      {
        group: 'apps',
        version: 'v1',
        resources: [{ kind: 'Deployment', plural: 'deployments', namespaced: true, version: 'v1' }],
      },
    ];
    const spec = { runTemplateRef: { name: 'render' }, hooks: [{ name: 'notify' }], secretRef: { name: 'creds' } };
    const refs = specReferences(spec);
    assert.deepEqual(
      refs.map((ref) => [ref.key, ref.name]),
      [
        ['runTemplateRef', 'render'],
        ['hooks', 'notify'],
        ['secretRef', 'creds'],
      ],
    );
    assert.equal(kindNamedByKey(groups, 'runTemplateRef')?.kind, 'RunTemplate');
    assert.equal(kindNamedByKey(groups, 'hooks')?.kind, 'Hook');
    assert.equal(kindNamedByKey(groups, 'secretRef'), undefined);
    assert.equal(kindNamedByKey(groups, 'deploymentRef'), undefined);
    const object = (status: unknown) => ({
      apiVersion: 'runs.example.io/v1',
      kind: 'Run',
      metadata: { name: 'r1' },
      status,
    });
    assert.ok(stalled(object({ phase: 'Pending', message: 'Waiting for lock render. Lock status: 0/1' })));
    assert.ok(stalled(object({ phase: 'Queued' })));
    assert.ok(!stalled(object({ phase: 'Running' })));
    assert.ok(!stalled(object({ phase: 'Failed', message: 'step render exited 1' })));
  });

  it('reads the structured fields of an error line whose value can be an object name', () => {
    const logfmt = 'level=warning msg="ping failed" app=valve-api store="zonecache (kv/v1)"';
    assert.deepEqual(
      loggedFields(logfmt).filter((f) => f.key === 'store'),
      [{ key: 'store', value: 'zonecache' }],
    );
    const json = '{"level":"error","binding":"ledger-out","err":"refused"}';
    assert.deepEqual(
      loggedFields(json).filter((f) => f.key === 'binding'),
      [{ key: 'binding', value: 'ledger-out' }],
    );
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { replayScenario } from '../../src/cli/replay.ts';
import { changedUnderRenaming } from '../../src/cli/renamed-run.ts';
import { refKey } from '../../src/investigation/model.ts';
import {
  isApplicationWord,
  RENAME_SHIFT_SECONDS,
  renameRef,
  renameScenario,
  renameText,
} from '../../src/simulation/rename.ts';
import { loadScenario, parseScenario } from '../../src/simulation/scenario.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** A made-up application (quokka, in namespace tundra) whose names appear in every place a scenario keeps names. */
const SCENARIO = parseScenario(
  {
    apiVersion: 'scenario/v1',
    id: 'quokka-names-everywhere',
    title: 'Quokka checkout cannot reach its ledger',
    now: '2026-03-02T12:00:00Z',
    alert: {
      source: 'alertmanager',
      title: 'QuokkaLedgerErrors quokka-ledger',
      text: 'quokka-ledger in tundra returns 500s',
      labels: { alertname: 'QuokkaLedgerErrors', namespace: 'tundra', service: 'quokka-ledger' },
      startsAt: '2026-03-02T11:55:00Z',
    },
    cluster: {
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tundra' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'quokka-ledger-7d8f9c5b4-x2z4q',
            namespace: 'tundra',
            labels: { app: 'quokka-ledger', 'pod-template-hash': '7d8f9c5b4' },
            managedFields: [
              {
                manager: 'kubectl',
                time: '2026-03-02T11:50:00Z',
                fieldsV1: { 'f:spec': { 'k:{"name":"ledger"}': {} } },
              },
            ],
          },
          spec: {
            containers: [
              {
                name: 'ledger',
                image: 'registry.example/quokka/ledger:1.4',
                env: [
                  { name: 'QUOKKA_ABACUS_ADDR', value: 'quokka-abacus.tundra.svc.cluster.local:5432' },
                  { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'quokka-db', key: 'quokka-password' } } },
                ],
                args: ['--peer=http://quokka-abacus:8080'],
              },
              { name: 'redis', image: 'redis:7.2' },
            ],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'quokka-db', namespace: 'tundra' },
          data: {
            'quokka-password': b64('hunter2'),
            url: b64('postgres://quokka@quokka-abacus.tundra:5432/quokka'),
            blob: 'AAEC/w==',
          },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'quokka-settings', namespace: 'tundra' },
          data: { 'quokka.yaml': 'abacus: quokka-abacus\nquokkas: 3\n' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'coredns-5d78c9869d-abcde', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
          spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1' }] },
        },
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'quokka-nightly', namespace: 'tundra' },
          spec: {
            schedule: '30 2 * * 1',
            jobTemplate: { spec: { template: { spec: { containers: [{ name: 'tally', image: 'busybox' }] } } } },
          },
        },
      ],
      logs: [
        {
          namespace: 'tundra',
          pod: 'quokka-ledger-7d8f9c5b4-x2z4q',
          container: 'ledger',
          lines: [
            '2026-03-02T11:56:00Z ERROR dial tcp quokka-abacus.tundra.svc:5432: connection refused (quokkaville, Quokka, QUOKKA)',
            '2026-03-02T11:56:01Z password authentication failed for user "quokka"',
          ],
        },
      ],
    },
    metrics: [
      {
        metric: { __name__: 'tundra_quokka_errors_total', namespace: 'tundra', container: 'ledger' },
        values: [[1772452500, '3']],
      },
    ],
    groundTruth: {
      rootCause: [{ kind: 'Deployment', namespace: 'tundra', name: 'quokka-abacus' }],
      faultType: 'dependency-down',
      distractors: [
        { kind: 'Pod', namespace: 'tundra', name: 'quokka-ledger-7d8f9c5b4-x2z4q', why: 'quokka-ledger is a victim' },
      ],
    },
  },
  'quokka',
);

describe('renaming a scenario (metamorphic check)', () => {
  const { scenario: renamed, renames, shiftedSeconds } = renameScenario(SCENARIO);
  const quokka = renames.get('quokka')!;
  const tundra = renames.get('tundra')!;
  const ledger = renames.get('ledger')!;
  // biome-ignore lint/suspicious/noExplicitAny: the assertions walk the objects' JSON as written above
  const objects = renamed.cluster.objects as unknown as Record<string, any>[];

  it('finds the application words, and keeps system, product, suffix and vocabulary words', () => {
    for (const word of ['quokka', 'tundra', 'ledger', 'abacus', 'nightly', 'tally']) assert.ok(renames.has(word), word);
    for (const word of [
      'kube',
      'system',
      'coredns',
      'dns',
      'redis',
      'postgres',
      'app',
      'db',
      'password',
      'settings',
      'x2z4q',
      'abcde',
    ])
      assert.ok(!renames.has(word), word);
    assert.equal(new Set(renames.values()).size, renames.size, 'each word its own invented word');
    for (const invented of renames.values()) assert.match(invented, /^[a-z]{4,}$/);
    assert.ok(!isApplicationWord('bcdfg') && !isApplicationWord('cafe') && !isApplicationWord('v2'));
    // Invented words sort in the reverse order of the words they replace: list order (name order) flips.
    const invented = ['abacus', 'ledger', 'quokka', 'tundra'].map((word) => renames.get(word)!);
    assert.deepEqual([...invented].sort(), [...invented].reverse());
  });

  it('renames a word where it is a token, in its case, never inside another word', () => {
    assert.equal(
      renameText('quokka-abacus.tundra.svc quokkaville Quokka QUOKKA_ADDR quokkas', renames),
      `${quokka}-${renames.get('abacus')}.${tundra}.svc quokkaville ${quokka[0]!.toUpperCase()}${quokka.slice(1)} ${quokka.toUpperCase()}_ADDR ${quokka}s`,
    );
    const [first, second] = renamed.cluster.logs![0]!.lines;
    assert.match(
      first!,
      new RegExp(`dial tcp ${quokka}-\\w+\\.${tundra}\\.svc:5432: connection refused \\(quokkaville, `),
    );
    assert.equal(second, `2026-04-06T11:56:01Z password authentication failed for user "${quokka}"`);
  });

  it('renames names, namespaces, labels, containers, env, args, data keys, managed fields and Secret values alike', () => {
    const pod = objects[2]!;
    assert.equal(pod.metadata.name, `${quokka}-${ledger}-7d8f9c5b4-x2z4q`);
    assert.equal(pod.metadata.namespace, tundra);
    assert.deepEqual(pod.metadata.labels, { app: `${quokka}-${ledger}`, 'pod-template-hash': '7d8f9c5b4' });
    assert.deepEqual(Object.keys(pod.metadata.managedFields[0].fieldsV1['f:spec']), [`k:{"name":"${ledger}"}`]);
    const [main, sidecar] = pod.spec.containers;
    assert.equal(main.name, ledger);
    assert.equal(main.image, `registry.example/${quokka}/${ledger}:1.4`);
    assert.equal(main.env[0].name, `${quokka.toUpperCase()}_${renames.get('abacus')!.toUpperCase()}_ADDR`);
    const secret = objects[3]!;
    assert.equal(main.env[1].valueFrom.secretKeyRef.key, `${quokka}-password`);
    assert.deepEqual(Object.keys(secret.data), [`${quokka}-password`, 'url', 'blob']);
    assert.equal(
      unb64(secret.data.url),
      `postgres://${quokka}@${quokka}-${renames.get('abacus')}.${tundra}:5432/${quokka}`,
    );
    assert.equal(secret.data.blob, 'AAEC/w==', 'bytes that are not text stay');
    assert.deepEqual(sidecar, { name: 'redis', image: 'redis:7.2' });
    assert.deepEqual(Object.keys(objects[4]!.data), [`${quokka}.yaml`]);
    assert.deepEqual(objects[5], SCENARIO.cluster.objects[5], 'kube-system and CoreDNS as they were');
    assert.deepEqual(renamed.metrics![0]!.metric, {
      __name__: 'tundra_quokka_errors_total',
      namespace: tundra,
      container: ledger,
    });
    const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);
    assert.equal(
      renamed.alert.labels!.alertname,
      `${capital(quokka)}${capital(ledger)}Errors`,
      'camel case: its words',
    );
    assert.equal(renamed.alert.labels!.service, `${quokka}-${ledger}`);
  });

  it('renames the ground truth with the same words, kinds as they were', () => {
    assert.deepEqual(renamed.groundTruth.rootCause, [
      { kind: 'Deployment', namespace: tundra, name: `${quokka}-${renames.get('abacus')}` },
    ]);
    assert.deepEqual(
      renamed.groundTruth.rootCause,
      SCENARIO.groundTruth.rootCause.map((ref) => renameRef(ref, renames)),
    );
    assert.equal(renamed.groundTruth.distractors![0]!.why, `${quokka}-${ledger} is a victim`);
  });

  it('renames the words of a camel-cased token, a short plural with its singular, and keeps product names', () => {
    const words = new Map([
      ['bag', 'gaka'],
      ['reconcile', 'gadabu'],
    ]);
    assert.equal(renameText('BagReconcileLag', words), 'BagReconcileLag', 'outside the alert: a reason of its own');
    assert.equal(
      renameText('BagReconcileLag HTTPBagErrors bagScan bags Bags', words, true),
      'GakaGadabuLag HTTPGakaErrors gakaScan gakas Gakas',
    );
    assert.equal(renameText('class glass Bagpipe', words), 'class glass Bagpipe', 'never inside a word');
    for (const product of ['openfaas', 'submariner', 'karpenter', 'redpanda', 'tekton', 'vitess', 'alb'])
      assert.ok(!isApplicationWord(product), product);
  });

  it("renames a cloud load balancer's name as the controller would cut it from the renamed Service", () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'quokka-gateway', namespace: 'tundra' },
      spec: { type: 'LoadBalancer' },
    };
    const withBalancer = parseScenario(
      {
        ...structuredClone(SCENARIO),
        alert: { ...SCENARIO.alert, text: 'TargetResponseTime high on k8s-tundra-quokkaga-5e1c7a2b9d' },
        cluster: { ...SCENARIO.cluster, objects: [...SCENARIO.cluster.objects, service] },
      },
      'balancer',
    );
    const { scenario, renames: words } = renameScenario(withBalancer);
    const cut = (value: string) => value.replace(/-/g, '').slice(0, 8);
    const expected = `k8s-${cut(words.get('tundra')!)}-${cut(`${words.get('quokka')}gateway`)}-5e1c7a2b9d`;
    assert.equal(scenario.alert.text, `TargetResponseTime high on ${expected}`);
  });

  it('keeps the label key a selector requirement names, and the words a kind is served under', () => {
    const affinity = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'quokka-store-0', namespace: 'tundra' },
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'quokka.io/store', operator: 'In', values: ['quokka'] }] },
              ],
            },
          },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'quokka.io/rack' }] },
        },
        tolerations: [{ key: 'quokka.io/store', operator: 'Exists' }],
        containers: [{ name: 'store', image: 'registry.example/store:1' }],
      },
    };
    const composite = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'quokka-xwombatstores',
        namespace: 'tundra',
        ownerReferences: [{ apiVersion: 'example.io/v1', kind: 'XWombatStore', name: 'quokka', uid: 'u1' }],
      },
    };
    const withAffinity = parseScenario(
      {
        ...structuredClone(SCENARIO),
        cluster: { ...SCENARIO.cluster, objects: [...SCENARIO.cluster.objects, affinity, composite] },
      },
      'affinity',
    );
    const { scenario, renames: words } = renameScenario(withAffinity);
    // biome-ignore lint/suspicious/noExplicitAny: the assertions walk the objects' JSON as written above
    const pod = scenario.cluster.objects.find((o) => o.kind === 'Pod' && o.metadata.name.endsWith('-store-0')) as any;
    const requirement =
      pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
        .matchExpressions[0];
    assert.equal(requirement.key, 'quokka.io/store', 'a label key, as the nodes keep it');
    assert.deepEqual(requirement.values, [words.get('quokka')], 'a label value, renamed like the nodes');
    assert.equal(
      pod.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
      'quokka.io/rack',
    );
    assert.equal(
      pod.spec.tolerations[0].key,
      `${words.get('quokka')}.io/store`,
      'a taint key is a value: renamed like the taint',
    );
    assert.ok(!words.has('xwombatstores') && !words.has('xwombatstore'), 'the plural of a kind it names is kept');
  });

  it('moves every time by whole weeks, unless a schedule names a day of the month', () => {
    assert.equal(shiftedSeconds, RENAME_SHIFT_SECONDS);
    assert.equal(RENAME_SHIFT_SECONDS % (7 * 86_400), 0);
    assert.equal(renamed.now, '2026-04-06T12:00:00Z');
    assert.deepEqual(renamed.metrics![0]!.values, [[1772452500 + RENAME_SHIFT_SECONDS, '3']]);
    const monthly = structuredClone(SCENARIO);
    (monthly.cluster.objects[6] as unknown as { spec: { schedule: string } }).spec.schedule = '0 3 1 * *';
    assert.equal(renameScenario(monthly).shiftedSeconds, 0);
    assert.equal(renameScenario(monthly).scenario.now, SCENARIO.now);
  });

  it('is pure: the same file renames alike, the original is untouched', () => {
    const before = structuredClone(SCENARIO);
    assert.deepEqual(renameScenario(SCENARIO).scenario, renamed);
    assert.deepEqual(SCENARIO, before);
  });

  it('compares answers through the renaming', () => {
    const asWritten = { predicted: SCENARIO.groundTruth.rootCause[0]!, faultType: { predicted: 'dependency-down' } };
    const same = { predicted: renamed.groundTruth.rootCause[0]!, faultType: { predicted: 'dependency-down' } };
    assert.equal(changedUnderRenaming('quokka', asWritten, same, renames), null);
    const other = { predicted: same.predicted, faultType: { predicted: 'network-policy' } };
    assert.equal(changedUnderRenaming('quokka', asWritten, other, renames)?.renamed.faultType, 'network-policy');
    assert.notEqual(
      changedUnderRenaming('quokka', asWritten, { predicted: null, faultType: { predicted: null } }, renames),
      null,
    );
  });
});

describe('a renamed fixture through the real engine', () => {
  it('answers the renamed entity with the same fault type', async () => {
    const original = await loadScenario(
      join(import.meta.dirname, '../fixtures/scenarios/ferry-config-unknown-db-host.yaml'),
    );
    const { scenario, renames } = renameScenario(original);
    assert.ok(renames.has('ferry'), 'the fixture is renamed');
    const { result } = await replayScenario(scenario);
    assert.ok(result.rootCause);
    assert.deepEqual(
      refKey(result.rootCause),
      refKey(renameRef(original.groundTruth.rootCause[0]!, renames)),
      'the renamed ground truth',
    );
    assert.notEqual(refKey(result.rootCause), refKey(original.groundTruth.rootCause[0]!));
    assert.equal(result.faultType, original.groundTruth.faultType);
  });
});

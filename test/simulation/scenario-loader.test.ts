import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadScenario, ScenarioError } from '../../src/simulation/scenario.ts';

const SCENARIOS = new URL('../../../shared/scenarios/', import.meta.url).pathname;

const valid = () => ({
  apiVersion: 'scenario/v1',
  id: 'tiny-1',
  title: 'a tiny incident',
  now: '2026-03-01T12:00:00Z',
  alert: { source: 'alertmanager', title: 'KubePodCrashLooping', labels: { namespace: 'alpha' } },
  cluster: {
    objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'alpha' }, spec: {} }],
    logs: [{ namespace: 'alpha', pod: 'p', container: 'c', lines: ['boom'] }],
  },
  metrics: [{ metric: { __name__: 'up' }, values: [[1772366400, '1']] }],
  groundTruth: { rootCause: [{ kind: 'Pod', namespace: 'alpha', name: 'p' }], faultType: 'crashloop-bad-config' },
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-loader-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, content: string): Promise<{ path: string; problems: string[] }> {
  const path = join(dir, name);
  await writeFile(path, content);
  try {
    await loadScenario(path);
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.ok(error.message.startsWith(`Invalid scenario ${path}:`), 'the message names the file');
    for (const problem of error.problems) assert.ok(error.message.includes(problem));
    return { path: error.path, problems: error.problems };
  }
  throw new Error(`${name} was accepted`);
}

describe('scenario loader', () => {
  // The development set lives beside the repository (../shared/scenarios), not in it.
  it('loads every development scenario', { skip: !existsSync(SCENARIOS) && `${SCENARIOS} is absent` }, async () => {
    const files = (await readdir(SCENARIOS)).filter((file) => file.endsWith('.json'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const scenario = await loadScenario(join(SCENARIOS, file));
      assert.ok(scenario.cluster.objects.length > 0, file);
    }
  });

  it('loads YAML (.yaml and .yml) like JSON, keeping unknown fields at every level', async () => {
    const scenario = valid() as Record<string, unknown>;
    scenario.author = 'someone';
    (scenario.groundTruth as Record<string, unknown>).notes = 'kept';
    (scenario.alert as Record<string, unknown>).fingerprint = 'abc';
    for (const name of ['s.yaml', 's.yml']) {
      await writeFile(join(dir, name), stringify(scenario));
      const loaded = await loadScenario(join(dir, name));
      assert.equal(loaded.author, 'someone');
      assert.equal(loaded.groundTruth.notes, 'kept');
      assert.equal(loaded.alert.fingerprint, 'abc');
      assert.equal(loaded.cluster.logs?.[0]?.previous, false);
    }
    const json = await loadScenario(await writeJson('s.json', valid()));
    assert.deepEqual(json.alert.labels, { namespace: 'alpha' });
  });

  it('refuses a file with every problem, each as field.path: what was expected', async () => {
    const broken = edited(valid(), {
      apiVersion: 'scenario/v2',
      id: 'Not Valid',
      title: undefined,
      now: 'yesterday',
      'alert.source': 'email',
      'cluster.objects.0.metadata': { namespace: 'alpha' },
      'cluster.logs.0.lines': 'boom',
      'metrics.0.values': [[1772366400]],
      'groundTruth.faultType': 'gremlins',
      'groundTruth.rootCause': [{ kind: 'Pod' }],
    });
    const { path, problems } = await problemsOf('broken.json', JSON.stringify(broken));
    assert.equal(path, join(dir, 'broken.json'));
    assert.deepEqual(
      problems.map((problem) => problem.split(':')[0]),
      [
        'apiVersion',
        'id',
        'title',
        'now',
        'alert.source',
        'cluster.objects.0.metadata.name',
        'cluster.logs.0.lines',
        'metrics.0.values.0',
        'groundTruth.rootCause.0.name',
        'groundTruth.faultType',
      ],
    );
    assert.ok(problems.includes('apiVersion: expected "scenario/v1"'));
    assert.ok(problems.includes('now: expected an RFC 3339 time, e.g. 2026-01-31T10:00:00Z'));
    assert.ok(
      problems.some((problem) => problem.startsWith('groundTruth.faultType: expected one of the catalogue: oom-limit')),
    );
  });

  it('refuses missing top-level parts', async () => {
    const { problems } = await problemsOf('empty.yaml', 'apiVersion: scenario/v1\n');
    assert.deepEqual(
      problems.map((problem) => problem.split(':')[0]),
      ['id', 'title', 'now', 'alert', 'cluster', 'groundTruth'],
    );
  });

  it('refuses an object that repeats another, alongside the other problems', async () => {
    const scenario = valid();
    scenario.cluster.objects.push(structuredClone(scenario.cluster.objects[0]!));
    const { problems } = await problemsOf('twice.json', JSON.stringify(edited(scenario, { title: '' })));
    assert.deepEqual(problems, [
      'title: expected a title (non-empty string)',
      'cluster.objects.1: expected a unique object, but Pod p repeats cluster.objects.0',
    ]);
  });

  it('refuses unparsable JSON and YAML, an unknown extension and a missing file, naming the path', async () => {
    assert.match((await problemsOf('bad.json', '{"apiVersion": ')).problems[0]!, /^\(file\): expected valid JSON/);
    assert.match((await problemsOf('bad.yaml', 'a: [1, 2\nb: {')).problems[0]!, /^\(file\): expected valid YAML/);
    assert.match(
      (await problemsOf('scenario.txt', '{}')).problems[0]!,
      /^\(file\): expected a \.json, \.yaml or \.yml file/,
    );
    await assert.rejects(loadScenario(join(dir, 'absent.json')), (error: ScenarioError) =>
      error.message.startsWith(`Invalid scenario ${join(dir, 'absent.json')}:\n  - (file): cannot be read`),
    );
  });
});

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

/** A copy of `value` with each dotted path set (undefined: removed). */
function edited(value: object, edits: Record<string, unknown>): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const [path, replacement] of Object.entries(edits)) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, copy);
    if (replacement === undefined) delete parent[keys.at(-1)!];
    else parent[keys.at(-1)!] = replacement;
  }
  return copy;
}

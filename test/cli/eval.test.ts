import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { isCorrect } from '../../src/cli/scoring.ts';
import { DEMO_SCENARIO, runCli } from '../support/run-cli.ts';
import { SMALL_SCENARIO } from './small-scenario.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-test-'));
  await copyFile(DEMO_SCENARIO, join(dir, 'demo.json'));
  await writeFile(join(dir, 'tiny.yml'), stringify(SMALL_SCENARIO));
  await writeFile(join(dir, 'README.md'), '# not a scenario\n');
});
after(() => rm(dir, { recursive: true, force: true }));

describe('incident-bot eval', () => {
  it('--json scores every scenario file and prints only the report', async () => {
    const { code, stdout, stderr } = await runCli(['eval', '--scenarios', dir, '--json', '--concurrency', '2']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.deepEqual(Object.keys(report).sort(), [
      'accuracy',
      'applications',
      'correct',
      'faultTypeAccuracy',
      'medianMs',
      'medianRequests',
      'p95Ms',
      'p95Requests',
      'results',
      'total',
    ]);
    assert.equal(report.total, 2);
    assert.deepEqual(report.results.map((r: { id: string }) => r.id).sort(), ['boutique-redis-oom', 'tiny-bad-image']);
    const tiny = report.results.find((r: { id: string }) => r.id === 'tiny-bad-image');
    assert.deepEqual(tiny.expected, [{ kind: 'Pod', namespace: 'tiny', name: 'web-0' }]);
    assert.equal(tiny.faultType.expected, 'bad-image');
    for (const result of report.results) {
      assert.equal(result.correct, isCorrect(result.predicted, result.expected), result.id);
      assert.ok(result.requests > 0, `${result.id} made no API requests`);
    }
    const correct = report.results.filter((r: { correct: boolean }) => r.correct).length;
    assert.equal(report.correct, correct);
    assert.equal(report.accuracy, correct / 2);
    assert.deepEqual(Object.keys(report.applications), ['boutique', 'tiny']);
    assert.equal(report.applications.tiny.total, 1);
    assert.equal(report.applications.tiny.correct, tiny.correct ? 1 : 0);
    assert.equal(report.applications.tiny.medianRequests, tiny.requests);
  });

  it('prints a table and a summary', async () => {
    const { code, stdout } = await runCli(['eval', '--scenarios', dir]);
    assert.equal(code, 0);
    assert.match(stdout, /^id +predicted +expected +correct/);
    assert.match(stdout, /\ntiny-bad-image +.* Pod tiny\/web-0 +(yes|no) +.*\/ bad-image/);
    assert.match(stdout, /Root cause: \d\/2 correct/);
    assert.match(stdout, /\napplication +root cause +accuracy +fault type +median requests +p95 requests\n/);
    assert.match(stdout, /\nboutique +[01]\/1 +\d+\.\d% +\d+\.\d% +\d+ +\d+\n/);
    assert.match(stdout, /\ntiny +[01]\/1 /);
  });

  it('--rename replays every file renamed too, scores it against the renamed ground truth and lists changed answers', async () => {
    const { code, stdout, stderr } = await runCli(['eval', '--scenarios', dir, '--json', '--rename']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.renamed.total, 2);
    const tiny = report.renamed.results.find((r: { id: string }) => r.id === 'tiny-bad-image');
    assert.equal(tiny.expected.length, 1);
    assert.notEqual(tiny.expected[0].namespace, 'tiny', 'the ground truth is renamed');
    assert.equal(tiny.expected[0].kind, 'Pod');
    assert.deepEqual(report.renamed.shiftedSeconds, [35 * 86_400]);
    assert.deepEqual(report.renamed.changed, [], 'neither answer depends on names');
    const text = await runCli(['eval', '--scenarios', dir, '--rename']);
    assert.match(text.stdout, /\nRenamed: every application word replaced, every time moved by 35 days\n/);
    assert.match(text.stdout, /\nAnswer changed under renaming: none/);
  });

  it('runs the valid files, then exits non-zero naming the invalid one', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ ...SMALL_SCENARIO, id: 'Not Valid', alert: { title: 'no source' } }));
    try {
      const { code, stdout, stderr } = await runCli(['eval', '--scenarios', dir, '--json']);
      assert.equal(code, 1);
      assert.equal(JSON.parse(stdout).total, 2);
      assert.match(stderr, /broken\.json/);
    } finally {
      await rm(broken);
    }
  });
});

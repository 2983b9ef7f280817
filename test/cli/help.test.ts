import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/run-cli.ts';

// Each case is its own process; they are independent, so they run side by side.
describe('incident-bot --help and bad arguments', { concurrency: 4 }, () => {
  it('lists the commands', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const command of ['demo', 'investigate', 'eval', 'simulate'])
      assert.match(stdout, new RegExp(`\\n  ${command} `));
  });

  it('runs through the bin launcher (npx incident-bot)', async () => {
    const { code, stdout, stderr } = await runCli(['eval', '--help'], 'bin');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: incident-bot eval/);
  });

  for (const command of ['demo', 'investigate', 'eval', 'simulate']) {
    it(`prints the usage of ${command}`, async () => {
      const { code, stdout, stderr } = await runCli([command, '--help']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`^Usage: incident-bot ${command}|^Usage:\\n  incident-bot ${command}`));
    });
  }

  for (const [args, message] of [
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['eval'], /--scenarios DIR is required/],
    [['eval', '--scenarios', 'scenarios', '--concurrency', '0'], /--concurrency must be a positive integer/],
    [['eval', '--scenarios', 'package.json'], /package.json is not a directory/],
    [['investigate'], /give --scenario FILE/],
    [['investigate', '--scenario', 'x.json', '--namespace', 'shop'], /cannot be combined with --namespace/],
    [['investigate', '--bogus'], /Unknown option '--bogus'/],
    [['simulate', '--scenario', 'x.json', '--port', 'http'], /--port must be an integer/],
    [['demo', 'extra'], /Unexpected argument 'extra'/],
  ] as const) {
    it(`exits 2 on incident-bot ${args.join(' ')}`, async () => {
      const { code, stderr } = await runCli([...args]);
      assert.equal(code, 2);
      assert.match(stderr, message);
    });
  }
});

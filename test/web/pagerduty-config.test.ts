import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/env.ts';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret',
  INCIDENT_CHANNEL: 'C1',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig({ ...VALID, ...env });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((problem) => `${problem.variable}: ${problem.problem}`);
  }
};

test('PagerDuty write-back: off by default, on with both variables, the API URL defaulting to PagerDuty', () => {
  assert.equal(loadConfig(VALID).PAGERDUTY_API_TOKEN, undefined);
  const config = loadConfig({ ...VALID, PAGERDUTY_API_TOKEN: 'u+abc', PAGERDUTY_FROM_EMAIL: 'bot@example.com' });
  assert.equal(config.PAGERDUTY_API_URL, 'https://api.pagerduty.com');
  assert.equal(config.PAGERDUTY_FROM_EMAIL, 'bot@example.com');
});

test('PagerDuty write-back: one variable without the other, a bad email or URL, each a clear problem', () => {
  assert.deepEqual(problemsOf({ PAGERDUTY_API_TOKEN: 'u+abc' }), [
    'PAGERDUTY_FROM_EMAIL: is required when PAGERDUTY_API_TOKEN is set (PagerDuty write-back needs both); or unset PAGERDUTY_API_TOKEN to turn write-back off',
  ]);
  assert.deepEqual(problemsOf({ PAGERDUTY_FROM_EMAIL: 'bot@example.com' }), [
    'PAGERDUTY_API_TOKEN: is required when PAGERDUTY_FROM_EMAIL is set (PagerDuty write-back needs both); or unset PAGERDUTY_FROM_EMAIL to turn write-back off',
  ]);
  assert.deepEqual(
    problemsOf({
      PAGERDUTY_API_TOKEN: 'u+abc',
      PAGERDUTY_FROM_EMAIL: 'not-an-email',
      PAGERDUTY_API_URL: 'api.pagerduty.com',
    }),
    [
      'PAGERDUTY_FROM_EMAIL: must be the email address of a PagerDuty user on the account',
      'PAGERDUTY_API_URL: must be an http(s) URL',
    ],
  );
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentConfigFromEnv } from '../../src/agent/config.ts';

describe('agentConfigFromEnv', () => {
  it('is off without a key', () => {
    assert.equal(agentConfigFromEnv({ OPENAI_MODEL: 'x', OPENAI_API_KEY: '' }), null);
  });

  it('reads the endpoint, model and limits', () => {
    const config = agentConfigFromEnv({
      OPENAI_API_KEY: 'k',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
      OPENAI_MODEL: 'qwen',
      AGENT_MAX_TURNS: '12',
      AGENT_TIME_LIMIT_SECONDS: '45',
    });
    assert.equal(config?.baseURL, 'http://127.0.0.1:8000/v1');
    assert.equal(config?.model, 'qwen');
    assert.equal(config?.maxTurns, 12);
    assert.equal(config?.timeLimitMs, 45_000);
  });

  it('defaults to 30 turns', () => {
    assert.equal(agentConfigFromEnv({ OPENAI_API_KEY: 'k' })?.maxTurns, 30);
  });

  it('rejects a limit that is not a positive number', () => {
    assert.throws(() => agentConfigFromEnv({ OPENAI_API_KEY: 'k', AGENT_MAX_TURNS: 'many' }));
  });
});

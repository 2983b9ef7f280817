import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configuredMemory } from '../../src/investigation/evidence/configured-memory.ts';

const MI = 2 ** 20;
const sized = (container: Parameters<typeof configuredMemory>[0]) => configuredMemory(container)?.bytes;

test('reads the memory a process is told to use from its command line and environment', () => {
  assert.equal(sized({ name: 'c', args: ['-m', '1024', '-t', '4'] }), 1024 * MI);
  assert.equal(sized({ name: 'c', command: ['java', '-Xms256m', '-Xmx2g', '-jar', 'app.jar'] }), 2 * 1024 * MI);
  assert.equal(sized({ name: 'c', env: [{ name: 'JAVA_TOOL_OPTIONS', value: '-XX:+UseG1GC -Xmx768m' }] }), 768 * MI);
  assert.equal(sized({ name: 'c', env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=1536' }] }), 1536 * MI);
  assert.equal(sized({ name: 'c', env: [{ name: 'GOMEMLIMIT', value: '900MiB' }] }), 900 * MI);
  assert.equal(sized({ name: 'c', args: ['server', '--maxmemory', '1gb'] }), 1024 * MI);
  assert.equal(configuredMemory({ name: 'c', args: ['-Xmx512m'] })?.setting, '-Xmx512m');
});

test('says nothing when no size is set, and never mistakes other flags for one', () => {
  assert.equal(sized({ name: 'c', command: ['python', '-m', 'http.server', '8000'] }), undefined);
  assert.equal(sized({ name: 'c', args: ['--mode', 'fast'], env: [{ name: 'LOG_LEVEL', value: 'info' }] }), undefined);
  assert.equal(sized(undefined), undefined);
});

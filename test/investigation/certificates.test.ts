import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// x509 errors in the victims: with cert-manager served, what it says of the Certificate that keeps the server's TLS
// Secret (found by its secretName, the Secret carrying no annotation) and of the issuer it names decides the culprit.
test('an expired certificate whose Issuer cannot sign is answered at the Issuer, from cert-manager status', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'marina-tls-issuer-not-ready.json'));
  assert.deepEqual(result.rootCause, { kind: 'Issuer', namespace: 'marina', name: 'marina-ca' });
  assert.equal(result.faultType, 'other');
  const evidence = result.hypotheses[0]?.evidence.map((e) => e.text).join('\n') ?? '';
  assert.match(evidence, /Issuer marina-ca Ready=False \(ErrGetKeyPair\): Error getting keypair/);
  assert.match(evidence, /Certificate slip-registry Ready=False \(Expired\)/);
  assert.match(evidence, /x509: certificate has expired/);
  const certManager = requests.filter((request) => request.path.startsWith('/apis/cert-manager.io/'));
  assert.deepEqual(certManager.map((request) => request.path.split('/').at(-1)).sort(), ['certificates', 'issuers']);
});

test('cert-manager, though served, is not read when no log shows a TLS verification failure', async () => {
  const scenario = JSON.parse(await readFile(join(FIXTURES, 'marina-tls-issuer-not-ready.json'), 'utf8'));
  for (const log of scenario.cluster.logs) log.lines = log.lines.map((line: string) => line.replace(/tls: .*$/, 'EOF'));
  const dir = await mkdtemp(join(tmpdir(), 'no-tls-'));
  try {
    const file = join(dir, 'no-tls.json');
    await writeFile(file, JSON.stringify(scenario));
    const { requests } = await replayScenarioFile(file);
    assert.ok(requests.some((request) => request.path === '/apis'));
    assert.ok(!requests.some((request) => request.path.startsWith('/apis/cert-manager.io/')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanForSecrets } from '../../src/redaction/secret-scanners.ts';

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = `${ALNUM}+/`;
const run = (next: () => number, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');

/** One credential of each shape the preset's scanners look for, and text around them that looks like some. */
function pieces(next: () => number): string[] {
  return [
    `AKIA${run(next, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    `AWS_SECRET_ACCESS_KEY=${run(next, BASE64, 40)}`,
    `"aws_account_id": "1234-5678-${run(next, '0123456789', 4)}"`,
    `npm_${run(next, ALNUM, 36)}`,
    `//registry.npmjs.org/:_authToken=${run(next, ALNUM, 24)}`,
    `https://${run(next, ALNUM, 12)}:x-oauth-basic@github.com/acme/repo`,
    `xoxb-${run(next, '0123456789', 12)}-${run(next, '0123456789', 13)}-${run(next, ALNUM, 24)}`,
    `https://hooks.slack.com/services/T${run(next, ALNUM, 8)}/B${run(next, ALNUM, 8)}/${run(next, ALNUM, 24)}`,
    `https://deploy:${run(next, ALNUM, 12)}@registry.example.com/v2`,
    `sk-${run(next, ALNUM, 20)}T3BlbkFJ${run(next, ALNUM, 20)}`,
    `sk-ant-api03-${run(next, `${ALNUM}_-`, 95)}AA`,
    `lin_api_${run(next, ALNUM, 40)}`,
    `-----BEGIN RSA PRIVATE KEY-----\nMII${run(next, BASE64, 160)}\n-----END RSA PRIVATE KEY-----`,
    `SG.${run(next, ALNUM, 22)}.${run(next, ALNUM, 43)}`,
    `shpat_${run(next, '0123456789abcdef', 32)}`,
    `ghp_${run(next, ALNUM, 36)}`,
    `github_pat_${run(next, ALNUM, 82)}`,
    `ops_ey${run(next, BASE64, 200)}fQ==`,
    `postgres://app:${run(next, ALNUM, 10)}@db.shop.svc:5432/app`,
    `mongodb+srv://reader:${run(next, ALNUM, 10)}@cluster0.example.net/orders`,
    `jdbc:mysql://root:${run(next, ALNUM, 10)}@10.0.0.7:3306/shop`,
    // Near misses and ordinary evidence.
    'secret "db-creds" not found',
    'account locked',
    'mail ops@example.com',
    'GET https://payments.shop.svc:8080/healthz',
    '7f3c2a1e-9b4d-4c2e-8f1a-2b3c4d5e6f70',
    'investigate-7f3c2a1e-9b4d-4c2e-8f1a-2b3c4d5e6f70',
    'slack:CBENCH/1765072800.000100',
    'connection refused',
    run(next, `${ALNUM} :/@._-=\n`, 40),
  ];
}

test('a scanner is skipped only for texts it could find nothing in: the same findings as every scanner on every text', () => {
  const next = random(20261207);
  let found = 0;
  for (let round = 0; round < 3_000; round++) {
    const all = pieces(next);
    const chosen = Array.from({ length: 1 + Math.floor(next() * 4) }, () => all[Math.floor(next() * all.length)] ?? '');
    // Case flips turn some credentials into near misses (rules that ignore case still find them).
    const text = chosen
      .map((piece) => (next() < 0.2 ? piece.toLowerCase() : next() < 0.1 ? piece.toUpperCase() : piece))
      .join(next() < 0.5 ? ' ' : '\n');
    const skipping = scanForSecrets(text);
    assert.deepEqual(skipping, scanForSecrets(text, { everyScanner: true }), text);
    found += skipping.length;
  }
  assert.ok(found > 1_000, `credentials were found (${found})`);
});

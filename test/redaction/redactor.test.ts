import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, Redactor } from '../../src/redaction/redactor.ts';

const redactor = new Redactor([
  's3cr3t-Passw0rd',
  'line-one-Value1\nline-two-Value2',
  'ledger',
  'orange-harbour-lantern',
]);

describe('Redactor.text', () => {
  const cases: [string, string, RegExp | string][] = [
    [
      'a JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'eyJ',
    ],
    ['a bearer header', 'Authorization: Bearer abcdef0123456789abcdef', 'abcdef0123456789'],
    ['basic auth', 'sent Basic dXNlcjpwYXNzd29yZA== to upstream', 'dXNlcjpwYXNzd29yZA'],
    ['an AWS access key id', 'using AKIA2E0A8F3B244C9986 for s3', 'AKIA2E0A8F3B244C9986'],
    ['a connection string password', 'dial postgres://app:hunter22@db.shop.svc:5432/app failed', 'hunter22'],
    ['password=value', 'config: DB_PASSWORD=hunter22 loaded', 'hunter22'],
    ['a JSON password field', '{"api_key": "k-123456789"}', 'k-123456789'],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'MIIEow'],
    ['a known Secret value', 'login failed for s3cr3t-Passw0rd', 's3cr3t-Passw0rd'],
    ['each line of a multi-line Secret value', 'read line-two-Value2 from file', 'line-two-Value2'],
    ['a long Secret value that looks like words', 'motto orange-harbour-lantern', 'orange-harbour'],
    ['the base64 of a Secret value', `data: ${Buffer.from('s3cr3t-Passw0rd').toString('base64')}`, 'czNjcjN0'],
    ['a GitHub token', 'GH ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abc'],
  ];
  for (const [what, input, leaked] of cases) {
    it(`masks ${what}`, () => {
      const output = redactor.text(input);
      assert.ok(!output.includes(leaked as string), output);
      assert.ok(output.includes(MASK), output);
    });
  }

  it('masks a text seen before once a Secret value it holds is learned, and the same text the same way again', () => {
    const fresh = new Redactor();
    const line = 'upstream refused key quiet-meadow-4711 for tenant acme';
    assert.equal(fresh.text(line), line);
    fresh.addSecretValues(['quiet-meadow-4711']);
    assert.equal(fresh.text(line), `upstream refused key ${MASK} for tenant acme`);
    assert.equal(fresh.text(line), `upstream refused key ${MASK} for tenant acme`);
  });

  it("masks the formats of secretlint's recommended rules, keeping a connection string's host as evidence", () => {
    const output = redactor.text(
      'mysql://shop:Wq9rT2pLx7Zk@mysql.shop.svc:3306/shop refused; token xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx',
    );
    assert.equal(output, `mysql://shop:${MASK}@mysql.shop.svc:3306/shop refused; token ${MASK}`);
  });

  it('ignores a secretlint-disable comment in the text: whoever wrote the log line does not decide', () => {
    const output = redactor.text('// secretlint-disable\nkey ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    assert.ok(!output.includes('ghp_abcdef'), output);
  });

  it('does not mask a Secret value that is a name elsewhere (a username equal to the app name)', () => {
    assert.equal(redactor.text('pod ledger-5d8f-abcde in ledger-ns'), 'pod ledger-5d8f-abcde in ledger-ns');
  });

  it('leaves ordinary evidence alone', () => {
    const line = 'dial tcp 10.0.0.7:6379: connect: connection refused; secret "db-creds" not found';
    assert.equal(redactor.text(line), line);
    assert.equal(redactor.text('http://payments.shop.svc:8080/healthz'), 'http://payments.shop.svc:8080/healthz');
  });

  it('keeps JSON valid where a key ends like a credential word and opens an object, and masks the fields inside', () => {
    const json = JSON.stringify({ powderpass: { total: 7 }, apiToken: ['a'], db: { password: 'hunter22' } });
    const output = redactor.text(json);
    assert.deepEqual(JSON.parse(output), { powderpass: { total: 7 }, apiToken: ['a'], db: { password: MASK } });
  });

  it('stays fast on long lines', () => {
    const output = redactor.text('x'.repeat(200_000));
    assert.equal(output.length, 200_000);
  });
});

describe('Redactor.value', () => {
  it('drops Secret data, keeping only the key names', () => {
    const secret = {
      kind: 'Secret',
      metadata: {
        name: 'db',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' },
      },
      data: { password: 'aHVudGVyMg==', user: 'YXBw' },
      stringData: { extra: 'plain' },
    };
    const output = redactor.value(secret) as Record<string, unknown>;
    assert.deepEqual(output.dataKeys, ['password', 'user']);
    assert.deepEqual(output.stringDataKeys, ['extra']);
    assert.equal(output.data, undefined);
    assert.ok(!JSON.stringify(output).includes('aHVudGVyMg'));
  });

  it('masks env values and map entries whose names say credential', () => {
    const pod = {
      env: [
        { name: 'DB_PASSWORD', value: 'plain-text-pass' },
        { name: 'API_TOKEN', value: 'abc' },
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'DB_PASSWORD_FROM', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      ],
      data: { 'client.secret': 'Zm9vYmFyYmF6', 'feature.enabled': 'true' },
    };
    const output = redactor.value(pod);
    assert.deepEqual(output.env[0], { name: 'DB_PASSWORD', value: MASK });
    assert.deepEqual(output.env[1], { name: 'API_TOKEN', value: MASK });
    assert.deepEqual(output.env[2], { name: 'LOG_LEVEL', value: 'debug' });
    assert.deepEqual(output.env[3], pod.env[3]);
    assert.deepEqual(output.data, { 'client.secret': MASK, 'feature.enabled': 'true' });
  });

  it('does not modify its input', () => {
    const input = { env: [{ name: 'PASSWORD', value: 'x1y2z3' }] };
    redactor.value(input);
    assert.equal(input.env[0]!.value, 'x1y2z3');
  });
});

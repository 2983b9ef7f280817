import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configuredHosts } from '../../src/investigation/evidence/hosts.ts';
import { malformedKeys } from '../../src/investigation/evidence/malformed.ts';

test('an INI or TOML file that opens with a [section] header is not judged as JSON', () => {
  const toml = '[agent]\n  interval = "10s"\n[[inputs.mqtt_consumer]]\n  servers = ["tcp://broker:1883"]\n';
  assert.deepEqual(malformedKeys({ 'telegraf.conf': toml, 'settings.txt': toml }), []);
  assert.deepEqual(malformedKeys({ 'reader.conf': '[amqp]\nurl = amqp://mq:5672\n' }), []);
  // A truncated JSON document is still malformed, whatever its key is called.
  assert.deepEqual(malformedKeys({ 'flags.json': '{"checkout": tru', data: '[1, 2,' }), ['flags.json', 'data']);
});

test("an object store's URI names a bucket, not a host", () => {
  assert.deepEqual(configuredHosts('s3://mosaics/index/latest.fgb'), []);
  assert.deepEqual(configuredHosts('gs://scenes-raw/2026/'), []);
  assert.deepEqual(
    configuredHosts('http://minio.store.svc:9000/mosaics').map((h) => h.host),
    ['minio.store.svc'],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measuresIn, parseMeasure, sameMeasure } from '../../src/investigation/evidence/measure.ts';

test('Kubernetes quantities, human and log forms land on one scale', () => {
  assert.deepEqual(parseMeasure('1.5Ti'), { value: 1649267441664, unit: 'bytes' });
  assert.deepEqual(parseMeasure('1.5 TiB'), { value: 1649267441664, unit: 'bytes' });
  assert.deepEqual(parseMeasure('512mb'), { value: 512 * 2 ** 20, unit: 'bytes' });
  assert.deepEqual(parseMeasure('2GB'), { value: 2e9, unit: 'bytes' });
  assert.deepEqual(parseMeasure('64Mi'), { value: 64 * 2 ** 20, unit: 'bytes' });
  assert.deepEqual(parseMeasure('2G'), { value: 2e9, unit: 'count' });
  assert.deepEqual(parseMeasure('90%'), { value: 90, unit: 'percent' });
  assert.deepEqual(parseMeasure('262144'), { value: 262144, unit: 'count' });
  assert.deepEqual(parseMeasure('250m'), { value: 0.25, unit: 'count' });
  assert.equal(parseMeasure('fast'), undefined);
  assert.equal(parseMeasure('12 parsecs'), undefined);
});

test('the amounts a log line writes, not the digits inside names or versions', () => {
  const line =
    'flood stage disk watermark [70%] exceeded on [node-0][/data] free: 25.8gb[26.3%], station NW-0218 v1.62.0';
  assert.deepEqual(
    measuresIn(line).map((m) => `${m.value}${m.unit}`),
    ['70percent', `${25.8 * 2 ** 30}bytes`, '26.3percent'],
  );
  assert.ok(sameMeasure(parseMeasure('1.5Ti') as never, measuresIn("reached quota's max_bytes: 1.5 TiB")[0] as never));
  assert.ok(sameMeasure(parseMeasure('64mb') as never, { value: 67108864, unit: 'count' }));
  assert.ok(!sameMeasure(parseMeasure('70%') as never, parseMeasure('74%') as never));
});

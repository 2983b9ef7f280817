import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namespaceWordYields } from '../../src/investigation/evidence/namespace-word.ts';

// Made-up cluster: namespaces named after products (nats, minio) beside the application's own.
const OBJECTS = [
  { namespace: 'nats', name: 'nats', appNames: ['nats'] },
  { namespace: 'minio', name: 'minio-operator', appNames: ['minio-operator'] },
  { namespace: 'atelier', name: 'render-farm-api', appNames: ['render-farm'] },
  { namespace: 'atelier', name: 'render-farm', appNames: ['render-farm'] },
  { namespace: 'gallery', name: 'thumb-cutter', appNames: ['thumb-cutter'] },
];
const quiet = () => 0;

test('a label naming an application elsewhere outweighs the namespace a word of the prose names', () => {
  const verdict = namespaceWordYields('renders stuck; nats lag growing', ['render-farm'], 'nats', OBJECTS, quiet);
  assert.equal(verdict?.namespace, 'atelier');
  // The labelled thing in the named namespace keeps it.
  assert.equal(namespaceWordYields('nats lag growing', ['nats'], 'nats', OBJECTS, quiet), undefined);
});

test('a dashed name stated in the text outweighs a namespace only guessed at in a question', () => {
  const text = 'thumb-cutter logs timeouts writing thumbnails since 10:00. Did someone rotate the minio keys?';
  assert.equal(namespaceWordYields(text, [], 'minio', OBJECTS, quiet)?.namespace, 'gallery');
  // The namespace stated as often as the name (the name only guessed at): the namespace stays.
  const guess = 'minio buckets unreachable since 10:00. is thumb-cutter down??';
  assert.equal(namespaceWordYields(guess, [], 'minio', OBJECTS, quiet), undefined);
});

test('a name only written in words, or nothing named, leaves the namespace the prose names', () => {
  assert.equal(namespaceWordYields('thumb cutter slow, minio latency high', [], 'minio', OBJECTS, quiet), undefined);
  assert.equal(namespaceWordYields('minio latency high', ['unknown-app'], 'minio', OBJECTS, quiet), undefined);
});

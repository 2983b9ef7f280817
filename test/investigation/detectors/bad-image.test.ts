import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badImage } from '../../../src/investigation/detectors/bad-image.ts';
import { app, cluster, event, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('ImagePullBackOff names the workload with the pull error as evidence', () => {
  const snapshot = cluster((s) => {
    app(s, 'catalog', {
      image: 'registry.example/catalog:9.9-typo',
      ready: false,
      containerStatus: { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'catalog').metadata?.name ?? '' },
      'Failed',
      'Failed to pull image "registry.example/catalog:9.9-typo": not found',
    );
  });
  const findings = detect(badImage, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/catalog bad-image']);
  assert.ok(findings[0]?.evidence.some((e) => e.source === 'event' && /Failed to pull image/.test(e.text)));
});

test('running pods are no bad image', () => {
  assert.deepEqual(
    detect(
      badImage,
      cluster((s) => app(s, 'catalog')),
    ),
    [],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependencyDown } from '../../../src/investigation/detectors/dependency-down.ts';
import { app, cluster } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a called workload scaled to zero names that workload and proposes scaling it back', () => {
  const snapshot = cluster((s) => {
    app(s, 'sessions', { replicas: 0, changedAt: '2026-11-20T10:15:00Z' });
    app(s, 'web', { env: [{ name: 'SESSIONS_HOST', value: 'sessions' }] });
  });
  const findings = detect(dependencyDown, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/sessions dependency-down']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.9);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'scale',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'sessions',
    replicas: 1,
  });
});

test('a workload with no ready pod is a weak (symptomatic) finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'sessions', { ready: false });
    app(s, 'web', { env: [{ name: 'SESSIONS_HOST', value: 'sessions' }] });
  });
  const [finding] = detect(dependencyDown, snapshot);
  assert.ok((finding?.strength ?? 1) < 0.7);
});

test('ready workloads are no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'sessions');
    app(s, 'web', { env: [{ name: 'SESSIONS_HOST', value: 'sessions' }] });
  });
  assert.deepEqual(detect(dependencyDown, snapshot), []);
});

test('scaled to zero with no caller seen: a Service in front of it still makes it a (weaker) finding', () => {
  const withService = cluster((s) => app(s, 'sessions', { replicas: 0 }));
  const [finding] = detect(dependencyDown, withService);
  assert.equal(finding?.entity.name, 'sessions');
  assert.ok((finding?.strength ?? 1) < 0.9);
  assert.match(finding?.summary ?? '', /Service sessions routes to it/);
  const parked = cluster((s) => app(s, 'sessions', { replicas: 0, service: false }));
  assert.deepEqual(detect(dependencyDown, parked), []);
});

test('a workload whose pods all wait in a running init container is a weaker finding that says what they wait in', () => {
  const snapshot = cluster((s) => {
    app(s, 'checkout', {
      ready: false,
      podPhase: 'Pending',
      initContainer: { command: ['sh', '-c', 'until nc -z db.data.svc 5432; do echo waiting for db; sleep 2; done'] },
      initStatus: { state: { running: { startedAt: '2026-11-20T10:00:00Z' } } },
    });
    app(s, 'web', { env: [{ name: 'CHECKOUT_HOST', value: 'checkout' }] });
  });
  const [waiting] = detect(dependencyDown, snapshot);
  assert.match(waiting?.summary ?? '', /its pods wait in init container init/);
  const plain = cluster((s) => {
    app(s, 'checkout', { ready: false });
    app(s, 'web', { env: [{ name: 'CHECKOUT_HOST', value: 'checkout' }] });
  });
  const [down] = detect(dependencyDown, plain);
  assert.doesNotMatch(down?.summary ?? '', /init container/);
  assert.ok((waiting?.strength ?? 1) < (down?.strength ?? 0));
});

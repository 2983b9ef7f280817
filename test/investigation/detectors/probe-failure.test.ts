import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeFailure } from '../../../src/investigation/detectors/probe-failure.ts';
import { app, cluster, event, NS, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('liveness probe failing with 404 names the workload (its probe path is wrong)', () => {
  const snapshot = cluster((s) => {
    app(s, 'web', {
      containerStatus: { restartCount: 4 },
      container: { livenessProbe: { httpGet: { path: '/healthz-typo', port: 8080 } } },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'web').metadata?.name ?? '' },
      'Unhealthy',
      'Liveness probe failed: HTTP probe failed with statuscode: 404',
    );
  });
  const findings = detect(probeFailure, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/web liveness-probe']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.9);
});

test('a readiness probe on a port the container does not expose is a readiness-probe fault, without any event', () => {
  const snapshot = cluster((s) =>
    app(s, 'api', { ready: false, container: { readinessProbe: { tcpSocket: { port: 9999 } } } }),
  );
  assert.deepEqual(named(detect(probeFailure, snapshot)), ['Deployment/shop/api readiness-probe']);
});

test('probe timeouts are a weak claim (a slow dependency can cause them)', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', { ready: false });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'api').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: Get "http://10.0.0.1:8080/ready": context deadline exceeded',
    );
  });
  const [finding] = detect(probeFailure, snapshot);
  assert.equal(finding?.faultType, 'readiness-probe');
  assert.ok((finding?.strength ?? 1) < 0.7);
});

test('healthy probes are no finding', () => {
  assert.deepEqual(
    detect(
      probeFailure,
      cluster((s) => app(s, 'web', { container: { livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } } })),
    ),
    [],
  );
});

test('a probe that failed while the pod started, now ready and never restarted, is no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'web');
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'web').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: Get "http://10.0.0.1:8080/ready": dial tcp 10.0.0.1:8080: connect: connection refused',
    );
  });
  assert.deepEqual(detect(probeFailure, snapshot), []);
});

test('a readiness probe failure on pods that are ready (restarted for another reason) is no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'web', { containerStatus: { restartCount: 2 } });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'web').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
  });
  assert.deepEqual(detect(probeFailure, snapshot), []);
});

test('a liveness probe failure on a container never restarted is no finding; with restarts it is', () => {
  const failing = (restartCount: number) =>
    cluster((s) => {
      app(s, 'web', { ready: false, containerStatus: { restartCount } });
      event(
        s,
        { kind: 'Pod', name: podOf(s, 'web').metadata?.name ?? '' },
        'Unhealthy',
        'Liveness probe failed: Get "http://10.0.0.1:8080/healthz": context deadline exceeded',
      );
    });
  assert.deepEqual(detect(probeFailure, failing(0)), []);
  assert.deepEqual(named(detect(probeFailure, failing(3))), ['Deployment/shop/web liveness-probe']);
});

test('a pod its Endpoints list as not ready counts as out of service for a readiness probe', () => {
  const snapshot = cluster((s) => {
    app(s, 'web');
    const pod = podOf(s, 'web');
    s.endpoints.push({
      metadata: { name: 'web', namespace: NS },
      subsets: [
        { notReadyAddresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: pod.metadata?.name ?? '' } }] },
      ],
    });
    event(s, { kind: 'Pod', name: pod.metadata?.name ?? '' }, 'Unhealthy', 'Readiness probe failed: statuscode: 503');
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), ['Deployment/shop/web readiness-probe']);
});

test('a pod left out of the Endpoints that list its siblings counts as out of service; one listed ready does not', () => {
  const withAddresses = (names: string[]) =>
    cluster((s) => {
      app(s, 'web');
      const pod = podOf(s, 'web');
      s.endpoints.push({
        metadata: { name: 'web', namespace: NS },
        subsets: [{ addresses: names.map((name) => ({ ip: '10.0.0.2', targetRef: { kind: 'Pod', name } })) }],
      });
      event(s, { kind: 'Pod', name: pod.metadata?.name ?? '' }, 'Unhealthy', 'Readiness probe failed: statuscode: 503');
    });
  assert.deepEqual(named(detect(probeFailure, withAddresses(['web-sibling']))), [
    'Deployment/shop/web readiness-probe',
  ]);
  const listed = withAddresses([]);
  const name = podOf(listed, 'web').metadata?.name ?? '';
  const subset = listed.endpoints[0]?.subsets?.[0];
  subset?.addresses?.push({ ip: '10.0.0.3', targetRef: { kind: 'Pod', name } });
  assert.deepEqual(detect(probeFailure, listed), []);
});

test('a container the kubelet restarts for its liveness probe is a liveness fault; readiness failures while it restarts are no second one', () => {
  const snapshot = cluster((s) => {
    app(s, 'slow', { ready: false, containerStatus: { restartCount: 6, ready: false } });
    const pod = { kind: 'Pod', name: podOf(s, 'slow').metadata?.name ?? '' };
    event(s, pod, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500');
    event(s, pod, 'Killing', 'Container main failed liveness probe, will be restarted', undefined, 'Normal');
    event(s, pod, 'Unhealthy', 'Readiness probe failed: Get "http://10.0.0.1:8080/ready": connect: connection refused');
  });
  const findings = detect(probeFailure, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/slow liveness-probe']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.8);
  assert.ok(findings[0]?.evidence.some((e) => /failed liveness probe, will be restarted/.test(e.text)));
});

test('without restarts a failing readiness probe stays a readiness fault, beside a liveness probe that kills nothing', () => {
  const snapshot = cluster((s) => {
    app(s, 'picky', { ready: false });
    const pod = { kind: 'Pod', name: podOf(s, 'picky').metadata?.name ?? '' };
    event(s, pod, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), ['Deployment/shop/picky readiness-probe']);
});

test('readiness failures of a container that keeps exiting on its own are its crash, not its probe', () => {
  // The process exits and waits to be restarted: nothing listens, so the probe is refused. The crash (and what it
  // depends on) is the fault; a probe that is wrong on paper would still be named.
  const snapshot = cluster((s) => {
    app(s, 'queue', {
      ready: false,
      containerStatus: {
        ready: false,
        restartCount: 7,
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-20T10:26:00Z' } },
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'queue').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: dial tcp 10.0.0.7:5672: connect: connection refused',
    );
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), []);
});

test('readiness failures of a running container that restarted once long ago still name its probe', () => {
  const snapshot = cluster((s) => {
    app(s, 'queue', {
      ready: false,
      containerStatus: {
        ready: false,
        restartCount: 1,
        lastState: { terminated: { exitCode: 255, reason: 'Unknown', finishedAt: '2026-11-19T10:00:00Z' } },
        state: { running: { startedAt: '2026-11-19T10:01:00Z' } },
      },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'queue').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), ['Deployment/shop/queue readiness-probe']);
});

test("a ready sidecar's probe on a port it does not list is no fault; its pod's liveness kills are", () => {
  // Declared ports are informational (a mesh proxy's status port is seldom listed): only a probe of a container that
  // is itself unready or restarted can be wrong on paper.
  const snapshot = cluster((s) => {
    app(s, 'kiln', {
      ready: false,
      containerStatus: { ready: false, restartCount: 5 },
      container: { livenessProbe: { httpGet: { path: '/live', port: 8080 } } },
    });
    const sidecar = {
      name: 'proxy',
      image: 'proxy:1',
      ports: [{ containerPort: 15090 }],
      readinessProbe: { httpGet: { path: '/ready', port: 15021 } },
    };
    s.deployments[0]?.spec?.template.spec?.containers.push(sidecar);
    const pod = podOf(s, 'kiln');
    pod.spec?.containers.push(sidecar);
    pod.status?.containerStatuses?.push({ name: 'proxy', image: 'proxy:1', imageID: '', ready: true, restartCount: 0 });
    const name = pod.metadata?.name ?? '';
    event(s, { kind: 'Pod', name }, 'Killing', 'Container main failed liveness probe, will be restarted');
    event(s, { kind: 'Pod', name }, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 503');
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), ['Deployment/shop/kiln liveness-probe']);
});

test("readiness failures of a replica that runs while its siblings crash are the workload's crash, not its probe", () => {
  // A member waiting for a quorum its crashing peers cannot give answers 503 to its readiness probe.
  const snapshot = cluster((s) => {
    app(s, 'quorum', { ready: false, replicas: 1 });
    const running = podOf(s, 'quorum');
    const crashing = structuredClone(running);
    if (crashing.metadata) crashing.metadata.name = `${running.metadata?.name}-b`;
    const status = crashing.status?.containerStatuses?.[0];
    if (status) {
      status.restartCount = 6;
      status.state = { waiting: { reason: 'CrashLoopBackOff' } };
    }
    s.pods.push(crashing);
    event(
      s,
      { kind: 'Pod', name: running.metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
  });
  assert.deepEqual(named(detect(probeFailure, snapshot)), []);
});

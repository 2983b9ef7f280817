import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { app, cluster, event, focusOn, logs, NS, OLD } from './support/cluster.ts';

// When no detector explains the symptom, the walk along its dependencies names the best-supported suspect.

/** web calls ledger; ledger reads the Secret ledger-db. */
const ledgerShop = (build: (s: ClusterSnapshot) => void) =>
  cluster((s) => {
    app(s, 'ledger', {
      env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'ledger-db', key: 'password' } } }],
    });
    app(s, 'web', { env: [{ name: 'LEDGER_URL', value: 'http://ledger:8080' }] });
    build(s);
  });

const secret = (s: ClusterSnapshot, changedAt: string) =>
  s.secrets.push({
    metadata: {
      name: 'ledger-db',
      namespace: NS,
      creationTimestamp: '2026-10-01T00:00:00Z',
      managedFields: [{ manager: 'external-secrets', operation: 'Update', time: changedAt }],
    },
    keys: ['password'],
  });

test('a Secret the path reads, changed shortly before the symptom, is the suspect when the errors speak of authentication', () => {
  const snapshot = ledgerShop((s) => {
    secret(s, '2026-11-20T09:50:00Z');
    logs(s, 'web', ['2026-11-20T10:21:00Z error: ledger answered 500: password authentication failed for user app']);
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.deepEqual(d.rootCause, { kind: 'Secret', namespace: NS, name: 'ledger-db' });
  assert.equal(d.faultType, 'bad-secret-value');
  assert.ok(d.confidence >= 0.3 && d.confidence <= 0.5, `${d.confidence}`);
  assert.match(d.summary, /30 min before the symptom began, and the errors read fit what it governs.*To confirm:/);
});

test('a NetworkPolicy created shortly before, selecting the pods whose callers time out, is the suspect', () => {
  const snapshot = ledgerShop((s) => {
    s.networkPolicies.push({
      metadata: { name: 'ledger-lockdown', namespace: NS, creationTimestamp: '2026-11-20T10:14:00Z' },
      spec: { podSelector: { matchLabels: { app: 'ledger' } }, policyTypes: ['Ingress'], ingress: [] },
    });
    logs(s, 'web', ['2026-11-20T10:21:00Z error: GET http://ledger:8080/balance: context deadline exceeded']);
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.deepEqual(d.rootCause, { kind: 'NetworkPolicy', namespace: NS, name: 'ledger-lockdown' });
  assert.equal(d.faultType, 'network-policy');
});

test('a change made after the symptom began is not its cause', () => {
  const snapshot = ledgerShop((s) => {
    secret(s, '2026-11-20T10:50:00Z');
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.equal(d.rootCause, null);
  assert.match(d.summary, /Checked on its path: .*Secret ledger-db/);
});

test('a Warning event on the path, repeated, is a suspect once with its count', () => {
  const snapshot = ledgerShop((s) => {
    const pod = s.pods.find((p) => p.metadata?.name?.startsWith('ledger-'));
    event(s, { kind: 'Pod', name: pod?.metadata?.name ?? '' }, 'Unhealthy', 'Readiness probe failed: HTTP 503');
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.equal(d.rootCause?.name, 'ledger');
  const events = d.hypotheses[0]?.evidence.filter((e) => e.source === 'event') ?? [];
  assert.equal(events.length, 1);
  assert.match(events[0]?.text ?? '', /Unhealthy: Readiness probe failed: HTTP 503 \(×5\)/);
});

test('a Warning event still recurring is current evidence, though it first occurred well after the symptom began', () => {
  const snapshot = ledgerShop((s) => {
    const pod = s.pods.find((p) => p.metadata?.name?.startsWith('ledger-'));
    event(s, { kind: 'Pod', name: pod?.metadata?.name ?? '' }, 'Unhealthy', 'Readiness probe failed: timeout');
    logs(s, 'web', ['2026-11-20T09:51:00Z error: request failed: context deadline exceeded']);
  });
  // The alert fired 35 minutes before the probe first failed (10:25): a state, unlike a change, is not ruled out by it.
  const d = diagnose(snapshot, { ...focusOn('web'), startedAt: '2026-11-20T09:50:00Z' }, {});
  assert.deepEqual(d.rootCause, { kind: 'Deployment', namespace: NS, name: 'ledger' });
  assert.ok(d.confidence >= 0.3 && d.confidence <= 0.5, `${d.confidence}`);
  // web, whose errors only echo the callee's trouble, is its victim, not a rival.
  assert.ok(d.ruledOut.some((r) => r.entity.name === 'web' && /consequence of Deployment ledger/.test(r.reason)));
});

test('a Deployment whose controller reports it unavailable (Available False) is a suspect, and the thread says so', () => {
  const snapshot = ledgerShop((s) => {
    const ledger = s.deployments.find((d) => d.metadata?.name === 'ledger');
    if (ledger?.status)
      ledger.status.conditions = [
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
          lastTransitionTime: '2026-11-20T10:24:00Z',
        },
      ];
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.deepEqual(d.rootCause, { kind: 'Deployment', namespace: NS, name: 'ledger' });
  assert.match(d.summary, /Available False \(MinimumReplicasUnavailable\).*To confirm:/);
});

test('a condition that turned long before the symptom began is not this incident', () => {
  const snapshot = ledgerShop((s) => {
    const ledger = s.deployments.find((d) => d.metadata?.name === 'ledger');
    if (ledger?.status)
      ledger.status.conditions = [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastTransitionTime: OLD },
      ];
  });
  assert.equal(diagnose(snapshot, focusOn('web'), {}).rootCause, null);
});

test('with no symptom, of two workloads with errors of their own the one whose errors began nearest the onset is the suspect, not the first by name', () => {
  const snapshot = cluster((s) => {
    app(s, 'archiver');
    app(s, 'renderer');
    logs(s, 'archiver', ['2026-11-20T10:27:00Z error: sweep failed: lock held by another sweeper']);
    logs(s, 'renderer', ['2026-11-20T10:20:30Z error: render failed: unsupported currency precision 3']);
  });
  const d = diagnose(snapshot, { ...focusOn('none'), symptom: null, alertText: 'documents missing' }, {});
  assert.deepEqual(d.rootCause, { kind: 'Deployment', namespace: NS, name: 'renderer' });
  assert.match(d.summary, /errors of its own, nearest the onset/);
});

test('the symptom itself, logging errors of its own with every dependency quiet, is the suspect rather than no answer', () => {
  const snapshot = ledgerShop((s) => {
    logs(s, 'web', ['2026-11-20T10:21:00Z error: template render failed: missing variable total']);
  });
  const d = diagnose(snapshot, focusOn('web'), {});
  assert.deepEqual(d.rootCause, { kind: 'Deployment', namespace: NS, name: 'web' });
  assert.ok(d.confidence >= 0.3 && d.confidence <= 0.5, `${d.confidence}`);
});

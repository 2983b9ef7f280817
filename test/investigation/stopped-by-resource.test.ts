import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { operatorEmptiedService } from '../../src/investigation/detectors/operator-emptied-service.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { app, cluster, NS, service } from './support/cluster.ts';
import { detect, named } from './support/detect.ts';

/** An event an operator records about an object it reconciles, as the API server keeps it (apiVersion, uid). */
function operatorEvent(
  s: ClusterSnapshot,
  about: { apiVersion: string; kind: string; name: string; uid: string },
  reason: string,
  message: string,
  at: string,
): void {
  s.events.push({
    metadata: { name: `${about.name}.${s.events.length}`, namespace: NS },
    involvedObject: { ...about, namespace: NS },
    reason,
    message,
    type: 'Normal',
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
  });
}

const LEDGER = { apiVersion: 'tables.quillon.dev/v1', kind: 'LedgerCluster', name: 'books', uid: 'uid-books' };

/**
 * A ledger cluster whose operator removed every pod it ran shortly before (its resource says to stop), with the
 * Service in front of them, unchanged since spring, selecting them by the resource's name; and a client calling it.
 */
function stoppedLedger(o: { serviceChangedAt?: string; actedAt?: string } = {}): ClusterSnapshot {
  return cluster((s) => {
    app(s, 'billing', { env: [{ name: 'LEDGER_URL', value: 'postgres://books-primary:5432/ledger' }] });
    service(s, 'books-primary', {
      selector: { 'tables.quillon.dev/cluster': 'books', 'tables.quillon.dev/role': 'primary' },
      port: 5432,
      ...(o.serviceChangedAt ? { changedAt: o.serviceChangedAt } : {}),
    });
    const at = o.actedAt ?? '2026-11-20T10:12:00Z';
    operatorEvent(s, LEDGER, 'Stopping', 'removing instance pods as the cluster asks', at);
    operatorEvent(s, LEDGER, 'DeletedPod', 'deleted pod books-1', at);
  });
}

describe('a Service whose pods the operator of the resource its selector names took away', () => {
  it('blames the resource the selector names, on the operator’s events, not the unchanged selector', () => {
    const findings = detect(operatorEmptiedService, stoppedLedger());
    assert.deepEqual(named(findings), [`LedgerCluster/${NS}/books other`]);
    assert.deepEqual(findings[0]?.affects, [{ kind: 'Service', namespace: NS, name: 'books-primary' }]);
  });

  it('leaves a selector edited shortly before to service-selector', () => {
    assert.deepEqual(
      named(detect(operatorEmptiedService, stoppedLedger({ serviceChangedAt: '2026-11-20T10:05:00Z' }))),
      [],
    );
  });

  it('says nothing of an operator that acted on the resource long before', () => {
    assert.deepEqual(named(detect(operatorEmptiedService, stoppedLedger({ actedAt: '2026-11-19T02:00:00Z' }))), []);
  });

  it('keeps the resource above an instance of the same name whose removal its event quotes', () => {
    const snapshot = cluster((s) => {
      service(s, 'render', { selector: { 'farm.quillon.dev/machine': 'render' }, port: 8443 });
      const machine = { apiVersion: 'farm.quillon.dev/v1', kind: 'Machine', name: 'render', uid: 'uid-machine' };
      const instance = { apiVersion: 'farm.quillon.dev/v1', kind: 'MachineInstance', name: 'render', uid: 'uid-i-42' };
      operatorEvent(s, machine, 'SuccessfulDelete', 'stopped by deleting instance uid-i-42', '2026-11-20T10:12:00Z');
      operatorEvent(s, instance, 'ShuttingDown', 'graceful shutdown signalled', '2026-11-20T10:12:00Z');
    });
    assert.deepEqual(named(detect(operatorEmptiedService, snapshot)), [`Machine/${NS}/render other`]);
  });

  it('leaves pods relabelled away from the selector to service-selector, beside a resource named like them', () => {
    const snapshot = cluster((s) => {
      app(s, 'checkout', { labels: { app: 'checkout', tier: 'web' }, service: false });
      service(s, 'checkout', { selector: { app: 'checkout', tier: 'api' }, port: 8080 });
      operatorEvent(
        s,
        { apiVersion: 'autoscale.quillon.dev/v1', kind: 'ScaledWorkload', name: 'checkout', uid: 'uid-sw' },
        'ScalerReady',
        'scaler checkout ready',
        '2026-11-20T10:12:00Z',
      );
    });
    assert.deepEqual(named(detect(operatorEmptiedService, snapshot)), []);
  });

  it('ignores a built-in workload named by the selector: scaling it is no operator’s resource', () => {
    const snapshot = cluster((s) => {
      service(s, 'cache', { selector: { app: 'cache' }, port: 6379 });
      operatorEvent(
        s,
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cache', uid: 'uid-cache' },
        'SuccessfulDelete',
        'delete Pod cache-0 in StatefulSet cache successful',
        '2026-11-20T10:12:00Z',
      );
    });
    assert.deepEqual(named(detect(operatorEmptiedService, snapshot)), []);
  });
});

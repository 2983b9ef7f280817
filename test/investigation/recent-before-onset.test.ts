import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calleeConfigChange } from '../../src/investigation/detectors/callee-config-change.ts';
import { externalNameRepointed } from '../../src/investigation/detectors/external-name-repointed.ts';
import type { Detector } from '../../src/investigation/detectors/detector.ts';
import { buildGraph } from '../../src/investigation/evidence/graph.ts';
import {
  AFTER_ONSET_SLACK,
  changedBeforeOnset,
  SUSPECT_CHANGE_WINDOW,
  symptomOnset,
} from '../../src/investigation/evidence/onset.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { app, cluster, configMap, event, logs, podOf } from './support/cluster.ts';

// The alert began at 08:00; the evidence is read at 15:00, seven hours later.
const ONSET = '2026-11-20T08:00:00Z';
const READ_AT = '2026-11-20T15:00:00Z';
const BEFORE = '2026-11-20T07:40:00Z'; // twenty minutes before the onset
const AFTER = '2026-11-20T12:30:00Z'; // four and a half hours after it: a responder's change

const found = (detector: Detector, snapshot: ClusterSnapshot, startsAt = ONSET): string[] =>
  detector
    .detect(snapshot, buildGraph(snapshot), { text: 'OrdersFailing', startsAt })
    .map((f) => `${f.entity.kind}/${f.entity.name}`);

/**
 * rates reads two ConfigMaps, each edited at its own time, and runs ready; checkout, calling it, has been unready with
 * warnings since just after the onset.
 */
const rates = (unitsAt: string, bannerAt: string) =>
  cluster((s) => {
    s.now = READ_AT;
    configMap(s, 'rates-units', { CURRENCY_SCALE: 'cents' }, unitsAt);
    configMap(s, 'rates-banner', { BANNER_TEXT: 'Holiday hours' }, bannerAt);
    app(s, 'rates', {
      container: { envFrom: [{ configMapRef: { name: 'rates-units' } }, { configMapRef: { name: 'rates-banner' } }] },
    });
    app(s, 'checkout', { env: [{ name: 'RATES_URL', value: 'http://rates:8080' }], ready: false });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'checkout').metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 500',
      '2026-11-20T08:01:00Z',
    );
  });

test('a callee config edited shortly before an onset hours ago is still the suspect, though over the window before the read', () => {
  assert.deepEqual(found(calleeConfigChange, rates(BEFORE, AFTER)), ['ConfigMap/rates-units']);
});

test('the reverse order: the config edited after the onset is not named, the one edited before it is', () => {
  assert.deepEqual(found(calleeConfigChange, rates(AFTER, BEFORE)), ['ConfigMap/rates-banner']);
});

/** ferry calls its carrier through an ExternalName alias repointed at `at`; its log, read from 06:00, has `lines`. */
const ferry = (at: string, lines: string[]) =>
  cluster((s) => {
    s.now = READ_AT;
    app(s, 'ferry', { env: [{ name: 'CARRIER_URL', value: 'http://carrier-api:443' }] });
    s.services.push({
      metadata: {
        name: 'carrier-api',
        namespace: 'shop',
        creationTimestamp: '2026-11-01T09:00:00Z',
        managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: at }],
      },
      spec: { type: 'ExternalName', externalName: 'replica.carrier.example' },
    });
    logs(s, 'ferry', ['2026-11-20T07:00:00Z INFO booking sent', ...lines]);
    Object.assign(s.logs.at(-1) ?? {}, { readFrom: '2026-11-20T06:00:00Z' });
  });
const failed = (at: string) => `2026-11-20T${at}:00Z ERROR booking failed: carrier-api answered 503`;

test('an alias repointed shortly before an onset hours ago is still named, though over the window before the read', () => {
  assert.deepEqual(found(externalNameRepointed, ferry(BEFORE, [failed('08:02'), failed('14:55')])), [
    'Service/carrier-api',
  ]);
});

test('an alias repointed hours after the onset is not its cause, though the errors read all came after it', () => {
  // Read from the snapshot, the repoint would be recent and before every error; the alert says the symptom is older.
  assert.deepEqual(found(externalNameRepointed, ferry(AFTER, [failed('12:40'), failed('14:55')])), []);
});

test('the onset: the alert start when given; else the first line read in the two hours before the snapshot', () => {
  const snapshot = ferry(BEFORE, [failed('08:02'), failed('14:55')]);
  assert.deepEqual(symptomOnset(snapshot, ONSET), { at: Date.parse(ONSET), known: true, now: Date.parse(READ_AT) });
  const estimated = symptomOnset(snapshot);
  assert.equal(estimated.known, false);
  assert.equal(new Date(estimated.at).toISOString(), '2026-11-20T14:55:00.000Z');
  // Without a line in those two hours, the snapshot's own time.
  assert.equal(symptomOnset({ now: READ_AT, logs: [] }).at, Date.parse(READ_AT));
});

test('a known onset holds a change later than the alert lag against it; an estimated one only past the snapshot', () => {
  const known = symptomOnset({ now: READ_AT, logs: [] }, ONSET);
  const at = Date.parse(ONSET);
  assert.ok(changedBeforeOnset(at - SUSPECT_CHANGE_WINDOW, known));
  assert.ok(!changedBeforeOnset(at - SUSPECT_CHANGE_WINDOW - 1, known));
  assert.ok(changedBeforeOnset(at + AFTER_ONSET_SLACK, known));
  assert.ok(!changedBeforeOnset(at + AFTER_ONSET_SLACK + 1, known));
  const estimated = { at, known: false, now: Date.parse(READ_AT) };
  assert.ok(changedBeforeOnset(AFTER, estimated));
  assert.ok(!changedBeforeOnset('2026-11-20T15:01:00Z', estimated));
});

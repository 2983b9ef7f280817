// A zone other than UTC, so that a time read in the process's own zone (pg's reading of a column without one)
// would show: Prisma stores DateTime in UTC.
process.env.TZ = 'America/New_York';

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  alertOfRound,
  beginInvestigation,
  findIncident,
  findIncidentOrThrow,
  moveIncidentStatus,
  pendingRelatedAlerts,
  saveThread,
  threadAndRelatedCount,
} from '../../src/store/incidents.ts';
import { UNSTARTED_INCIDENTS_SQL } from '../../src/worker/requeue-unstarted.ts';
import { poolOf } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

let counter = 0;
async function incident(data: { round?: number; resolvedAt?: Date; cluster?: string } = {}) {
  counter++;
  return database.db.incident.create({
    data: {
      source: 'pagerduty',
      externalId: `pagerduty:PROWS${counter}`,
      title: `Checkout 5xx ${counter}`,
      url: 'https://acme.pagerduty.com/incidents/P1',
      alert: { source: 'pagerduty', title: 'Checkout 5xx', labels: { urgency: 'high' }, annotations: {} },
      createdAt: new Date('2026-12-06T23:59:58.123Z'),
      lastAlertAt: new Date('2026-12-06T23:59:59.456Z'),
      groupingKey: 'default/namespace=shop',
      ...data,
    },
  });
}

test('the worker reads an incident, its investigation and the alert of its round as Prisma reads them', async () => {
  const stored = await incident({ round: 2, resolvedAt: new Date('2026-12-07T01:02:03.004Z'), cluster: 'eu-1' });
  assert.deepEqual(await findIncident(database.db, stored.id), stored);
  assert.deepEqual(await findIncidentOrThrow(database.db, stored.id), stored);
  assert.equal(await findIncident(database.db, 'no-such-incident'), null);
  await assert.rejects(findIncidentOrThrow(database.db, 'no-such-incident'), /does not exist/);

  const starter = await database.db.incidentAlert.create({
    data: {
      incidentId: stored.id,
      key: `pagerduty:STARTER${counter}`,
      title: 'Payments 5xx',
      alert: { title: 'Payments 5xx' },
      startedRound: 2,
      explained: false,
      explanation: 'not on its path',
      resolvedAt: new Date('2026-12-07T00:00:01.999Z'),
    },
  });
  assert.deepEqual(await alertOfRound(database.db, stored), starter);
  assert.equal(await alertOfRound(database.db, { ...stored, round: 3 }), null);
  assert.deepEqual(await threadAndRelatedCount(database.db, stored.id), {
    slackChannel: null,
    slackThreadTs: null,
    related: 1,
  });

  const begun = await beginInvestigation(database.db, stored.id, `investigate-${stored.id}-2`);
  assert.deepEqual(begun, await database.db.investigation.findUniqueOrThrow({ where: { id: begun.id } }));
  assert.equal(begun.attempts, 1);
  const again = await beginInvestigation(database.db, stored.id, `investigate-${stored.id}-2`);
  assert.equal(again.id, begun.id);
  assert.equal(again.attempts, 2);
  assert.deepEqual(again, await database.db.investigation.findUniqueOrThrow({ where: { id: begun.id } }));
});

test("an incident's status moves forward once, never out of resolved, and comes back as Prisma reads it", async () => {
  const stored = await incident();
  const moved = await moveIncidentStatus(database.db, stored.id, 'investigating');
  assert.equal(moved?.previous, 'triggered');
  assert.equal(moved?.incident.status, 'investigating');
  assert.deepEqual(moved?.incident, await database.db.incident.findUniqueOrThrow({ where: { id: stored.id } }));
  assert.equal(await moveIncidentStatus(database.db, stored.id, 'investigating'), null);

  const resolved = await moveIncidentStatus(database.db, stored.id, 'resolved');
  assert.equal(resolved?.previous, 'investigating');
  assert.ok(resolved?.incident.resolvedAt);
  assert.ok(Math.abs(resolved.incident.resolvedAt.getTime() - Date.now()) < 60_000, 'resolved now, in UTC');
  assert.deepEqual(resolved.incident, await database.db.incident.findUniqueOrThrow({ where: { id: stored.id } }));
  assert.equal(await moveIncidentStatus(database.db, stored.id, 'diagnosed'), null);

  const reopened = await moveIncidentStatus(database.db, stored.id, 'triggered');
  assert.equal(reopened?.previous, 'resolved');
  assert.equal(reopened?.incident.round, 2);
  assert.equal(reopened?.incident.resolvedAt, null);
  assert.equal(await moveIncidentStatus(database.db, stored.id, 'triggered'), null);
});

test('a thread is saved once: the first one stays', async () => {
  const stored = await incident();
  const saved = await saveThread(database.db, stored.id, 'CINCIDENTS', '1765000000.000100');
  assert.equal(saved.slackThreadTs, '1765000000.000100');
  assert.deepEqual(saved, await database.db.incident.findUniqueOrThrow({ where: { id: stored.id } }));
  assert.ok(Math.abs(saved.updatedAt.getTime() - Date.now()) < 60_000, 'updated now, in UTC');
  const second = await saveThread(database.db, stored.id, 'COTHER', '1765000000.000200');
  assert.equal(second.slackChannel, 'CINCIDENTS');
  assert.equal(second.slackThreadTs, '1765000000.000100');
});

test('the related alerts an answer must check are those Prisma finds: firing, not the own, unchecked or waiting', async () => {
  const stored = await incident();
  const alerts: {
    primary?: boolean;
    status?: string;
    explained?: boolean | null;
    startedRound?: number | null;
  }[] = [
    { primary: true },
    { explained: null },
    { explained: true },
    { explained: false },
    { explained: false, startedRound: 2 },
    { status: 'resolved' },
  ];
  for (const [index, data] of alerts.entries())
    await database.db.incidentAlert.create({
      data: {
        incidentId: stored.id,
        key: `pagerduty:PENDING${counter}-${index}`,
        title: `alert ${index}`,
        alert: { title: `alert ${index}` },
        joinedAt: new Date(Date.UTC(2026, 11, 7, 0, 0, 10 - index)),
        ...data,
      },
    });
  const expected = await database.db.incidentAlert.findMany({
    where: {
      incidentId: stored.id,
      primary: false,
      status: 'firing',
      OR: [{ explained: null }, { explained: false, startedRound: null }],
    },
    orderBy: { joinedAt: 'asc' },
  });
  assert.equal(expected.length, 2);
  assert.deepEqual(await pendingRelatedAlerts(database.db, stored.id), expected);
});

test('the requeue sweep, which runs every minute, finds the unstarted incidents through an index, not a scan of every incident', async () => {
  const pool = poolOf(database.db);
  const client = await pool.connect();
  try {
    // With a handful of rows a scan is cheapest; forbidding it shows whether an index can answer at all.
    await client.query('SET enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${UNSTARTED_INCIDENTS_SQL}`, [
      new Date().toISOString(),
    ]);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    assert.match(plan, /Index (Only )?Scan using "Incident_status_updatedAt_idx"/, plan);
  } finally {
    await client.query('RESET enable_seqscan');
    client.release();
  }
});

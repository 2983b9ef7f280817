// Resolutions and reopens racing through the real web server: `npx tsx bench/resolve-race.ts` (needs Postgres and
// Redis). For each of INCIDENTS PagerDuty incidents with a thread: 10 copies of incident.resolved at once, then 5 of
// incident.reopened, then 10 of incident.resolved again. Counts per incident the "Resolved" replies, the status
// events and the rounds: anything but 2 replies, 2 resolutions and 1 reopen is a duplicate or a loss.
import { openThread, pagerDutyEvent, startHarness } from '../test/web/harness.ts';

const INCIDENTS = Number(process.env.INCIDENTS ?? 20);
const h = await startHarness();
try {
  const storm = (type: string, id: string, copies: number) =>
    Promise.all(
      Array.from({ length: copies }, () =>
        h.postPagerDuty(pagerDutyEvent(type, { id, title: `Checkout 5xx in shard ${id}` })),
      ),
    ).then((answers) => {
      const failed = answers.filter((answer) => answer.status !== 202);
      if (failed.length > 0) throw new Error(`${type}: ${failed.length} answered ${failed[0]?.status}`);
    });
  const threads = new Map<string, string>();
  await Promise.all(
    Array.from({ length: INCIDENTS }, async (_, index) => {
      const id = `PRACE${index}`;
      const opened = (await (
        await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id, title: `Checkout 5xx in shard ${id}` }))
      ).json()) as {
        incidentId: string;
      };
      threads.set(opened.incidentId, await openThread(h, opened.incidentId));
      await storm('incident.resolved', id, 10);
      await storm('incident.reopened', id, 5);
      await storm('incident.resolved', id, 10);
    }),
  );
  const replies = (threadTs: string) =>
    h.slack.replies(threadTs).filter((call) => /Resolved in pagerduty/.test(String(call.args.text))).length;
  await h.slack.waitFor(() => [...threads.values()].every((ts) => replies(ts) >= 2), 60_000).catch(() => undefined);
  let duplicated = 0;
  let lost = 0;
  for (const [incidentId, threadTs] of threads) {
    const events = await h.database.db.auditEvent.groupBy({
      by: ['action'],
      where: { incidentId, action: { in: ['incident.status', 'incident.reopened'] } },
      _count: true,
    });
    const count = (action: string) => events.find((event) => event.action === action)?._count ?? 0;
    const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    const seen = [replies(threadTs), count('incident.status'), count('incident.reopened'), incident.round];
    const expected = [2, 2, 1, 2];
    if (incident.status !== 'resolved' || seen.some((n, i) => n < expected[i]!)) lost++;
    if (seen.some((n, i) => n > expected[i]!)) duplicated++;
  }
  console.log(
    `${INCIDENTS} incidents × (10 resolved, 5 reopened, 10 resolved) = ${INCIDENTS * 25} webhooks: ` +
      `incidents with a duplicated reply, status event or round: ${duplicated}; with one lost: ${lost}`,
  );
  process.exitCode = duplicated === 0 && lost === 0 ? 0 : 1;
} finally {
  await h.close();
}

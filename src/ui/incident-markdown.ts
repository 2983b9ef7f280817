import { entityLabel } from '../investigation/model.ts';
import { type IncidentView, PROBLEM_WORDS } from './incident-view.ts';
import { durationsLine, formatDuration, kindLabel, type Timeline } from '../audit/timeline.ts';

/**
 * Text from outside as Markdown that stays text: no HTML (a renderer would run it), no table cell broken by a pipe
 * or a line break, no emphasis or link made of the punctuation in a message.
 */
const text = (value: string | number | bigint | null | undefined) =>
  String(value ?? '')
    .replace(/[\\`*_[\]<>|#]/g, (char) => `\\${char}`)
    .replace(/&/g, '&amp;')
    .replace(/\s*\n\s*/g, ' ');

const time = (at: Date | string) => `${new Date(at).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** The incident page as a Markdown document (for a review file or a ticket), the same content and verification. */
export function incidentMarkdown(view: IncidentView, story: Timeline, generatedAt: Date, viewer: string): string {
  const { record, summary, answer, links } = view;
  const { chain } = record;
  const lines: string[] = [
    `# ${text(record.incident.title)}`,
    '',
    `Incident \`${record.incident.id}\` · exported ${time(generatedAt)} by ${text(viewer)}`,
    '',
    '## Chain integrity',
    '',
    chain.ok
      ? `**Verified**: all ${chain.rows} audit events of this incident are intact and in order.`
      : `**NOT VERIFIED**: ${chain.problems.length} problem(s).`,
    ...chain.problems.map((problem) => `- seq ${problem.seq} ${PROBLEM_WORDS[problem.kind]}: ${text(problem.message)}`),
    chain.checkpoint
      ? `Checked against the checkpoint of ${chain.checkpoint.at} (seq ≤ ${chain.checkpoint.lastSeq}) from ${text(view.checkpointSource)}; ${chain.uncoveredRows} newer event(s) covered by the chain alone.`
      : `No external checkpoint to compare with (${text(view.checkpointSource)}).`,
    ...(view.keyed ? [] : ['AUDIT_HMAC_KEY is not set: the chain uses the public development key.']),
    '',
    '## Facts',
    '',
    `- Status: ${summary.status} (round ${record.incident.round})`,
    `- Source: ${text(record.incident.externalId)}`,
    `- Cluster: ${text(summary.cluster ?? '—')}`,
    `- Namespace: ${text(summary.namespace ?? '—')}`,
    `- Opened: ${time(summary.createdAt)}`,
    `- Time to answer: ${summary.timeToAnswerMs === null ? 'not answered' : formatDuration(summary.timeToAnswerMs)}`,
    `- Outcome: ${text(summary.outcome)}`,
    ...(links.slackThread ? [`- Slack thread: <${links.slackThread}>`] : []),
    ...(links.pagerDuty ? [`- PagerDuty incident: <${encodeURI(links.pagerDuty)}>`] : []),
    '',
    '## Answer',
    '',
  ];
  if (!answer) lines.push('No answer yet.');
  else {
    const root = answer.rootCause ? entityLabel(answer.rootCause) : 'No root cause found';
    lines.push(
      `**${text(root)}** · ${text(answer.faultType ?? 'other')} · ${Math.round(answer.confidence * 100)}% — ${text(answer.summary)}`,
    );
    const evidence = answer.hypotheses[0]?.evidence ?? [];
    if (evidence.length > 0)
      lines.push(
        '',
        '### Evidence',
        '',
        ...evidence.map((e) => `- ${e.source} of ${text(entityLabel(e.ref))}: ${text(e.text)}`),
      );
    if (answer.ruledOut.length > 0)
      lines.push(
        '',
        '### Ruled out',
        '',
        ...answer.ruledOut.map((r) => `- ${text(entityLabel(r.entity))}: ${text(r.reason)}`),
      );
  }
  lines.push('', '## Plan', '');
  if (record.plans.length === 0) lines.push('No remediation plan.');
  for (const plan of record.plans) {
    lines.push(
      `**${text(plan.summary)}** · ${plan.status} · risk ${plan.risk}${plan.spec ? `: ${text(plan.spec.riskReason)}` : ''}`,
      '',
      // A fence longer than any run of backticks in the diff, so the diff cannot close it.
      ...(plan.spec
        ? [...fenced(plan.spec.diff), '', `Rollback: ${text(plan.spec.rollback)}`]
        : [`**Unreadable**: ${text(plan.unreadable)}`]),
      '',
      ...plan.approvals.map(
        (approval) =>
          `- ${approval.decision} by ${text(approval.userId)} at ${time(approval.createdAt)}${approval.reason ? `: ${text(approval.reason)}` : ''}`,
      ),
      '',
    );
  }
  lines.push(
    '## Timeline',
    '',
    `Time to ${durationsLine(story.durations)}.`,
    '',
    '| time | since alert | what | event | who | seq |',
    '|---|---|---|---|---|---|',
    ...story.entries.map((entry) => {
      const marks = (view.problems.get(entry.seq) ?? []).map((p) => ` **${PROBLEM_WORDS[p.kind]}**`).join('');
      return `| ${time(entry.at)} | +${formatDuration(entry.sinceAlertMs)} | ${kindLabel(entry.kind)} | ${text(entry.text)}${marks} | ${text(entry.actor)} | ${entry.seq} |`;
    }),
    '',
  );
  return `${lines.join('\n')}\n`;
}

function fenced(body: string): string[] {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}diff`, body, fence];
}

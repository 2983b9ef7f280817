import { z } from 'zod';
import { EntityRefSchema } from '../investigation/model.ts';
import { entityLabel } from '../slack/entity-label.ts';

/**
 * An incident's story told from its audit chain, for the postmortem: the alert, the hypotheses as they changed,
 * the answer, the plan, who decided and when, the execution and its verification or rollback, the resolution —
 * and how long each milestone took from the alert. Pure: audit events in, a typed timeline out (the CLI, the
 * thread's Timeline button and the web UI render it; none of them reads the chain differently).
 */

/** One audit row as `audit export` writes it (src/audit/export.ts). */
export interface TimelineEvent {
  seq: string;
  /** ISO 8601. */
  at: string;
  actor: string;
  action: string;
  target: string | null;
  justification: string | null;
  details: unknown;
}

export const TIMELINE_KINDS = [
  'alert',
  'investigation',
  'hypothesis',
  'answer',
  'plan',
  'decision',
  'execution',
  'verification',
  'rollback',
  'resolution',
  'pagerduty',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  seq: string;
  at: string;
  /** Milliseconds since the alert (negative never: entries before the alert count from the first event). */
  sinceAlertMs: number;
  kind: TimelineKind;
  /** Who: `pagerduty`, `bot`, `executor`, `slack:U123`… */
  actor: string;
  /** One line, plain text (renderers escape it for their medium). */
  text: string;
}

/** Time from the alert to each milestone; null when the incident has not reached it. */
export interface TimelineDurations {
  firstHypothesisMs: number | null;
  answerMs: number | null;
  approvalMs: number | null;
  resolutionMs: number | null;
}

export interface Timeline {
  incidentId: string;
  title: string | null;
  /** When the alert reached intake (the first `incident.opened`), else the first event. */
  alertAt: string | null;
  entries: TimelineEntry[];
  durations: TimelineDurations;
}

const Ref = EntityRefSchema;
const refText = entityLabel;
const percent = (confidence: number) => `${Math.round(confidence * 100)}%`;

// Details are JSON read back from the database: each is validated, and an event whose details do not fit is told
// from its justification rather than dropped.
const Details = {
  opened: z.object({ title: z.string() }),
  reopened: z.object({ round: z.number(), title: z.string().optional() }),
  started: z.object({ attempt: z.number() }),
  failed: z.object({ attempt: z.number(), final: z.boolean().optional() }),
  hypothesis: z.object({
    change: z.enum(['added', 'strengthened', 'ruled-out']),
    entity: Ref,
    faultType: z.string(),
    confidence: z.number(),
    summary: z.string().optional(),
    reason: z.string().optional(),
  }),
  finished: z.object({
    rootCause: Ref.nullable(),
    faultType: z.string().nullable(),
    confidence: z.number(),
    summary: z.string().optional(),
  }),
  proposed: z.object({ risk: z.string(), requiredApprovals: z.number() }),
  approved: z.object({ approvers: z.array(z.string()) }),
  refused: z.object({ attempted: z.string() }),
  status: z.object({ to: z.string() }),
  pagerduty: z.object({ pagerdutyIncident: z.string().optional(), attempts: z.number().optional() }),
};

const userOf = (actor: string) => (actor.startsWith('slack:') ? actor.slice('slack:'.length) : actor);

type Told = { kind: TimelineKind; text: string } | null;

/** What one audit event means for the story, or null for the rows that are not part of it (tool reads, posts…). */
function tell(event: TimelineEvent): Told {
  const why = event.justification ?? '';
  const parse = <S extends z.ZodType>(schema: S): z.output<S> | null => {
    const parsed = schema.safeParse(event.details);
    return parsed.success ? parsed.data : null;
  };
  switch (event.action) {
    case 'incident.opened':
      return { kind: 'alert', text: `Alert: ${parse(Details.opened)?.title ?? event.target ?? 'incident opened'}` };
    case 'incident.reopened': {
      const details = parse(Details.reopened);
      return {
        kind: 'alert',
        text: `Alert fired again after its resolution${details ? ` (round ${details.round})` : ''}${details?.title ? `: ${details.title}` : ''}`,
      };
    }
    // A storm's alerts joining the incident's thread (issue 13, alert grouping), and a new round they started.
    case 'incident.alert_joined':
      return { kind: 'alert', text: `Related alert joined: ${parse(Details.opened)?.title ?? event.target ?? ''}` };
    case 'incident.alert_refired':
      return {
        kind: 'alert',
        text: `Related alert fired again: ${parse(Details.opened)?.title ?? event.target ?? ''}`,
      };
    case 'incident.round': {
      const round = parse(Details.reopened)?.round;
      return { kind: 'investigation', text: `New investigation${round ? ` (round ${round})` : ''}: ${why}` };
    }
    case 'investigation.started': {
      const attempt = parse(Details.started)?.attempt ?? 1;
      return {
        kind: 'investigation',
        text: attempt > 1 ? `Investigation retried (attempt ${attempt})` : 'Investigation started',
      };
    }
    case 'investigation.failed': {
      const details = parse(Details.failed);
      return {
        kind: 'investigation',
        text: `Investigation attempt ${details?.attempt ?? '?'} failed${details?.final ? ' (last attempt)' : ''}: ${why}`,
      };
    }
    case 'investigation.hypothesis': {
      const details = parse(Details.hypothesis);
      if (!details) return { kind: 'hypothesis', text: `Hypothesis: ${why}` };
      const what = `${refText(details.entity)} (${details.faultType}, ${percent(details.confidence)})`;
      if (details.change === 'ruled-out')
        return { kind: 'hypothesis', text: `Ruled out ${what}: ${details.reason ?? 'no longer supported'}` };
      return {
        kind: 'hypothesis',
        text: `Hypothesis ${details.change}: ${what}${details.summary ? ` — ${details.summary}` : ''}`,
      };
    }
    case 'investigation.finished': {
      const details = parse(Details.finished);
      if (!details) return { kind: 'answer', text: `Answer: ${why || 'investigation finished'}` };
      const summary = details.summary ? ` — ${details.summary}` : '';
      return {
        kind: 'answer',
        text: details.rootCause
          ? `Answer: ${refText(details.rootCause)} (${details.faultType ?? 'other'}, ${percent(details.confidence)})${summary}`
          : `Answer: no root cause found${summary}`,
      };
    }
    case 'plan.proposed': {
      const details = parse(Details.proposed);
      const needs = details
        ? ` (risk ${details.risk}, ${details.requiredApprovals} approval${details.requiredApprovals === 1 ? '' : 's'} needed)`
        : '';
      return { kind: 'plan', text: `Plan proposed${needs}: ${why}` };
    }
    case 'plan.not_proposed':
      return { kind: 'plan', text: `No plan proposed: ${why}` };
    case 'plan.approval':
      return { kind: 'decision', text: `Approved by ${userOf(event.actor)}` };
    case 'plan.approved': {
      const approvers = parse(Details.approved)?.approvers ?? [];
      return { kind: 'decision', text: `Plan approved${approvers.length ? ` by ${approvers.join(', ')}` : ''}` };
    }
    case 'plan.rejected':
      return { kind: 'decision', text: `Rejected by ${userOf(event.actor)}: ${why || 'no reason given'}` };
    case 'plan.decision.refused':
      return {
        kind: 'decision',
        text: `${userOf(event.actor)} clicked ${parse(Details.refused)?.attempted ?? 'a plan button'}; not counted (${why})`,
      };
    case 'plan.expired':
      return { kind: 'decision', text: `Plan expired: ${why}` };
    case 'plan.execution.started':
      return { kind: 'execution', text: `Execution started: ${why}` };
    case 'plan.execution.recovering':
      return { kind: 'execution', text: 'Executor stopped mid-run; another executor took the plan over' };
    case 'plan.dry_run':
      return { kind: 'execution', text: `Dry run: ${why}` };
    case 'plan.apply':
      return { kind: 'execution', text: `Applied to ${event.target ?? 'the cluster'}` };
    case 'plan.apply.failed':
      return { kind: 'execution', text: why };
    case 'plan.succeeded':
      return { kind: 'execution', text: `Plan succeeded: ${why}` };
    case 'plan.failed':
      return { kind: 'execution', text: `Plan failed: ${why}` };
    case 'plan.stale':
      return { kind: 'execution', text: `Plan not run, the cluster changed since it was proposed: ${why}` };
    case 'plan.verify.passed':
      return { kind: 'verification', text: `Verification passed: ${why}` };
    case 'plan.verify.failed':
      return { kind: 'verification', text: `Verification failed: ${why}` };
    case 'plan.rollback':
      return { kind: 'rollback', text: `Rolled back ${event.target ?? 'an object'}: ${why}` };
    case 'plan.rollback.failed':
      return { kind: 'rollback', text: `Rollback of ${event.target ?? 'an object'} failed: ${why}` };
    case 'plan.rollback.verified':
    case 'plan.rollback.unverified':
    case 'plan.rolled_back':
      return {
        kind: 'rollback',
        text: `${event.action === 'plan.rollback.unverified' ? 'Rollback not verified' : 'Rolled back'}: ${why}`,
      };
    case 'incident.status':
      if (parse(Details.status)?.to !== 'resolved') return null;
      // The source resolved it (its webhook), or someone did from the thread (PagerDuty's Resolve button).
      return {
        kind: 'resolution',
        text: event.actor.startsWith('slack:') ? `Resolved by ${userOf(event.actor)}` : `Resolved in ${event.actor}`,
      };
    case 'pagerduty.note.added':
      return { kind: 'pagerduty', text: 'Diagnosis added to the PagerDuty incident as a note' };
    case 'pagerduty.note.failed':
      return { kind: 'pagerduty', text: `PagerDuty note not added: ${why}` };
    case 'pagerduty.acknowledged':
      return { kind: 'pagerduty', text: `Acknowledged in PagerDuty by ${userOf(event.actor)}` };
    case 'pagerduty.resolved':
      return { kind: 'pagerduty', text: `Resolved in PagerDuty by ${userOf(event.actor)}` };
    case 'pagerduty.update.failed':
      return { kind: 'pagerduty', text: `PagerDuty update by ${userOf(event.actor)} failed: ${why}` };
    default:
      return null;
  }
}

const MILESTONES: Record<keyof TimelineDurations, (event: TimelineEvent, told: Told) => boolean> = {
  firstHypothesisMs: (event) => event.action === 'investigation.hypothesis',
  answerMs: (event) => event.action === 'investigation.finished',
  approvalMs: (event) => event.action === 'plan.approved',
  resolutionMs: (_event, told) => told?.kind === 'resolution',
};

const MILESTONE_NAMES = Object.keys(MILESTONES) as (keyof TimelineDurations)[];

export function buildTimeline(incidentId: string, events: readonly TimelineEvent[]): Timeline {
  const ordered = [...events].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  const opened = ordered.find((event) => event.action === 'incident.opened');
  const alertAt = opened?.at ?? ordered[0]?.at ?? null;
  const origin = alertAt ? Date.parse(alertAt) : 0;
  const since = (at: string) => Math.max(0, Date.parse(at) - origin);
  const entries: TimelineEntry[] = [];
  const durations: TimelineDurations = {
    firstHypothesisMs: null,
    answerMs: null,
    approvalMs: null,
    resolutionMs: null,
  };
  for (const event of ordered) {
    const told = tell(event);
    for (const name of MILESTONE_NAMES)
      if (durations[name] === null && MILESTONES[name](event, told)) durations[name] = since(event.at);
    if (told)
      entries.push({ seq: event.seq, at: event.at, sinceAlertMs: since(event.at), actor: event.actor, ...told });
  }
  const title = opened ? (Details.opened.safeParse(opened.details).data?.title ?? null) : null;
  return { incidentId, title, alertAt, entries, durations };
}

/** 4s, 2m 05s, 1h 03m: short enough for a table cell, exact enough for a postmortem. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

const DURATION_LABELS: Record<keyof TimelineDurations, string> = {
  firstHypothesisMs: 'first hypothesis',
  answerMs: 'answer',
  approvalMs: 'approval',
  resolutionMs: 'resolution',
};

/** "first hypothesis 4s · answer 12s · approval — · resolution —" */
export function durationsLine(durations: TimelineDurations): string {
  return MILESTONE_NAMES.map((name) => {
    const value = durations[name];
    return `${DURATION_LABELS[name]} ${value === null ? '—' : formatDuration(value)}`;
  }).join(' · ');
}

const KIND_LABELS: Record<TimelineKind, string> = {
  alert: 'Alert',
  investigation: 'Investigation',
  hypothesis: 'Hypothesis',
  answer: 'Answer',
  plan: 'Plan',
  decision: 'Decision',
  execution: 'Execution',
  verification: 'Verification',
  rollback: 'Rollback',
  resolution: 'Resolution',
  pagerduty: 'PagerDuty',
};
export const kindLabel = (kind: TimelineKind): string => KIND_LABELS[kind];

/** HH:MM:SS in UTC. */
export const clockTime = (at: string): string => new Date(at).toISOString().slice(11, 19);

/** The postmortem draft as Markdown (the `audit timeline` CLI's output). */
export function timelineMarkdown(timeline: Timeline): string {
  const lines = [
    `# Timeline: ${timeline.title ?? timeline.incidentId}`,
    '',
    `Incident \`${timeline.incidentId}\`${timeline.alertAt ? `, alert at ${timeline.alertAt.replace('T', ' ').slice(0, 19)} UTC` : ''}.`,
    '',
    `Time to ${durationsLine(timeline.durations)}.`,
    '',
    '| time (UTC) | since alert | what | event | who |',
    '|---|---|---|---|---|',
    ...timeline.entries.map(
      (entry) =>
        `| ${clockTime(entry.at)} | +${formatDuration(entry.sinceAlertMs)} | ${kindLabel(entry.kind)} | ${markdownCell(entry.text)} | ${markdownCell(entry.actor)} |`,
    ),
  ];
  if (timeline.entries.length === 0) lines.push('', '_No audit events for this incident._');
  return `${lines.join('\n')}\n`;
}

// A table cell ends at a pipe or a line break; the rest of Markdown is left as written.
const markdownCell = (text: string) =>
  text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replace(/\s*\n\s*/g, ' ');

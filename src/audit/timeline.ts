import { z } from 'zod';
import { EntityRefSchema } from '../investigation/model.ts';
import type { AuditAction } from './actions.ts';
import { entityLabel } from '../investigation/model.ts';

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

/** An event's details read with a schema: null when they do not fit (the event is then told from its justification). */
function detailsOf<S extends z.ZodType>(schema: S, event: TimelineEvent): z.output<S> | null {
  const parsed = schema.safeParse(event.details);
  return parsed.success ? parsed.data : null;
}

/** One line of the story from an event and its justification (`why`); null leaves the event out. */
type Teller = (event: TimelineEvent, why: string) => string | null;
type Tellers = Partial<Record<AuditAction, Teller>>;

/** What each audit action means for the story, by the kind of entry it makes. */
const STORY = {
  alert: {
    'incident.opened': (event) =>
      `Alert: ${detailsOf(Details.opened, event)?.title ?? event.target ?? 'incident opened'}`,
    'incident.reopened': (event) => {
      const details = detailsOf(Details.reopened, event);
      return `Alert fired again after its resolution${details ? ` (round ${details.round})` : ''}${details?.title ? `: ${details.title}` : ''}`;
    },
    // A storm's alerts joining the incident's thread (issue 13, alert grouping), and a new round they started.
    'incident.alert_joined': (event) =>
      `Related alert joined: ${detailsOf(Details.opened, event)?.title ?? event.target ?? ''}`,
    'incident.alert_refired': (event) =>
      `Related alert fired again: ${detailsOf(Details.opened, event)?.title ?? event.target ?? ''}`,
  },
  investigation: {
    'incident.round': (event, why) => {
      const round = detailsOf(Details.reopened, event)?.round;
      return `New investigation${round ? ` (round ${round})` : ''}: ${why}`;
    },
    'investigation.started': (event) => {
      const attempt = detailsOf(Details.started, event)?.attempt ?? 1;
      return attempt > 1 ? `Investigation retried (attempt ${attempt})` : 'Investigation started';
    },
    'investigation.failed': (event, why) => {
      const details = detailsOf(Details.failed, event);
      return `Investigation attempt ${details?.attempt ?? '?'} failed${details?.final ? ' (last attempt)' : ''}: ${why}`;
    },
  },
  hypothesis: {
    'investigation.hypothesis': (event, why) => {
      const details = detailsOf(Details.hypothesis, event);
      if (!details) return `Hypothesis: ${why}`;
      const what = `${refText(details.entity)} (${details.faultType}, ${percent(details.confidence)})`;
      if (details.change === 'ruled-out') return `Ruled out ${what}: ${details.reason ?? 'no longer supported'}`;
      return `Hypothesis ${details.change}: ${what}${details.summary ? ` — ${details.summary}` : ''}`;
    },
  },
  answer: {
    'investigation.finished': (event, why) => {
      const details = detailsOf(Details.finished, event);
      if (!details) return `Answer: ${why || 'investigation finished'}`;
      const summary = details.summary ? ` — ${details.summary}` : '';
      return details.rootCause
        ? `Answer: ${refText(details.rootCause)} (${details.faultType ?? 'other'}, ${percent(details.confidence)})${summary}`
        : `Answer: no root cause found${summary}`;
    },
  },
  plan: {
    'plan.proposed': (event, why) => {
      const details = detailsOf(Details.proposed, event);
      const needs = details
        ? ` (risk ${details.risk}, ${details.requiredApprovals} approval${details.requiredApprovals === 1 ? '' : 's'} needed)`
        : '';
      return `Plan proposed${needs}: ${why}`;
    },
    'plan.not_proposed': (_event, why) => `No plan proposed: ${why}`,
  },
  decision: {
    'plan.approval': (event) => `Approved by ${userOf(event.actor)}`,
    'plan.approved': (event) => {
      const approvers = detailsOf(Details.approved, event)?.approvers ?? [];
      return `Plan approved${approvers.length ? ` by ${approvers.join(', ')}` : ''}`;
    },
    'plan.rejected': (event, why) => `Rejected by ${userOf(event.actor)}: ${why || 'no reason given'}`,
    'plan.decision.refused': (event, why) =>
      `${userOf(event.actor)} clicked ${detailsOf(Details.refused, event)?.attempted ?? 'a plan button'}; not counted (${why})`,
    'plan.expired': (_event, why) => `Plan expired: ${why}`,
  },
  execution: {
    'plan.execution.started': (_event, why) => `Execution started: ${why}`,
    'plan.execution.recovering': () => 'Executor stopped mid-run; another executor took the plan over',
    'plan.dry_run': (_event, why) => `Dry run: ${why}`,
    'plan.apply': (event) => `Applied to ${event.target ?? 'the cluster'}`,
    'plan.apply.failed': (_event, why) => why,
    'plan.succeeded': (_event, why) => `Plan succeeded: ${why}`,
    'plan.failed': (_event, why) => `Plan failed: ${why}`,
    'plan.stale': (_event, why) => `Plan not run, the cluster changed since it was proposed: ${why}`,
  },
  verification: {
    'plan.verify.passed': (_event, why) => `Verification passed: ${why}`,
    'plan.verify.failed': (_event, why) => `Verification failed: ${why}`,
  },
  rollback: {
    'plan.rollback': (event, why) => `Rolled back ${event.target ?? 'an object'}: ${why}`,
    'plan.rollback.failed': (event, why) => `Rollback of ${event.target ?? 'an object'} failed: ${why}`,
    'plan.rollback.verified': (_event, why) => `Rolled back: ${why}`,
    'plan.rollback.unverified': (_event, why) => `Rollback not verified: ${why}`,
    'plan.rolled_back': (_event, why) => `Rolled back: ${why}`,
  },
  resolution: {
    // The source resolved it (its webhook), or someone did from the thread (PagerDuty's Resolve button).
    'incident.status': (event) => {
      if (detailsOf(Details.status, event)?.to !== 'resolved') return null;
      return event.actor.startsWith('slack:') ? `Resolved by ${userOf(event.actor)}` : `Resolved in ${event.actor}`;
    },
  },
  pagerduty: {
    'pagerduty.note.added': () => 'Diagnosis added to the PagerDuty incident as a note',
    'pagerduty.note.failed': (_event, why) => `PagerDuty note not added: ${why}`,
    'pagerduty.acknowledged': (event) => `Acknowledged in PagerDuty by ${userOf(event.actor)}`,
    'pagerduty.resolved': (event) => `Resolved in PagerDuty by ${userOf(event.actor)}`,
    'pagerduty.update.failed': (event, why) => `PagerDuty update by ${userOf(event.actor)} failed: ${why}`,
  },
} satisfies Record<TimelineKind, Tellers>;

const TELLERS = new Map(
  Object.entries(STORY).flatMap(([kind, tellers]) =>
    Object.entries(tellers).map(([action, text]) => [action, { kind: kind as TimelineKind, text: text as Teller }]),
  ),
);

type Told = { kind: TimelineKind; text: string } | null;

/** What one audit event means for the story, or null for the rows that are not part of it (tool reads, posts…). */
function tell(event: TimelineEvent): Told {
  const teller = TELLERS.get(event.action);
  const text = teller?.text(event, event.justification ?? '');
  return teller && text !== null && text !== undefined ? { kind: teller.kind, text } : null;
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

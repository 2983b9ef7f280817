import { z } from 'zod';
import type { IncidentRecord } from '../audit/export.ts';
import type { ChainProblem } from '../audit/verify.ts';
import { EvidenceSchema } from '../investigation/model.ts';
import { externalUrl } from './html.ts';
import { type IncidentSummary, summarise } from './incident-summary.ts';

/** What the incident page and its Markdown download show, read once from the record. */
export interface IncidentView {
  record: IncidentRecord;
  summary: IncidentSummary;
  answer: StoredAnswer | null;
  /** Chain problems by the seq they name (edited, missing, out of order). */
  problems: Map<string, ChainProblem[]>;
  links: { slackThread: string | null; pagerDuty: string | null };
  /** Where the checkpoint it was compared with was read from (e.g. "file /var/lib/…"), or why there is none. */
  checkpointSource: string;
  /** False with the public development key: the page says the chain does not resist a database superuser. */
  keyed: boolean;
}

const RefSchema = z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string() });

/** The answer as stored on the investigation row (JSON read back: checked, and each list defaults to empty). */
const StoredAnswerSchema = z.object({
  rootCause: RefSchema.nullable(),
  faultType: z.string().nullable(),
  confidence: z.number(),
  summary: z.string(),
  hypotheses: z.array(z.object({ entity: RefSchema, evidence: z.array(EvidenceSchema).catch([]) })).catch([]),
  ruledOut: z.array(z.object({ entity: RefSchema, reason: z.string() })).catch([]),
  assumptions: z.array(z.string()).catch([]),
});
export type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

/** Slack's own link to a message, which opens the thread in the viewer's workspace. */
const slackThreadUrl = (channel: string | null, ts: string | null) =>
  channel && ts ? `https://slack.com/archives/${channel}/p${ts.replace('.', '')}` : null;

/** Human words for each kind of chain problem: what an auditor asks — edited, missing or out of order. */
export const PROBLEM_WORDS: Record<ChainProblem['kind'], string> = {
  edited: 'edited',
  deleted: 'missing',
  truncated: 'missing',
  relinked: 'out of order',
  inserted: 'out of order',
  checkpoint: 'checkpoint invalid',
  'unknown-key': 'unverifiable (written with a key not configured)',
};

export function incidentView(
  record: IncidentRecord,
  investigations: Parameters<typeof summarise>[1],
  options: { checkpointSource: string; keyed: boolean },
): IncidentView {
  const latest = investigations.filter((investigation) => investigation.status === 'done').at(-1);
  const parsed = latest ? StoredAnswerSchema.safeParse(latest.result) : null;
  const problems = new Map<string, ChainProblem[]>();
  for (const problem of record.chain.problems)
    problems.set(problem.seq, [...(problems.get(problem.seq) ?? []), problem]);
  const { incident } = record;
  return {
    record,
    summary: summarise(incident, investigations, record.plans),
    answer: parsed?.success ? parsed.data : null,
    problems,
    links: {
      slackThread: slackThreadUrl(incident.slackChannel, incident.slackThreadTs),
      pagerDuty: incident.source === 'pagerduty' ? externalUrl(incident.url) : null,
    },
    checkpointSource: options.checkpointSource,
    keyed: options.keyed,
  };
}

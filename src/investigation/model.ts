import { z } from 'zod';
import type { PlanAction } from '../remediation/actions.ts';

/** A Kubernetes object by identity. `namespace` is absent for cluster-scoped kinds (Node, PersistentVolume…). */
export const EntityRefSchema = z.object({
  kind: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string().min(1),
});
export type EntityRef = z.infer<typeof EntityRefSchema>;

export const refKey = (ref: EntityRef): string =>
  ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;

/** How people read an entity (the thread, the web page, the audit, the plan): `Kind namespace/name`, or `Kind name`. */
export const entityLabel = (ref: EntityRef): string =>
  ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;

export const sameRef = (a: EntityRef, b: EntityRef): boolean => refKey(a) === refKey(b);

/** Each entity once, the first occurrence kept, in order. */
export const uniqueRefs = (refs: EntityRef[]): EntityRef[] => [
  ...new Map(refs.map((ref) => [refKey(ref), ref])).values(),
];

/** The fault catalogue of the scenario format (shared/scenario-format.md). */
export const FAULT_TYPES = [
  'oom-limit',
  'crashloop-bad-config',
  'bad-image',
  'missing-secret',
  'missing-configmap',
  'bad-secret-value',
  'liveness-probe',
  'readiness-probe',
  'service-selector',
  'service-port',
  'network-policy',
  'dns',
  'dependency-down',
  'node-not-ready',
  'node-pressure',
  'insufficient-resources',
  'taint',
  'pvc-pending',
  'quota-exceeded',
  'hpa-limit',
  'cpu-throttling',
  'memory-leak',
  'feature-flag',
  'bad-env',
  'init-container',
  'bad-rollout',
  'job-failure',
  'other',
] as const;
export const FaultTypeSchema = z.enum(FAULT_TYPES);
export type FaultType = z.infer<typeof FaultTypeSchema>;

/** One observed fact, always tied to the object it was read from. */
export const EvidenceSchema = z.object({
  source: z.enum(['event', 'log', 'status', 'spec', 'metric', 'change', 'graph']),
  ref: EntityRefSchema,
  text: z.string(),
  /** RFC 3339 time the fact refers to, when known. */
  at: z.string().optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** Characters of one evidence line a detector builds from quoted text (a log line, a wait message): more is noise in a thread. */
export const EVIDENCE_TEXT_LIMIT = 300;

/** Characters of one quoted log line kept as evidence: a log line is the proof itself, so it keeps more than a summary. */
export const LOG_TEXT_LIMIT = 400;

/**
 * What a detector returns: an abnormality of one entity, stated at the level where the fault lives
 * (the ConfigMap whose value breaks the pods, the Service whose selector matches nothing, the Node…).
 */
export interface Finding {
  detector: string;
  faultType: FaultType;
  /** The candidate root cause. */
  entity: EntityRef;
  /** Workloads and pods this fault directly breaks (used to connect it to the alerted symptom). */
  affects: EntityRef[];
  /** 0..1: how clearly the evidence shows a fault (1 = unambiguous, e.g. an ErrImagePull event). */
  strength: number;
  summary: string;
  evidence: Evidence[];
  /** When the faulty entity last changed, if the cluster says (managedFields, revision, creation). */
  changedAt?: string;
  /**
   * When the fault stopped showing, if it did: every pod it broke came back and has run ready since (a one-off kill).
   * Recovered long enough before the symptom began, it is history: it cannot be what is failing now.
   */
  recoveredAt?: string;
  remediation?: RemediationProposal;
  /**
   * The catalogue's name for the fault when its mechanism is more specific than what the finding is to the ranking: a
   * workload down to its callers because the scheduler holds its pods for an unbound claim ranks as dependency-down
   * (a consequence other findings may explain) and is named pvc-pending.
   */
  namedAs?: FaultType;
}

export interface RemediationProposal {
  summary: string;
  action: PlanAction;
}

export interface Hypothesis {
  entity: EntityRef;
  faultType: FaultType;
  confidence: number;
  summary: string;
  evidence: Evidence[];
  /** Path from this entity to the alerted symptom, root first. */
  path: EntityRef[];
}

export interface RuledOut {
  entity: EntityRef;
  reason: string;
}

export interface InvestigationResult {
  rootCause: EntityRef | null;
  faultType: FaultType | null;
  confidence: number;
  summary: string;
  hypotheses: Hypothesis[];
  ruledOut: RuledOut[];
  remediation: RemediationProposal | null;
  /** What the engine had to assume (e.g. which namespace when the alert named none). */
  assumptions: string[];
  /** Set when an LLM agent's answer replaced the engine's and they disagree: the engine's answer, to show beside it. */
  engineAnswer?: Pick<InvestigationResult, 'rootCause' | 'faultType' | 'confidence' | 'summary'>;
}

/** Emitted while investigating so the Slack thread (or the CLI) can show hypotheses as they firm up. */
export type Progress =
  | { type: 'step'; message: string }
  | { type: 'hypothesis'; change: 'added' | 'strengthened' | 'ruled-out'; hypothesis: Hypothesis; reason?: string }
  | { type: 'done'; result: InvestigationResult };

export type ProgressListener = (progress: Progress) => void | Promise<void>;

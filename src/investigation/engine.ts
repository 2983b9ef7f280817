import type { KubeConfig } from '@kubernetes/client-node';
import type { Alert } from '../alert/alert.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { type Collected, collectLastLook, collectSnapshot } from './evidence/collect.ts';
import { type Located, locateNamespace } from './evidence/locate-namespace.ts';
import { widenFocus } from './evidence/widen-focus.ts';
import type { DetectorRegistry } from './detectors/index.ts';
import type { ClusterSnapshot } from './evidence/snapshot.ts';
import type { ToolBase } from './evidence/snapshot-reader.ts';
import { namespaceLabel } from './focus.ts';
import { hypothesisChanges } from './hypothesis-changes.ts';
import { type InvestigationResult, type Progress, type ProgressListener, refKey } from './model.ts';
import type { Diagnosis } from './ranking/diagnose.ts';
import { LEAD_STRENGTH } from './ranking/weights.ts';
import { describeFailures, RunningDiagnoses } from './running-diagnoses.ts';
import type { ListBudget } from './tools/kinds.ts';

/** The most an answer found only by trouble beginning in another namespace of the application may claim. */
const TENTATIVE_CONFIDENCE = 0.4;

/** What a failed judgement of partial evidence leaves undone: the reads beyond the symptom's path wait on it. */
const UNJUDGED = 'whether it explained the symptom went unjudged, so nothing beyond the path of the symptom was read';

export interface InvestigationContext {
  /** Read-only credentials of the investigator. */
  kubeConfig: KubeConfig;
  prometheusUrl?: string;
  audit: AuditLog;
  incidentId?: string;
  onProgress?: ProgressListener;
  /** The time the investigation reasons at (a replayed scenario's `now`); defaults to the wall clock. */
  now?: Date;
  /** What one list may spend before it stops paging and the answer says what it left unread (default: LIST_BUDGET). */
  listBudget?: ListBudget;
  /** Receives the evidence the engine read, once collected (the LLM agent starts from its graph). */
  onEvidence?: (snapshot: ClusterSnapshot) => void;
  /** The failure modes to check (default: every detector, DETECTORS). */
  detectors?: DetectorRegistry;
  /** Aborted (the worker's job cancelled): the investigation throws its reason at the next step. */
  signal?: AbortSignal;
  /**
   * Told how many API requests the investigation made, once it answered: the worker counts them in its metrics. Not
   * counted here, so that an investigation nobody asked for (the worker's warm-up replay, the CLI) counts nowhere.
   */
  onAnswered?: (requests: number) => void;
}

/**
 * Investigates one alert with read-only calls: locate the namespace, read the evidence in waves, diagnose after each
 * wave (the thread hears hypotheses appear, firm up or fall), and answer with the root cause and what was assumed.
 */
export async function investigate(alert: Alert, ctx: InvestigationContext): Promise<InvestigationResult> {
  const emit = async (progress: Progress) => {
    ctx.signal?.throwIfAborted();
    await ctx.onProgress?.(progress);
  };
  const base = toolBase(ctx);

  if (!namespaceLabel(alert))
    await emit({ type: 'step', message: 'The alert names no namespace: looking for the one it means' });
  const located = await locateNamespace(alert, base);
  let latest: Diagnosis | null = null;
  const diagnoses = new RunningDiagnoses(ctx.detectors);
  /** Reads the evidence around a located namespace, posting running hypotheses, and diagnoses all of it. */
  const examine = async (where: Located) => {
    const collected = await collectSnapshot({ alert, located: where }, base, {
      step: (message) => emit({ type: 'step', message }),
      wave: async (snapshot, focus) => {
        // Partial evidence is only for the running hypotheses; the diagnosis of the full snapshot below decides.
        const diagnosis = diagnoses.ofPartial(snapshot, focus, 'running hypotheses went unposted while it was read');
        if (!diagnosis) return;
        for (const change of hypothesisChanges(latest, diagnosis)) await emit(change);
        latest = diagnosis;
      },
      unexplained: (snapshot, focus) => {
        const diagnosis = diagnoses.ofPartial(snapshot, focus, UNJUDGED);
        return diagnosis !== undefined && !diagnosis.rootCause;
      },
    });
    return { collected, final: diagnoses.of(collected.snapshot, collected.focus) };
  };
  let { collected, final } = await examine(located);
  let requests = collected.requests;
  let widenedIn: string | undefined;
  // Nothing abnormal where the alert pointed: look where trouble began around its onset before answering "no cause".
  // A suspect no stronger than a rollout whose pods all run healthy is no abnormality either (the prober's or the
  // exporter's own upgrade beside an alert about what it watches): the look elsewhere may find what actually fails,
  // and its answer replaces this one only when it is firmer.
  if (!final.rootCause || final.confidence <= LEAD_STRENGTH.healthyRollout) {
    const wider = await widenFocus(
      alert,
      collected.snapshot,
      {
        ...located,
        requests,
        customRead: collected.customRead,
        listed: collected.listed,
        logsRead: collected.logsRead,
        saved: collected.saved,
      },
      base,
      !final.rootCause,
    );
    requests += wider.requests;
    if (wider.located) {
      await emit({
        type: 'step',
        message: `Nothing abnormal in ${located.namespace}: looking in ${wider.located.namespace}`,
      });
      // It starts from what the first look spent, so the second reads what it must and few logs or peers.
      const second = await examine(wider.located);
      requests = second.collected.requests;
      if (second.final.rootCause && (!final.rootCause || second.final.confidence > final.confidence)) {
        ({ collected, final } = second);
        // Found only by where trouble began, with nothing linking it to the symptom: confirm before acting on it.
        if (wider.tentative) final = tentative(final);
      } else widenedIn = wider.located.namespace;
    }
  }
  if (!final.rootCause && collected.focus.namespace === located.namespace) {
    const last = await lastLook(alert, located, { collected, requests, widenedIn }, base, emit, diagnoses);
    requests = last.collected.requests;
    if (last.final.rootCause) ({ collected, final } = last);
  }
  ctx.onEvidence?.(collected.snapshot);
  for (const change of hypothesisChanges(latest, final)) await emit(change);
  const { failedDetectors, ...answer } = final;
  const result: InvestigationResult = {
    ...answer,
    assumptions: [
      ...collected.focus.assumptions,
      ...(widenedIn
        ? [
            `${widenedIn}, where trouble began around the onset, was examined too and explains ${final.rootCause ? 'less' : 'nothing'}`,
          ]
        : []),
      ...failedDetectors.map(
        (failure) => `Detector ${failure.detector} failed (${failure.error}): the faults it looks for were not checked`,
      ),
      ...describeFailures(diagnoses.failures),
    ],
  };
  await auditFailures(ctx, failedDetectors, diagnoses);

  await ctx.audit.record({
    actor: 'bot',
    action: 'investigation.decided',
    ...(result.rootCause ? { target: refKey(result.rootCause) } : {}),
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
    justification: result.summary,
    details: {
      faultType: result.faultType,
      confidence: result.confidence,
      namespace: collected.focus.namespace,
      symptom: collected.focus.symptom,
      hypotheses: result.hypotheses.map((hypothesis) => refKey(hypothesis.entity)),
      ruledOut: result.ruledOut.map((ruled) => ({ entity: refKey(ruled.entity), reason: ruled.reason })),
      assumptions: result.assumptions,
      apiRequests: requests,
    },
  });
  ctx.onAnswered?.(requests);
  await emit({ type: 'done', result });
  return result;
}

/** A diagnosis no link to the symptom supports: it and its hypotheses claim at most TENTATIVE_CONFIDENCE. */
function tentative(diagnosis: Diagnosis): Diagnosis {
  const capped = (confidence: number) => Math.min(confidence, TENTATIVE_CONFIDENCE);
  return {
    ...diagnosis,
    confidence: capped(diagnosis.confidence),
    hypotheses: diagnosis.hypotheses.map((hypothesis) => ({
      ...hypothesis,
      confidence: capped(hypothesis.confidence),
    })),
  };
}

/**
 * Still nothing, here or elsewhere: a last look continues the first one with what its pods are configured to call beyond
 * the path read so far. Reads that could firm up a finding wait until here, so they never pre-empt the look elsewhere.
 */
async function lastLook(
  alert: Alert,
  located: Located,
  { collected, requests, widenedIn }: { collected: Collected; requests: number; widenedIn: string | undefined },
  base: ToolBase,
  emit: (progress: Progress) => Promise<void>,
  diagnoses: RunningDiagnoses,
): Promise<{ collected: Collected; final: Diagnosis }> {
  const { customRead, listed, logsRead, saved, snapshot } = collected;
  const last = await collectLastLook(
    { alert, located: { ...located, requests, customRead, listed, logsRead, saved }, snapshot },
    widenedIn ? [widenedIn] : [],
    base,
    { step: (message) => emit({ type: 'step', message }) },
  );
  return { collected: last, final: diagnoses.of(last.snapshot, last.focus) };
}

/** Detectors that threw and diagnoses of partial evidence that threw, each in the audit trail as the answer says it. */
async function auditFailures(
  ctx: InvestigationContext,
  failedDetectors: Diagnosis['failedDetectors'],
  diagnoses: RunningDiagnoses,
): Promise<void> {
  const incident = ctx.incidentId ? { incidentId: ctx.incidentId } : {};
  for (const failure of failedDetectors) {
    await ctx.audit.record({
      actor: 'bot',
      action: 'investigation.detector_failed',
      target: `detector:${failure.detector}`,
      ...incident,
      justification: failure.error,
    });
  }
  for (const failure of diagnoses.failures) {
    await ctx.audit.record({
      actor: 'bot',
      action: 'investigation.diagnosis_failed',
      target: `namespace:${failure.namespace}`,
      ...incident,
      justification: `${failure.error}: ${failure.consequence}`,
    });
  }
}

/** What every read of the investigation carries: its credentials, audit, incident and clock. */
function toolBase(ctx: InvestigationContext): ToolBase {
  return {
    kubeConfig: ctx.kubeConfig,
    audit: ctx.audit,
    ...(ctx.prometheusUrl ? { prometheusUrl: ctx.prometheusUrl } : {}),
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(ctx.listBudget ? { listBudget: ctx.listBudget } : {}),
  };
}

import { z } from 'zod';
import type { Alert } from '../alert/alert.ts';
import { type InvestigationResult, refKey } from '../investigation/model.ts';
import type { AgentTool } from './agent-tool.ts';

/**
 * The engine's evidence graph as the model reads it: one line per causal path, root first. Compact on purpose: the
 * evidence itself is in the findings, and the model can read any object it wants to check.
 */
export function graphSummary(engine: InvestigationResult): string[] {
  return engine.hypotheses.map(
    (hypothesis) =>
      `${[hypothesis.entity, ...hypothesis.path.filter((ref) => refKey(ref) !== refKey(hypothesis.entity))].map(refKey).join(' → ')}` +
      ` [${hypothesis.faultType}, confidence ${hypothesis.confidence.toFixed(2)}]`,
  );
}

/** The engine's conclusion and evidence, as plain data for the model. */
export function engineFindings(engine: InvestigationResult) {
  return {
    conclusion: {
      rootCause: engine.rootCause,
      faultType: engine.faultType,
      confidence: engine.confidence,
      summary: engine.summary,
    },
    causalPaths: graphSummary(engine),
    hypotheses: engine.hypotheses.map((hypothesis) => ({
      entity: hypothesis.entity,
      faultType: hypothesis.faultType,
      confidence: hypothesis.confidence,
      summary: hypothesis.summary,
      evidence: hypothesis.evidence,
    })),
    ruledOut: engine.ruledOut,
    assumptions: engine.assumptions,
  };
}

export function engineFindingsTool(engine: InvestigationResult): AgentTool {
  return {
    name: 'engine_findings',
    description:
      "The deterministic engine's conclusion, ranked hypotheses with their evidence, causal paths (root first) and " +
      'ruled-out alternatives for this incident.',
    args: z.object({}),
    run: async () => engineFindings(engine),
  };
}

/** The alert as the engineer received it; its free text is as untrusted as anything read from the cluster. */
export const alertData = (alert: Alert) => ({
  source: alert.source,
  title: alert.title,
  ...(alert.text ? { text: alert.text } : {}),
  labels: alert.labels,
  annotations: alert.annotations,
  ...(alert.startsAt ? { startsAt: alert.startsAt } : {}),
});

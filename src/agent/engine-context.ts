import { z } from 'zod';
import type { Alert } from '../alert/alert.ts';
import { type InvestigationResult, refKey } from '../investigation/model.ts';
import type { AgentTool } from './agent-tool.ts';

/** One line per hypothesis: the path from the candidate to the alerted symptom, root first. */
function causalPaths(engine: InvestigationResult): string[] {
  return engine.hypotheses.map(
    (hypothesis) =>
      `${[hypothesis.entity, ...hypothesis.path.filter((ref) => refKey(ref) !== refKey(hypothesis.entity))].map(refKey).join(' → ')}` +
      ` [${hypothesis.faultType}, confidence ${hypothesis.confidence.toFixed(2)}]`,
  );
}

/** The engine's conclusion and evidence, as plain data for the model; `graph` is the evidence graph in lines. */
export function engineFindings(engine: InvestigationResult, graph: string[]) {
  return {
    conclusion: {
      rootCause: engine.rootCause,
      faultType: engine.faultType,
      confidence: engine.confidence,
      summary: engine.summary,
    },
    causalPaths: causalPaths(engine),
    hypotheses: engine.hypotheses.map((hypothesis) => ({
      entity: hypothesis.entity,
      faultType: hypothesis.faultType,
      confidence: hypothesis.confidence,
      summary: hypothesis.summary,
      evidence: hypothesis.evidence,
    })),
    ruledOut: engine.ruledOut,
    assumptions: engine.assumptions,
    // Last: when the budget cuts, it cuts the graph, not the conclusion.
    evidenceGraph: graph,
  };
}

export function engineFindingsTool(findings: ReturnType<typeof engineFindings>): AgentTool {
  return {
    name: 'engine_findings',
    description:
      "The deterministic engine's conclusion, ranked hypotheses with their evidence, causal paths (root first), " +
      'ruled-out alternatives and the evidence graph (workloads, what they use, select, depend on) for this incident.',
    args: z.object({}),
    run: async () => findings,
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

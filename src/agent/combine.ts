import type { Hypothesis, InvestigationResult, RuledOut } from '../investigation/model.ts';
import { refKey, sameRef } from '../investigation/model.ts';
import type { AgentOutcome } from './agent-loop.ts';

/**
 * What the thread shows. The engine's answer stands unless the model's was accepted; when both exist and disagree,
 * the result says so and keeps the engine's answer beside the model's, and no remediation is proposed until a
 * human has looked (the engine's plan fixes an entity the model disputes).
 */
export function combineAnswers(engine: InvestigationResult, agent: AgentOutcome): InvestigationResult {
  const answer = agent.answer;
  if (agent.status !== 'answered' || !answer) {
    return { ...engine, assumptions: [...engine.assumptions, agent.message] };
  }
  const agrees = engine.rootCause !== null && sameRef(engine.rootCause, answer.rootCause);
  const hypothesis: Hypothesis = {
    entity: answer.rootCause,
    faultType: answer.faultType,
    confidence: answer.confidence,
    summary: answer.summary,
    evidence: answer.evidence.map((item) => ({ source: item.source, ref: item.ref, text: item.text })),
    path: engine.hypotheses.find((candidate) => sameRef(candidate.entity, answer.rootCause))?.path ?? [
      answer.rootCause,
    ],
  };
  const ruledOut: RuledOut[] = [
    ...answer.ruledOut,
    ...engine.ruledOut.filter(
      (item) =>
        !sameRef(item.entity, answer.rootCause) && !answer.ruledOut.some((own) => sameRef(own.entity, item.entity)),
    ),
  ];
  const engineLine = engine.rootCause
    ? `${refKey(engine.rootCause)} (${engine.faultType}, confidence ${engine.confidence.toFixed(2)})`
    : 'no root cause';
  return {
    rootCause: answer.rootCause,
    faultType: answer.faultType,
    confidence: answer.confidence,
    summary: agrees
      ? `${answer.summary} The deterministic engine reached the same conclusion.`
      : `${answer.summary} The deterministic engine named ${engineLine} instead.`,
    hypotheses: [hypothesis, ...engine.hypotheses.filter((candidate) => !sameRef(candidate.entity, answer.rootCause))],
    ruledOut,
    remediation: agrees ? engine.remediation : null,
    assumptions: [
      ...engine.assumptions,
      agrees
        ? `Answer from the model ${agent.model}, confirmed by the engine.`
        : `The model ${agent.model} and the engine disagree: model ${refKey(answer.rootCause)}, engine ${engineLine}. ` +
          'No remediation is proposed until a human decides.',
    ],
    ...(agrees
      ? {}
      : {
          engineAnswer: {
            rootCause: engine.rootCause,
            faultType: engine.faultType,
            confidence: engine.confidence,
            summary: engine.summary,
          },
        }),
  };
}

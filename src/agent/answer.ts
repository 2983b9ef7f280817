import { z } from 'zod';
import { type EntityRef, EntityRefSchema, EvidenceSchema, FaultTypeSchema, refKey } from '../investigation/model.ts';
import type { SeenRefs } from './seen-refs.ts';

/** The only shape a model's conclusion is accepted in. */
export const AgentAnswerSchema = z.object({
  rootCause: EntityRefSchema.describe('The one entity where the fault lives (ConfigMap, Deployment, Service, Node…)'),
  faultType: FaultTypeSchema,
  confidence: z.number().min(0).max(1),
  summary: z.string().min(1).describe('One or two sentences: what is broken and how it causes the alerted symptom'),
  evidence: z
    .array(
      z.object({
        source: EvidenceSchema.shape.source.default('status'),
        ref: EntityRefSchema,
        text: z.string().min(1),
      }),
    )
    .min(1)
    .describe('Facts from tool results, each tied to the object a tool returned it from'),
  ruledOut: z
    .array(z.object({ entity: EntityRefSchema, reason: z.string().min(1) }))
    .describe('Alternatives considered and why each is not the root cause'),
});
export type AgentAnswer = z.infer<typeof AgentAnswerSchema>;

export type AnswerCheck = { ok: true; answer: AgentAnswer } | { ok: false; reason: string };

/**
 * Refuses answers the investigation cannot stand behind: wrong shape, a root cause that does not exist in the
 * cluster, or evidence citing an object no tool returned.
 */
export async function checkAnswer(
  raw: unknown,
  seen: SeenRefs,
  exists: (ref: EntityRef) => Promise<boolean>,
): Promise<AnswerCheck> {
  const parsed = AgentAnswerSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, reason: `the answer does not match the schema: ${z.prettifyError(parsed.error)}` };
  const answer = parsed.data;
  if (!(await exists(answer.rootCause))) {
    return { ok: false, reason: `the root cause ${refKey(answer.rootCause)} does not exist in the cluster` };
  }
  const uncited = answer.evidence.filter((item) => !seen.has(item.ref)).map((item) => refKey(item.ref));
  if (uncited.length > 0) {
    return {
      ok: false,
      reason: `evidence must cite objects a tool returned; none returned ${[...new Set(uncited)].join(', ')}`,
    };
  }
  return { ok: true, answer };
}

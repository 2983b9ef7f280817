import { z } from 'zod';
import { EntityRefSchema } from '../investigation/model.ts';

/**
 * An investigation's result as the worker stored it (an InvestigationResult, masked), read back: JSON from the
 * database, so checked. One schema for everything that reads it again (Seen before, the audit pages, the PagerDuty
 * note), with the fields they read; the lists default to empty so a row written before a field existed still reads.
 */
export const StoredResultSchema = z.object({
  rootCause: EntityRefSchema.nullable(),
  faultType: z.string().nullable(),
  confidence: z.number(),
  summary: z.string(),
  hypotheses: z
    .array(
      z.object({
        path: z.array(EntityRefSchema).default([]),
        evidence: z.array(z.object({ ref: EntityRefSchema, text: z.string() })).default([]),
      }),
    )
    .default([]),
  ruledOut: z.array(z.object({ entity: EntityRefSchema, reason: z.string() })).default([]),
  remediation: z.object({ summary: z.string() }).nullable().default(null),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;

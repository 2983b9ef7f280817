import type { KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { ListBudget } from './kinds.ts';
import { errorMessage } from '../../observability/error-message.ts';
import { jsonLength } from './json-length.ts';

/** What every tool call runs with: read-only credentials, where to audit, and why the caller is asking. */
export interface ToolContext {
  kubeConfig: KubeConfig;
  prometheusUrl?: string;
  audit: AuditLog;
  incidentId?: string;
  /** The time the investigation reasons at; Prometheus queries default to it. */
  now?: Date;
  /** The caller's reason for this call, recorded as the audit justification. */
  reason: string;
  /** What one list may spend before it stops paging (default: LIST_BUDGET). */
  listBudget?: ListBudget;
}

/** A read-only investigation tool: validated arguments, a typed result, one audit event per call. */
export interface InvestigationTool<Args extends z.ZodType = z.ZodType, Result = unknown> {
  name: string;
  description: string;
  args: Args;
  run(args: z.input<Args>, ctx: ToolContext): Promise<Result>;
}

interface ToolDefinition<Args extends z.ZodType, Result> {
  name: string;
  description: string;
  args: Args;
  /** The object the call is about, for the audit event's target. */
  target(args: z.output<Args>): string;
  execute(args: z.output<Args>, ctx: ToolContext): Promise<Result>;
}

export function defineTool<Args extends z.ZodType, Result>(
  definition: ToolDefinition<Args, Result>,
): InvestigationTool<Args, Result> {
  return {
    name: definition.name,
    description: definition.description,
    args: definition.args,
    async run(input, ctx) {
      const args = definition.args.parse(input) as z.output<Args>;
      const started = performance.now();
      const audit = (details: Record<string, unknown>) =>
        ctx.audit.record({
          actor: 'bot',
          action: `tool.${definition.name}`,
          target: definition.target(args),
          incidentId: ctx.incidentId,
          justification: ctx.reason,
          details: { args, ms: Math.round(performance.now() - started), ...details },
        });
      try {
        const result = await definition.execute(args, ctx);
        // The length of its JSON, counted without building it (a list of thousands of objects serialized for one number).
        await audit({ resultBytes: jsonLength(result ?? null) });
        return result;
      } catch (error) {
        await audit({ error: errorMessage(error) });
        throw error;
      }
    },
  };
}

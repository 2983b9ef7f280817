import type { InvestigationContext } from '../investigation/engine.ts';
import type { EntityRef } from '../investigation/model.ts';
import { getObject } from '../investigation/tools/get-object.ts';
import { availableTools } from '../investigation/tools/index.ts';
import { isNamespaced, type ObjectKind, OBJECT_KINDS } from '../investigation/tools/kinds.ts';
import type { ToolContext } from '../investigation/tools/tool.ts';
import type { AgentTool } from './agent-tool.ts';
import type { SeenRefs } from './seen-refs.ts';

/** The cluster as the agent reaches it: read-only tools, and an existence check for answers. */
export interface ClusterAccess {
  tools: AgentTool[];
  entityExists: (ref: EntityRef) => Promise<boolean>;
}

const GETTABLE = new Set<string>(OBJECT_KINDS);

/**
 * The agent's read-only view of the cluster: the engine's own tools (each audits its call with the model's reason),
 * and an existence check for a model's root cause that is a real GET through the same tools.
 */
export function clusterAccess(ctx: InvestigationContext, seen: SeenRefs): ClusterAccess {
  const toolContext = (reason: string): ToolContext => ({
    kubeConfig: ctx.kubeConfig,
    ...(ctx.prometheusUrl ? { prometheusUrl: ctx.prometheusUrl } : {}),
    audit: ctx.audit,
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
    reason,
  });
  const tools: AgentTool[] = availableTools(ctx.prometheusUrl).map((tool) => ({
    name: tool.name,
    description: tool.description,
    args: tool.args,
    run: (args, reason) => tool.run(args, toolContext(reason)),
  }));
  const entityExists = async (ref: EntityRef): Promise<boolean> => {
    // Custom resources (and kinds the tools do not read) count only if a tool returned them.
    if (!GETTABLE.has(ref.kind)) return seen.has(ref);
    const kind = ref.kind as ObjectKind;
    if (isNamespaced(kind) && !ref.namespace) return false;
    try {
      const answer = await getObject.run(
        { kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
        toolContext("verify that the model's root cause exists"),
      );
      return answer.found;
    } catch {
      // Unreadable (forbidden, unreachable): only what a tool returned counts.
      return seen.has(ref);
    }
  };
  return { tools, entityExists };
}

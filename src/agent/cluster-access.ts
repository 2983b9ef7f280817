import type { InvestigationContext } from '../investigation/engine.ts';
import { entityExistsIn } from './entity-exists.ts';
import type { ClusterAccess } from './investigate-with-agent.ts';
import type { SeenRefs } from './seen-refs.ts';

/** The agent's read-only view of the cluster for one investigation. */
export function clusterAccess(ctx: InvestigationContext, seen: SeenRefs): ClusterAccess {
  return { tools: [], entityExists: entityExistsIn(ctx.kubeConfig, (ref) => seen.has(ref)) };
}

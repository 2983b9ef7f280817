import type { EntityRef } from '../investigation/model.ts';

/** How the thread names an entity: `Kind namespace/name`, or `Kind name` when cluster-scoped. */
export const entityLabel = (ref: EntityRef): string =>
  ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;

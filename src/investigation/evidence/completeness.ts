import type { ListBudget, StoppedBy } from '../tools/kinds.ts';
import type { ClusterSnapshot, IncompleteRead } from './snapshot.ts';

/**
 * Whether every object of `kind` in `namespace` (undefined: cluster-scoped) that the investigation listed was read.
 * Only then may the evidence say that one does not exist: an object missing from a list cut short may be in the part
 * that was not read.
 */
export function readInFull(snapshot: Pick<ClusterSnapshot, 'incomplete'>, kind: string, namespace?: string): boolean {
  return !snapshot.incomplete.some(
    (read) => read.kind === kind && (read.namespace === undefined || read.namespace === namespace),
  );
}

/** What a list cut short left out, as the answer tells it. */
export function describeIncomplete(read: IncompleteRead): string {
  const selectors = [read.labelSelector, read.fieldSelector].filter(Boolean).join(', ');
  const what = `${read.kind} objects${read.namespace ? ` in ${read.namespace}` : ''}${selectors ? ` (${selectors})` : ''}`;
  const left =
    read.unread !== undefined
      ? `${read.unread} of ${read.read + read.unread} ${what}`
      : `${what} beyond the first ${read.read}`;
  return `not read: ${left} (${read.why}); nothing was concluded from their absence`;
}

/** Why a list stopped before its end, in the answer's words. */
export function whyStopped(stoppedBy: StoppedBy | undefined, budget: ListBudget): string {
  if (stoppedBy === 'time') return `its time budget of ${budget.ms / 1000} s was spent`;
  if (stoppedBy === 'limit') return 'the most objects asked for were read';
  return `its read budget of ${Math.round(budget.bytes / 1024)} KB was spent`;
}

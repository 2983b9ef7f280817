import type { ObjectKind, ObjectOf } from '../tools/kinds.ts';
import { listObjects } from '../tools/list-objects.ts';
import type { ToolContext } from '../tools/tool.ts';
import { fieldSelectorTest } from './field-selector.ts';

/** Objects one whole cluster-wide list reads at most (one page): more, and the narrowed list is asked instead. */
const WHOLE_LIST_PAGE = 1_000;

export interface NarrowedList<K extends ObjectKind> {
  /** The objects the field selector selects. */
  items: ObjectOf<K>[];
  complete: boolean;
  requests: number;
  /** Every object of the kind in the cluster, when the whole list was read to its end: it answers later lists too. */
  whole?: ObjectOf<K>[];
}

/**
 * A cluster-wide list narrowed by a field selector (the Warning events), read whole when the whole list fits one page:
 * the same request then also holds every namespace's list of the kind (the namespace examined next, its peers, a
 * narrower list of node events), which are not asked again. A cluster larger than a page gets the narrowed list after
 * all (a request more), so that what the narrowing selects is read as completely as before. For small objects only
 * (events): a page of every pod would cost a large cluster megabytes for one request saved.
 */
export async function narrowedFromWhole<K extends ObjectKind>(
  kind: K,
  fieldSelector: string,
  limit: number,
  base: Omit<ToolContext, 'reason'>,
  reason: string,
): Promise<NarrowedList<K>> {
  const selects = fieldSelectorTest(fieldSelector);
  const whole = selects ? await listObjects.run({ kind, limit: WHOLE_LIST_PAGE }, { ...base, reason }) : undefined;
  if (selects && whole?.complete) {
    const items = whole.items as ObjectOf<K>[];
    return { items: items.filter(selects), complete: true, requests: whole.requests, whole: items };
  }
  const narrowed = await listObjects.run({ kind, fieldSelector, limit }, { ...base, reason });
  return {
    items: narrowed.items as ObjectOf<K>[],
    complete: narrowed.complete,
    requests: narrowed.requests + (whole?.requests ?? 0),
  };
}

/**
 * What a narrowed read of events read whole answers later (`Located.wholeInstead`): every namespace's list of events,
 * taken from it instead of asked again. Nothing when the narrowed list was asked after all.
 */
export function eventsReadWhole(list: { whole?: ObjectOf<'Event'>[]; requests: number }): {
  wholeInstead?: { Event: ObjectOf<'Event'>[] };
} {
  return list.whole ? { wholeInstead: { Event: list.whole } } : {};
}

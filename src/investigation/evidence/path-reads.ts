import type { Focus } from '../focus.ts';
import { reachFrom } from '../ranking/reach.ts';
import { symptomNodes } from '../ranking/symptom.ts';
import { selectorString } from '../tools/selector.ts';
import { graphOf } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** Narrowed reads one cut-short namespace may spend on the symptom's path. */
const MAX_PATH_READS = 10;

/**
 * The label selectors of the Services on the symptom's path (its own, those it calls, and so on) and of the workloads
 * behind them, in `namespace`, nearest first: when the namespace's pod list was cut short, reading the pods they select
 * completes the part of the namespace the diagnosis stands on, a few small requests instead of the whole list.
 */
export function pathSelectors(snapshot: ClusterSnapshot, focus: Focus, namespace: string): string[] {
  const graph = graphOf(snapshot);
  const reached = [...reachFrom(symptomNodes(focus.symptom, graph), graph).values()].sort(
    (a, b) => a.path.length - b.path.length,
  );
  const selectors: string[] = [];
  for (const { ref } of reached) {
    if (ref.namespace !== namespace) continue;
    const selector =
      ref.kind === 'Service'
        ? selectorString({ matchLabels: graph.service(namespace, ref.name)?.spec?.selector ?? {} })
        : selectorString({ matchLabels: graph.workload(ref)?.template?.metadata?.labels ?? {} });
    if (selector && !selectors.includes(selector)) selectors.push(selector);
  }
  return selectors.slice(0, MAX_PATH_READS);
}

/** The pods of the workloads on the symptom's path (the symptom's own, those it calls, and so on). */
export function podsOnPath(snapshot: ClusterSnapshot, focus: Focus): ClusterSnapshot['pods'] {
  const graph = graphOf(snapshot);
  return [...reachFrom(symptomNodes(focus.symptom, graph), graph).values()].flatMap(({ ref }) => graph.podsOf(ref));
}

import type { V1Container, V1LimitRange } from '@kubernetes/client-node';
import type { Plain } from './plain.ts';
import { parseQuantity } from './quantity.ts';
import { lastChange } from './time.ts';
import type { Pod } from './workloads.ts';

type LimitRange = Plain<V1LimitRange>;
type Container = Plain<V1Container>;

/** The annotation the LimitRanger admission plugin stamps on a pod it gave defaults to. */
export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** Which bound of a container's resources: its limit or its request. */
export type Bound = 'limit' | 'request';

/**
 * Whether admission gave the pod's container a resource bound its workload's template does not set: the template is
 * what its owners wrote, so a bound only the pod carries came from the namespace's defaults (LimitRanger says so in
 * its annotation), not from the workload.
 */
export function defaulted(
  pod: Pod,
  podContainer: Container | undefined,
  templateContainer: Container | undefined,
  resource: string,
  bound: Bound,
): boolean {
  const field = bound === 'limit' ? 'limits' : 'requests';
  const onPod = podContainer?.resources?.[field]?.[resource];
  if (onPod === undefined || !templateContainer) return false;
  if (templateContainer.resources?.[field]?.[resource] !== undefined) return false;
  // The plugin's annotation names what it set, when it is there; without it the template's silence is enough.
  const note = pod.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION];
  return note === undefined || new RegExp(`\\b${resource}\\b[^;]*\\b${bound}\\b`, 'i').test(note);
}

/**
 * The LimitRange of the pod's namespace whose container default gives `value` for `resource` (`default` for limits,
 * `defaultRequest` for requests); of several, the one changed last (the newest default is the one admission applied).
 */
export function defaultingLimitRange(
  limitRanges: LimitRange[],
  namespace: string,
  resource: string,
  bound: Bound,
  value: string | undefined,
  changedAt: (limitRange: LimitRange) => string | undefined,
): LimitRange | undefined {
  const wanted = parseQuantity(value);
  if (wanted === undefined) return undefined;
  return limitRanges
    .filter((limitRange) => limitRange.metadata?.namespace === namespace)
    .filter((limitRange) =>
      (limitRange.spec?.limits ?? []).some((item) => {
        if (item.type !== 'Container') return false;
        const given = bound === 'limit' ? item.default : item.defaultRequest;
        return parseQuantity(given?.[resource]) === wanted;
      }),
    )
    .sort((a, b) => (changedAt(b) ?? '').localeCompare(changedAt(a) ?? ''))[0];
}

/**
 * The LimitRange whose default gave the pod's container the memory limit its workload's template does not set, if
 * one of those read did; the one shared question of oom-limit (whose workload is then only a victim) and
 * limit-range-default (which states the fault at the LimitRange).
 */
export function memoryLimitDefaultedBy(
  limitRanges: LimitRange[],
  pod: Pod,
  podContainer: Container | undefined,
  templateContainer: Container | undefined,
): LimitRange | undefined {
  if (!defaulted(pod, podContainer, templateContainer, 'memory', 'limit')) return undefined;
  return defaultingLimitRange(
    limitRanges,
    pod.metadata?.namespace ?? '',
    'memory',
    'limit',
    podContainer?.resources?.limits?.memory,
    (limitRange) => lastChange(limitRange.metadata),
  );
}

/** Whether the LimitRanger admission plugin gave a pod defaults (its annotation says so). */
export const hasLimitRangeDefaults = (pod: Pod): boolean =>
  pod.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION] !== undefined;

import { builtInGroup, type CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import type { KubeEvent } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A controller that runs steps defined elsewhere (a check run from an analysis template, a task from a task template)
 * reports on its own object that a step it quotes by name could not be evaluated: the step errored, it did not judge
 * the new version bad. What errs is the step's definition — its query, its address, its arguments — and that lives in
 * the template object of the controller's API group that defines a step of that name, not in the object that ran it.
 */

/** A Warning event about an object of an extension group, and the names its message quotes. */
export interface QuotedStep {
  event: KubeEvent;
  group: string;
  quoted: string[];
  /** The message says the quoted step errored (could not be evaluated), not that it failed its check. */
  errored: boolean;
}

/** Names quoted in a message (`"success-rate"`, `'p95-latency'`): lower-case with a separator, as objects are named. */
const QUOTED = /["'“]([a-z0-9]+(?:[-._][a-z0-9]+)+)["'”]/g;
/** A step that errored, as controllers put it: a phase `Error`, `errored`. */
const ERRORED = /\b(?:Error|errored)\b/;
/** A step that judged the version bad: then the version, not the step, is at fault. */
const FAILED = /\b(?:Failed|failed|Failure|Inconclusive)\b/;

/** Warning events about objects of extension groups in the namespace whose message quotes a step by name. */
export function quotedSteps(events: readonly KubeEvent[], namespace?: string): QuotedStep[] {
  return events.flatMap((event) => {
    const about = event.involvedObject;
    const group = about?.apiVersion?.includes('/') ? about.apiVersion.split('/')[0] : undefined;
    if (event.type !== 'Warning' || !group || builtInGroup(group)) return [];
    if (namespace !== undefined && about?.namespace !== namespace) return [];
    const message = event.message ?? '';
    const quoted = [...message.matchAll(QUOTED)].map((m) => m[1] as string).filter((name) => name !== about?.name);
    if (quoted.length === 0) return [];
    return [{ event, group, quoted, errored: ERRORED.test(message) && !FAILED.test(message) }];
  });
}

/** What discovery calls a kind whose objects define steps others run: a template. */
const TEMPLATE_KIND = /Template$/;

/** Template kinds listed, at most. */
const MAX_TEMPLATE_KINDS = 2;

/**
 * Warning events of the namespace say a step they quote by name errored: the template kinds of the same API group,
 * in the namespace (or cluster-wide, for a cluster-scoped kind) — the step's definition is one of their objects.
 */
export function stepTemplateLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const steps = quotedSteps(snapshot.events, namespace).filter((step) => step.errored);
  if (steps.length === 0) return [];
  const groups = new Set(steps.map((step) => step.group));
  const quoted = steps[0]?.quoted[0];
  return snapshot.apiGroups
    .filter(({ group }) => groups.has(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => TEMPLATE_KIND.test(r.kind))
        .map((r) => ({
          resource: { group, version: r.version, plural: r.plural, kind: r.kind },
          namespaced: r.namespaced,
        })),
    )
    .sort((a, b) => Number(b.namespaced) - Number(a.namespaced))
    .slice(0, MAX_TEMPLATE_KINDS)
    .map(({ resource, namespaced }) => ({
      resource,
      ...(namespaced ? { namespace } : {}),
      why: `a step ${quoted} errored, its controller warns: the ${resource.kind} that defines it`,
      relevance: 3,
    }));
}

/** Whether a template defines the step: its own name, or the `name` of an entry of its spec (a metric, a task). */
export function definesStep(template: CustomObject, step: string): boolean {
  if (template.metadata?.name === step) return true;
  const walk = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(walk);
    if (!value || typeof value !== 'object') return false;
    return Object.entries(value).some(([key, inner]) => (key === 'name' && inner === step) || walk(inner));
  };
  return walk(template.spec);
}

import { firstSeen } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

/**
 * Pods evicted by something that is not Kubernetes' own machinery: a descheduler, a pod reaper, a rebalancer acts on
 * pods from outside, through the Eviction API, and records an Event on each pod it evicts naming itself (the event's
 * reporting component, or "by <component>" in its message). The kubelet (node pressure), the scheduler (preemption)
 * and the controller manager (taints, drains of the node lifecycle) are the cluster's own: their evictions are
 * answered where their cause is (the node, the priority class). What acts from outside is a workload like any other,
 * run under the component's name or from an image of that name, and what it evicts is set in its configuration — the
 * ConfigMaps its pod template mounts — or in its own template (its arguments).
 */

type Event = ClusterSnapshot['events'][number];
type PodTemplate = NonNullable<NonNullable<ClusterSnapshot['deployments'][number]['spec']>['template']>;

/** Components of Kubernetes itself that evict (their evictions have causes of their own, answered elsewhere). */
const OWN_COMPONENT = /^(?:kubelet|default-scheduler|kube-scheduler|kube-controller-manager|[a-z-]*-controller)$/;

/** An event that says a pod was evicted (or descheduled, which is eviction by another name). */
const EVICTION = /\bevict|\bdeschedul/i;

/** "… by <component>" in an eviction message: who did it, when the event's source leaves it out. */
const EVICTED_BY = /\bby ([\w./-]+)\s*$/;

/** One component's evictions of pods read. */
export interface OutsideEvictions {
  component: string;
  /** The word the component runs under: the last segment of its name (`example.org/reaper` → `reaper`). */
  word: string;
  events: Event[];
  /** When it first evicted a pod read, RFC 3339. */
  first: string;
}

/** The component an eviction event names, when it is one from outside Kubernetes' own. */
function outsideComponent(event: Event): string | undefined {
  if (event.involvedObject?.kind !== 'Pod') return undefined;
  if (!EVICTION.test(event.reason ?? '') && !EVICTION.test(event.message ?? '')) return undefined;
  const reported =
    event.reportingComponent || event.source?.component || EVICTED_BY.exec(event.message ?? '')?.[1] || undefined;
  if (!reported || OWN_COMPONENT.test(reported)) return undefined;
  return reported;
}

/** The last segment of a component's name: what its workload or image is called after. */
const wordOf = (component: string): string =>
  (component.split('/').at(-1) ?? component).toLowerCase().replace(/[^a-z0-9-]/g, '');

/** Evictions of the pods read by components from outside, grouped by component, at least `least` each. */
export function outsideEvictions(snapshot: ClusterSnapshot, least = 2): OutsideEvictions[] {
  const byComponent = new Map<string, Event[]>();
  for (const event of snapshot.events) {
    const component = outsideComponent(event);
    if (!component) continue;
    byComponent.set(component, [...(byComponent.get(component) ?? []), event]);
  }
  return [...byComponent.entries()]
    .map(([component, events]) => ({ component, word: wordOf(component), events, first: firstSeen(events) ?? '' }))
    .filter((e) => e.events.length >= least && e.word.length >= 4 && toMs(e.first) !== undefined);
}

/** A workload that may run an evictor, with the pod template it runs. */
export interface EvictorWorkload {
  kind: 'CronJob' | 'Deployment' | 'DaemonSet';
  metadata: NonNullable<ClusterSnapshot['deployments'][number]['metadata']>;
  template: PodTemplate | undefined;
}

/** The workloads read that can run pods on their own (a CronJob's jobs, a Deployment's, a DaemonSet's). */
function workloads(snapshot: ClusterSnapshot): EvictorWorkload[] {
  return [
    ...snapshot.cronJobs.map((c) => ({
      kind: 'CronJob' as const,
      metadata: c.metadata ?? {},
      template: c.spec?.jobTemplate?.spec?.template as PodTemplate | undefined,
    })),
    ...snapshot.deployments.map((d) => ({
      kind: 'Deployment' as const,
      metadata: d.metadata ?? {},
      template: d.spec?.template,
    })),
    ...snapshot.daemonSets.map((d) => ({
      kind: 'DaemonSet' as const,
      metadata: d.metadata ?? {},
      template: d.spec?.template,
    })),
  ];
}

/** The repository name of an image, without registry, path, tag or digest (`registry.example/tools/reaper:1.2` → `reaper`). */
const imageName = (image: string | undefined): string =>
  (image ?? '').split('@')[0]?.split('/').at(-1)?.split(':')[0]?.toLowerCase() ?? '';

/**
 * The workloads that run the component: named after its word (`reaper`, `reaper-nightly`), or running an image of
 * that name. A name match alone that runs no such image still counts (a chart names its workload after its software).
 */
export function evictorWorkloads(snapshot: ClusterSnapshot, evictions: OutsideEvictions): EvictorWorkload[] {
  const { word } = evictions;
  const named = (name: string) => name === word || name.startsWith(`${word}-`) || name.endsWith(`-${word}`);
  return workloads(snapshot).filter(
    (w) =>
      named((w.metadata.name ?? '').toLowerCase()) ||
      (w.template?.spec?.containers ?? []).some((c) => imageName(c.image) === word),
  );
}

/** The ConfigMaps a pod template mounts or takes its environment from: where a tool's configuration is kept. */
export function templateConfigMaps(template: PodTemplate | undefined): string[] {
  const spec = template?.spec;
  const names = [
    ...(spec?.volumes ?? []).flatMap((v) => [
      v.configMap?.name,
      ...(v.projected?.sources ?? []).map((s) => s.configMap?.name),
    ]),
    ...[...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c) =>
      (c.envFrom ?? []).map((e) => e.configMapRef?.name),
    ),
  ];
  return [...new Set(names.filter((n): n is string => !!n))];
}

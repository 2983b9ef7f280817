import { readInFull } from '../evidence/completeness.ts';
import { endpointsOf, readyAddresses } from '../evidence/endpoints.ts';
import { refOf, type Service, similar } from '../evidence/graph.ts';
import { formatLabels, matchesMap } from '../evidence/labels.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

const MATCHABLE = ['Pod', 'Deployment', 'StatefulSet'];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Its selector matches no pod, and the pods it was meant for (by name or most labels) carry different labels. */
  missesIntended: 0.95,
  /** Its selector matches no pod; nothing says which pods it was meant for. */
  matchesNothing: 0.6,
  /** Changed after the workloads it selects existed, it now sends its traffic to pods of different programs. */
  mixesPrograms: 0.7,
} as const;

/** A Service whose selector matches no pod (and no workload template) while pods with near-identical labels exist. */
export const serviceSelector: Detector = {
  id: 'service-selector',
  faultTypes: ['service-selector'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const service of snapshot.services) {
      const selector = service.spec?.selector;
      if (!selector || Object.keys(selector).length === 0 || service.spec?.type === 'ExternalName') continue;
      const selected = graph.podsSelectedBy(service);
      if (selected.length > 0) {
        // The pods its traffic goes to: those its Endpoints list as ready (a pod without the port it targets is not).
        const routed = readyAddresses(endpointsOf(snapshot.endpoints, service)).map((a) => a.targetRef?.name);
        const receiving = routed.length > 0 ? selected.filter((p) => routed.includes(p.metadata?.name)) : selected;
        const mixed = mixedPrograms(service, receiving, graph);
        if (mixed) findings.push(mixed);
        continue;
      }
      const namespace = service.metadata?.namespace ?? '';
      // "Matches no pod" needs every pod and workload of the namespace read: the match may be in the part that was not.
      if (!MATCHABLE.every((kind) => readInFull(snapshot, kind, namespace))) continue;
      const templates = graph.workloads.filter((w) => w.ref.namespace === namespace);
      // A scaled-down workload still matches through its template: that is a missing dependency, not a selector fault.
      if (templates.some((w) => matchesMap(w.template?.metadata?.labels, selector))) continue;
      const intended = intendedLabels(
        service,
        templates.map((w) => ({ name: w.ref.name, labels: w.template?.metadata?.labels ?? {} })),
      );
      const ref = refOf('Service', service.metadata);
      const endpoints = endpointsOf(snapshot.endpoints, service);
      const found: Finding = finding(serviceSelector, {
        entity: ref,
        affects: templates.filter((w) => intended?.workloads.includes(w.ref.name)).map((w) => w.ref),
        strength: intended ? STRENGTH.missesIntended : STRENGTH.matchesNothing,
        summary: `Service ${service.metadata?.name} selects ${formatLabels(selector)}, which matches no pod${intended ? `; pods of ${intended.workloads.join(', ')} carry ${formatLabels(intended.labels)}` : ''}`,
        evidence: [
          { source: 'spec', ref, text: `selector ${formatLabels(selector)} matches 0 pods` },
          ...(endpoints
            ? [
                {
                  source: 'status' as const,
                  ref: refOf('Endpoints', endpoints.metadata),
                  text: `Endpoints ${endpoints.metadata?.name} has ${readyAddresses(endpoints).length} ready addresses`,
                },
              ]
            : []),
        ],
      });
      const changed = lastChange(service.metadata);
      if (changed) found.changedAt = changed;
      if (intended) {
        found.remediation = {
          summary: `Set the selector of Service ${service.metadata?.name} back to ${formatLabels(intended.labels)}`,
          action: {
            type: 'set-service-selector',
            namespace,
            name: service.metadata?.name ?? '',
            selector: intended.labels,
          },
        };
      }
      findings.push(found);
    }
    return findings;
  },
};

/**
 * A Service is one program's address: its pods are interchangeable replicas (a canary or a new version runs the same
 * containers). A selector that routes to pods of several workloads whose templates share no container sends requests
 * to programs that do not serve them — when the Service changed after all of them existed, its change brought them
 * in (a selector that lost the label telling them apart).
 */
function mixedPrograms(
  service: Service,
  pods: ReturnType<Parameters<Detector['detect']>[1]['podsSelectedBy']>,
  graph: Parameters<Detector['detect']>[1],
): Finding | undefined {
  const workloads = new Map<string, EntityRef>();
  for (const pod of pods) workloads.set(refKey(graph.workloadOf(pod)), graph.workloadOf(pod));
  if (workloads.size < 2) return undefined;
  const programs = [...workloads.values()].map((ref) => ({
    ref,
    containers: new Set((graph.podSpecOf(ref)?.containers ?? []).map((c) => c.name)),
    created: toMs(graph.workload(ref)?.metadata?.creationTimestamp),
  }));
  const shared = programs.some((a, i) =>
    programs.some((b, j) => j > i && [...a.containers].some((c) => b.containers.has(c))),
  );
  const changed = lastChange(service.metadata);
  const changedMs = toMs(changed);
  if (shared || changedMs === undefined) return undefined;
  if (programs.some((p) => p.created === undefined || p.created >= changedMs)) return undefined;
  const ref = refOf('Service', service.metadata);
  const names = programs.map((p) => `${p.ref.kind} ${p.ref.name} (${[...p.containers].join(', ')})`);
  const found: Finding = finding(serviceSelector, {
    entity: ref,
    affects: programs.map((p) => p.ref),
    strength: STRENGTH.mixesPrograms,
    summary: `Service ${service.metadata?.name} selects ${formatLabels(service.spec?.selector ?? {})}, which takes in pods of different programs: ${names.join(' and ')}`,
    evidence: [
      {
        source: 'spec',
        ref,
        text: `selector ${formatLabels(service.spec?.selector ?? {})} matches pods of ${names.join(', ')}, which share no container; the Service last changed at ${changed}`,
      },
    ],
  });
  if (changed) found.changedAt = changed;
  return found;
}

/** The labels the Service used to match: its last applied selector, else the pods whose labels differ from it by a typo. */
function intendedLabels(
  service: Service,
  templates: { name: string; labels: Record<string, string> }[],
): { labels: Record<string, string>; workloads: string[] } | undefined {
  const selector = service.spec?.selector ?? {};
  const applied = service.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (applied) {
    try {
      const previous = (JSON.parse(applied) as { spec?: { selector?: Record<string, string> } }).spec?.selector;
      if (previous && formatLabels(previous) !== formatLabels(selector)) {
        const workloads = templates.filter((t) => matchesMap(t.labels, previous)).map((t) => t.name);
        if (workloads.length > 0) return { labels: previous, workloads };
      }
    } catch {
      // an unreadable annotation is no evidence
    }
  }
  const keys = Object.keys(selector);
  let best: { labels: Record<string, string>; workloads: string[]; score: number } | undefined;
  for (const template of templates) {
    const labels: Record<string, string> = {};
    let score = 0;
    for (const key of keys) {
      const value = template.labels[key];
      if (value === undefined) break;
      if (value === selector[key]) score += 2;
      else if (similar(value, selector[key])) score += 1;
      else break;
      labels[key] = value;
    }
    if (Object.keys(labels).length !== keys.length || score === 0) continue;
    if (template.name === service.metadata?.name) score += 1;
    if (!best || score > best.score) best = { labels, workloads: [template.name], score };
    else if (score === best.score) best.workloads.push(template.name);
  }
  return best ? { labels: best.labels, workloads: best.workloads } : narrowedPast(service, templates);
}

/**
 * A selector that asks for a label no pod carries, beside labels one workload of the Service's own name carries as
 * written: narrowed past its pods (a key added, a component label the chart does not set). What it meant is the
 * selector without the keys that workload lacks.
 */
function narrowedPast(
  service: Service,
  templates: { name: string; labels: Record<string, string> }[],
): { labels: Record<string, string>; workloads: string[] } | undefined {
  const selector = service.spec?.selector ?? {};
  const own = templates.find((t) => t.name === service.metadata?.name);
  if (!own) return undefined;
  const kept = Object.entries(selector).filter(([key]) => own.labels[key] !== undefined);
  if (kept.length === 0 || kept.length === Object.keys(selector).length) return undefined;
  if (kept.some(([key, value]) => own.labels[key] !== value)) return undefined;
  const labels = Object.fromEntries(kept);
  const workloads = templates.filter((t) => matchesMap(t.labels, labels)).map((t) => t.name);
  return workloads.length === 1 ? { labels, workloads } : undefined;
}

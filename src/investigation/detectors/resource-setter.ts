import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { containerStates, stateEvidence } from '../evidence/pod-state.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { memoryLimitDrift, type ResourceDrift, targetingObjects } from '../evidence/resource-setters.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { type EntityRef, type Evidence, EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Killed at a memory limit the pod runs with but its template does not ask for, and an object names the workload as
   * its target: the kubelet states the kill, the pod's own spec against the template states who set it. Above
   * oom-limit's kill at a limit of the workload's own.
   */
  killedAtSetLimit: 0.96,
} as const;

/** What the object's spec says of the resources it sets, in short (`maxAllowed memory 96Mi`, `updateMode Auto`). */
function settingsSaid(spec: unknown, resource: string): string[] {
  const said: string[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (said.length >= 4 || value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path);
      return;
    }
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
      return;
    }
    const key = path.at(-1) ?? '';
    const mode = /mode$/i.test(key);
    if (key === resource || mode) said.push(`${mode ? key : `${path.at(-2) ?? ''} ${key}`} ${String(value)}`);
  };
  walk(spec, []);
  return said;
}

/**
 * Containers OOM-killed at a memory limit their pod runs with but their workload's template does not ask for
 * (evidence/resource-setters.ts), where an object read names the workload as its target: that object set the limit
 * when the pod was admitted (an autoscaler sizing pods within bounds of its own), so the setting to repair lives there,
 * and the workload, whose template is not what its pods run with, is its victim. The catalogue's oom-limit names a
 * workload's own limit: other.
 */
export const resourceSetter: Detector = {
  id: 'resource-setter',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const bySetter = new Map<string, Finding>();
    for (const pod of snapshot.pods) {
      for (const state of containerStates(pod)) {
        if (state.init) continue;
        const killed = [state.status.lastState?.terminated, state.status.state?.terminated].some(
          (t) => t?.reason === 'OOMKilled',
        );
        const drift = killed ? memoryLimitDrift(graph, pod, state.status.name) : undefined;
        if (!drift) continue;
        const workload = graph.workloadOf(pod);
        for (const setter of targetingObjects(snapshot, workload)) {
          const entity = refOf(setter.kind, setter.metadata);
          const held = bySetter.get(refKey(entity));
          if (held) {
            seenAgain(held, workload, stateEvidence(state));
            continue;
          }
          const changedAt = lastChange(setter.metadata);
          const at = toMs(changedAt);
          const recent = changedBeforeOnset(at, onset);
          bySetter.set(
            refKey(entity),
            finding(resourceSetter, {
              entity,
              affects: [workload],
              strength: STRENGTH.killedAtSetLimit,
              summary: `${setter.kind} ${entity.name} targets ${workload.kind} ${workload.name} and set its pods' ${drift.field} to ${drift.onPod ?? 'none'} (the template asks ${drift.inTemplate ?? 'none'}); container ${drift.container} is OOMKilled at it (${state.status.restartCount ?? 0} restarts). Raise the bounds it sizes the pods within, there — not the template's limit, which the pods do not run with`,
              evidence: evidenceOf(setter, entity, drift, stateEvidence(state), recent ? changedAt : undefined),
              ...(changedAt ? { changedAt } : {}),
            }),
          );
        }
      }
    }
    return [...bySetter.values()];
  },
};

function evidenceOf(
  setter: CustomObject,
  entity: EntityRef,
  drift: ResourceDrift,
  killed: Evidence,
  changedAt: string | undefined,
): Evidence[] {
  const resource = drift.field.split('.').at(-1) ?? '';
  const said = settingsSaid(setter.spec, resource);
  return [
    killed,
    {
      source: 'spec',
      ref: refOf('Pod', drift.pod.metadata),
      text: `container ${drift.container} runs with ${drift.field} ${drift.onPod ?? 'none'}, its template asks ${drift.inTemplate ?? 'none'}`,
    },
    ...(said.length > 0
      ? [
          {
            source: 'spec' as const,
            ref: entity,
            text: `${setter.kind} ${entity.name}: ${said.join(', ')}`.slice(0, EVIDENCE_TEXT_LIMIT),
          },
        ]
      : []),
    ...(changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
  ];
}

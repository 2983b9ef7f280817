import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { eventEvidence, eventsFor } from '../evidence/events.ts';
import { containerStates, stateEvidence } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import { revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { type Detector, finding } from './detector.ts';

const PULL_FAILURE = /^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|RegistryUnavailable)$/;

const STRENGTH = {
  /** The kubelet's own status says the image cannot be pulled: the fault is stated, not inferred. */
  stated: 0.95,
  /**
   * The container that cannot pull its image is in the workload's template by neither name nor image: admission added
   * it (an operator's webhook injecting an agent), so the reference to fix lives in what configures that webhook, not
   * in the workload.
   */
  notInTemplate: 0.6,
} as const;

/** Pods that cannot pull their image: the workload's image reference is wrong. */
export const badImage: Detector = {
  id: 'bad-image',
  faultTypes: ['bad-image'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const pod of snapshot.pods) {
      for (const state of containerStates(pod)) {
        const reason = state.status.state?.waiting?.reason ?? '';
        if (!PULL_FAILURE.test(reason)) continue;
        const workload = graph.workloadOf(pod);
        const key = refKey(workload);
        const events = eventsFor(snapshot, 'Pod', pod.metadata?.namespace, pod.metadata?.name ?? '')
          .filter((e) => /pull|image/i.test(`${e.reason} ${e.message}`))
          .slice(0, 2);
        const existing = findings.get(key);
        if (existing) {
          existing.evidence.push(stateEvidence(state));
          continue;
        }
        const template = graph.podSpecOf(workload);
        const injected =
          workload.kind !== 'Pod' &&
          template !== undefined &&
          ![...(template.initContainers ?? []), ...template.containers].some(
            (c) => c.name === state.status.name || c.image === state.status.image,
          );
        const fault: Finding = finding(badImage, {
          entity: workload,
          affects: [workload],
          strength: injected ? STRENGTH.notInTemplate : STRENGTH.stated,
          summary: `${workload.kind} ${workload.name}: image ${state.status.image ?? ''} cannot be pulled (${reason})${injected ? `, though no container of its template names it: it was added at admission (${state.status.name})` : ''}`,
          evidence: [stateEvidence(state), ...events.map(eventEvidence)],
        });
        const changed = lastChange(graph.workload(workload)?.metadata);
        if (changed) fault.changedAt = changed;
        const remediation =
          previousImage(workload, state.status.name) ??
          rollbackProposal(snapshot, workload, 'the image before the change');
        if (remediation) fault.remediation = remediation;
        findings.set(key, fault);
      }
    }
    return [...findings.values()];

    function previousImage(workload: Finding['entity'], container: string): Finding['remediation'] {
      if (workload.kind !== 'Deployment') return undefined;
      const [current, previous] = revisions(snapshot, workload);
      const image = previous?.spec?.template?.spec?.containers.find((c) => c.name === container)?.image;
      const broken = current?.spec?.template?.spec?.containers.find((c) => c.name === container)?.image;
      if (!image || image === broken) return undefined;
      return {
        summary: `Set ${workload.name}/${container} back to ${image}`,
        action: {
          type: 'set-image',
          kind: 'Deployment',
          namespace: workload.namespace ?? '',
          name: workload.name,
          container,
          image,
        },
      };
    }
  },
};

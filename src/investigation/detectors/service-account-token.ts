import { tokenlessPods } from '../evidence/forbidden.ts';
import { refOf } from '../evidence/graph.ts';
import { lastChange } from '../evidence/time.ts';
import { type Evidence, type Finding, LOG_TEXT_LIMIT } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** Where the kubelet mounts the ServiceAccount token, when it mounts one. */
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's log says the token is missing and the object that decides whether it is mounted says no: stated and shown. */
const STRENGTH = 0.9;

/**
 * A pod whose log says its ServiceAccount token is not there (the in-cluster client cannot even call the API server)
 * and that mounts nothing at the token's path: whether the token is mounted is decided by the pod's own
 * `automountServiceAccountToken`, else by its ServiceAccount's. A pod template that says false is its workload's
 * fault; otherwise the ServiceAccount that says false governs every pod that runs as it (created since). The catalogue
 * has no type for it: other.
 */
export const serviceAccountToken: Detector = {
  id: 'service-account-token',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const { pod: at, line } of tokenlessPods(snapshot.logs)) {
      const pod = graph.pod(at.namespace, at.name);
      const spec = pod?.spec;
      if (!pod || !spec) continue;
      const mounted = spec.containers.some((c) =>
        (c.volumeMounts ?? []).some((m) => m.mountPath.replace(/\/$/, '') === TOKEN_PATH),
      );
      if (mounted || spec.automountServiceAccountToken === true) continue;
      const workload = graph.workloadOf(pod);
      const name = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
      const account = snapshot.serviceAccounts.find(
        (a) => a.metadata?.namespace === at.namespace && a.metadata?.name === name,
      );
      const logged: Evidence = { source: 'log', ref: { kind: 'Pod', ...at }, text: line.slice(0, LOG_TEXT_LIMIT) };
      const byPod = spec.automountServiceAccountToken === false;
      if (!byPod && account?.automountServiceAccountToken !== false) continue;
      const entity = byPod ? workload : refOf('ServiceAccount', account?.metadata);
      const existing = findings.get(`${entity.kind}/${entity.namespace}/${entity.name}`);
      if (existing) {
        seenAgain(existing, workload, logged);
        continue;
      }
      const changedAt = lastChange(byPod ? graph.workload(workload)?.metadata : account?.metadata);
      const setting = byPod
        ? `the pod template of ${workload.kind} ${workload.name} turns automountServiceAccountToken off`
        : `ServiceAccount ${name} turns automountServiceAccountToken off, and ${workload.kind} ${workload.name}'s pods run as it without mounting one of their own`;
      findings.set(
        `${entity.kind}/${entity.namespace}/${entity.name}`,
        finding(serviceAccountToken, {
          entity,
          affects: [workload],
          strength: STRENGTH,
          summary: `${workload.kind} ${workload.name} cannot call the Kubernetes API: its pods have no ServiceAccount token, because ${setting}`,
          evidence: [logged, { source: 'spec', ref: entity, text: setting }],
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

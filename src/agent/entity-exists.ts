import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
} from '@kubernetes/client-node';
import type { EntityRef } from '../investigation/model.ts';

type Read = (kubeConfig: KubeConfig, namespace: string, name: string) => Promise<unknown>;

const core = (kc: KubeConfig) => kc.makeApiClient(CoreV1Api);
const apps = (kc: KubeConfig) => kc.makeApiClient(AppsV1Api);

/** One GET per kind a root cause can be; cluster-scoped kinds ignore the namespace. */
const READS: Record<string, Read> = {
  Pod: (kc, namespace, name) => core(kc).readNamespacedPod({ namespace, name }),
  Service: (kc, namespace, name) => core(kc).readNamespacedService({ namespace, name }),
  ConfigMap: (kc, namespace, name) => core(kc).readNamespacedConfigMap({ namespace, name }),
  // The response is discarded unread: only whether the GET succeeds matters.
  Secret: (kc, namespace, name) => core(kc).readNamespacedSecret({ namespace, name }),
  PersistentVolumeClaim: (kc, namespace, name) => core(kc).readNamespacedPersistentVolumeClaim({ namespace, name }),
  ResourceQuota: (kc, namespace, name) => core(kc).readNamespacedResourceQuota({ namespace, name }),
  LimitRange: (kc, namespace, name) => core(kc).readNamespacedLimitRange({ namespace, name }),
  ServiceAccount: (kc, namespace, name) => core(kc).readNamespacedServiceAccount({ namespace, name }),
  Endpoints: (kc, namespace, name) => core(kc).readNamespacedEndpoints({ namespace, name }),
  Node: (kc, _namespace, name) => core(kc).readNode({ name }),
  PersistentVolume: (kc, _namespace, name) => core(kc).readPersistentVolume({ name }),
  Namespace: (kc, _namespace, name) => core(kc).readNamespace({ name }),
  Deployment: (kc, namespace, name) => apps(kc).readNamespacedDeployment({ namespace, name }),
  StatefulSet: (kc, namespace, name) => apps(kc).readNamespacedStatefulSet({ namespace, name }),
  DaemonSet: (kc, namespace, name) => apps(kc).readNamespacedDaemonSet({ namespace, name }),
  ReplicaSet: (kc, namespace, name) => apps(kc).readNamespacedReplicaSet({ namespace, name }),
  Job: (kc, namespace, name) => kc.makeApiClient(BatchV1Api).readNamespacedJob({ namespace, name }),
  CronJob: (kc, namespace, name) => kc.makeApiClient(BatchV1Api).readNamespacedCronJob({ namespace, name }),
  NetworkPolicy: (kc, namespace, name) =>
    kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace, name }),
  Ingress: (kc, namespace, name) => kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace, name }),
  HorizontalPodAutoscaler: (kc, namespace, name) =>
    kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ namespace, name }),
  PodDisruptionBudget: (kc, namespace, name) =>
    kc.makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ namespace, name }),
};

const CLUSTER_SCOPED = new Set(['Node', 'PersistentVolume', 'Namespace']);

/**
 * Whether a model's root cause is a real object: a live GET, not the model's word. Kinds outside the table (custom
 * resources) can only be accepted if a tool returned them, which `fallback` answers.
 */
export function entityExistsIn(kubeConfig: KubeConfig, fallback: (ref: EntityRef) => boolean) {
  return async (ref: EntityRef): Promise<boolean> => {
    const read = READS[ref.kind];
    if (!read) return fallback(ref);
    if (!CLUSTER_SCOPED.has(ref.kind) && !ref.namespace) return false;
    try {
      await read(kubeConfig, ref.namespace ?? '', ref.name);
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      // Forbidden or unreachable: the GET cannot decide, so only what a tool returned counts.
      return fallback(ref);
    }
  };
}

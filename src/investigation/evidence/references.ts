import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type PodSpec = NonNullable<Pod['spec']>;

/** Objects the pods need by name: what wave 2 of the collection must read. */
export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
  claims: Set<string>;
  /** Kinds of the pods' controllers (ReplicaSet, StatefulSet, DaemonSet, Job…). */
  ownerKinds: Set<string>;
}

/** What the pods, and the pod templates of their controllers (pods that could not be created), refer to. */
export function podReferences(pods: Pod[], templates: (PodSpec | undefined)[] = []): PodReferences {
  const refs: PodReferences = { configMaps: new Set(), secrets: new Set(), claims: new Set(), ownerKinds: new Set() };
  const add = (set: Set<string>, name: string | undefined) => {
    if (name) set.add(name);
  };
  for (const pod of pods) for (const owner of pod.metadata?.ownerReferences ?? []) refs.ownerKinds.add(owner.kind);
  for (const spec of [...pods.map((pod) => pod.spec), ...templates]) {
    for (const secret of spec?.imagePullSecrets ?? []) add(refs.secrets, secret.name);
    for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      for (const env of container.env ?? []) {
        add(refs.configMaps, env.valueFrom?.configMapKeyRef?.name);
        add(refs.secrets, env.valueFrom?.secretKeyRef?.name);
      }
      for (const source of container.envFrom ?? []) {
        add(refs.configMaps, source.configMapRef?.name);
        add(refs.secrets, source.secretRef?.name);
      }
    }
    for (const volume of spec?.volumes ?? []) {
      add(refs.configMaps, volume.configMap?.name);
      add(refs.secrets, volume.secret?.secretName);
      add(refs.claims, volume.persistentVolumeClaim?.claimName);
      for (const source of volume.projected?.sources ?? []) {
        add(refs.configMaps, source.configMap?.name);
        add(refs.secrets, source.secret?.name);
      }
    }
  }
  return refs;
}

/**
 * The kinds a plan names, apart from the Kubernetes client (./kube-objects.ts): what only reads or checks a plan
 * (the audit CLI's export, the plan store) does not load the client, a second of CPU at every start.
 */
import type { KubeObjectJson } from '../kube/object-json.ts';

/** The kinds a plan can read or write, each with the apiVersion it is served under. */
export const API_VERSIONS = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Endpoints: 'v1',
  Node: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
} as const;
export type ObjectKind = keyof typeof API_VERSIONS;

export interface ObjectRef {
  kind: ObjectKind;
  namespace?: string;
  name: string;
}

/** An object as the API server returns it in JSON. */
export type KubeObject = KubeObjectJson;

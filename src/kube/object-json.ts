/**
 * A Kubernetes object as JSON — what the API server returns and stores — with the metadata fields this code reads named
 * and everything else `unknown`. One shape for remediation's reads and writes and for the simulated API server (which
 * narrows it to what it stores: `kube-api/object.ts`).
 */
export type KubeObjectJson = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaJson;
};

export interface ObjectMetaJson {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReferenceJson[];
  [field: string]: unknown;
}

export interface OwnerReferenceJson {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

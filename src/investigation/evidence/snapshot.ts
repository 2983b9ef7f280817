import type {
  CoreV1Event,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1Endpoints,
  V1CronJob,
  V1Job,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1ResourceQuota,
  V1Secret,
  V1Ingress,
  V1IngressClass,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
  V1MutatingWebhookConfiguration,
  V1Role,
  V1RoleBinding,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ServiceAccount,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Certificate, Issuer } from './certificates.ts';
import type { CustomObject } from './custom-object.ts';
import type { Plain } from './plain.ts';
import type { DestinationRule, HTTPRoute, ServedGroup, ServiceEntry, VirtualService } from './routing-objects.ts';

export type { Plain };

/**
 * A Secret as the investigator keeps it: names of keys only, never values — except, per key, the in-cluster hosts a
 * value names (a connection URL's `db.data.svc:5432`), which say where its readers connect and are no credential.
 */
export type SecretShape = Plain<Omit<V1Secret, 'data' | 'stringData'>> & {
  keys: string[];
  hosts?: Record<string, string[]>;
};

export interface ContainerLog {
  pod: string;
  namespace: string;
  container: string;
  previous: boolean;
  /** Already filtered to the lines that look like errors, oldest first. */
  lines: string[];
  /** When the part of the log read begins (its first line's time, error or not), when known. */
  readFrom?: string;
  /** Older error lines were left out (over the line or byte budget): the first one kept is not the first logged. */
  cut?: boolean;
  /** Read as the workload the alert speaks of (evidence/log-targets.ts). */
  alerted?: boolean;
}

export interface MetricSample {
  /** Labels of the series, including `__name__`. */
  labels: Record<string, string>;
  query: string;
  /** What the query measures when the collector chose it (see metric-queries.ts); absent for ad-hoc queries. */
  signal?: string;
  /** [unix seconds, value] oldest first. */
  values: [number, number][];
}

/** A list that was not read to its end (a read budget was spent, or the API failed): what it lacks may exist. */
export interface IncompleteRead {
  kind: string;
  /** Absent: the list was cluster-wide (or of a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects read before it stopped. */
  read: number;
  /** Objects left unread, when the API server said how many. */
  unread?: number;
  /** Why it stopped: the budget spent, or the error. */
  why: string;
}

/**
 * Everything the investigation read from the cluster for one incident. Detectors and ranking see only this.
 * Kinds that were not fetched (not needed for this incident) are empty arrays.
 * It only grows while it is read: a read appends to a list (absorb) or replaces a whole list, and never edits, removes
 * or reorders what a list holds. graphOf (graph.ts) keeps one graph per state of the snapshot on that ground, and a
 * graph kept after such an edit would silently describe the evidence as it was.
 */
export interface ClusterSnapshot {
  /** The time the investigation reasons at (a replayed scenario's `now`, or the wall clock). */
  now: string;
  namespaces: Plain<V1Namespace>[];
  nodes: Plain<V1Node>[];
  pods: Plain<V1Pod>[];
  deployments: Plain<V1Deployment>[];
  replicaSets: Plain<V1ReplicaSet>[];
  statefulSets: Plain<V1StatefulSet>[];
  daemonSets: Plain<V1DaemonSet>[];
  jobs: Plain<V1Job>[];
  /** Read only when a Job's pods fail: since when the CronJob behind them has failed (its last success). */
  cronJobs: Plain<V1CronJob>[];
  services: Plain<V1Service>[];
  endpoints: Plain<V1Endpoints>[];
  configMaps: Plain<V1ConfigMap>[];
  secrets: SecretShape[];
  events: Plain<CoreV1Event>[];
  networkPolicies: Plain<V1NetworkPolicy>[];
  persistentVolumeClaims: Plain<V1PersistentVolumeClaim>[];
  resourceQuotas: Plain<V1ResourceQuota>[];
  limitRanges: Plain<V1LimitRange>[];
  horizontalPodAutoscalers: Plain<V2HorizontalPodAutoscaler>[];
  /** Read to resolve a host the alert mentions to the namespace and Service it routes to, and to check its backends. */
  ingresses: Plain<V1Ingress>[];
  /** Read only when a pod's API calls are refused (forbidden): who may do what in the namespace it calls. */
  roles: Plain<V1Role>[];
  roleBindings: Plain<V1RoleBinding>[];
  /** Read with them: the cluster-wide grants (the only ones for a cluster-scoped call) and the roles they name. */
  clusterRoles: Plain<V1ClusterRole>[];
  clusterRoleBindings: Plain<V1ClusterRoleBinding>[];
  /** Read only when a pod's log says its ServiceAccount token is missing: whether its account mounts one. */
  serviceAccounts: Plain<V1ServiceAccount>[];
  /** Read only when pod creation is refused by an admission webhook. */
  validatingWebhookConfigurations: Plain<V1ValidatingWebhookConfiguration>[];
  mutatingWebhookConfigurations: Plain<V1MutatingWebhookConfiguration>[];
  /** Routing in front of Services, read only when API discovery says the cluster serves it (routing-objects.ts). */
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  httpRoutes: HTTPRoute[];
  /** The mesh's registry of outside hosts, read only when a mesh proxy refuses calls out (BlackHoleCluster). */
  serviceEntries: ServiceEntry[];
  /** Disruption budgets of the namespace: changed shortly before, they may block evictions, drains or rollouts. */
  podDisruptionBudgets: Plain<V1PodDisruptionBudget>[];
  /** Read when an Ingress routes to the symptom: which controller serves it (and so whose logs to read). */
  ingressClasses: Plain<V1IngressClass>[];
  /** cert-manager's objects, read only when it is served and victims print TLS verification errors. */
  certificates: Certificate[];
  issuers: Issuer[];
  clusterIssuers: Issuer[];
  /** API groups the cluster serves (GET /apis), when discovery was asked. */
  apiGroups: ServedGroup[];
  /**
   * Custom resources of kinds discovery named, read only when the victims' errors are refusals such objects govern
   * (an authorization denied, a limit reached): untyped, their spec and status as the server holds them.
   */
  customObjects: CustomObject[];
  logs: ContainerLog[];
  metrics: MetricSample[];
  /** The lists left incomplete: no conclusion may rest on an object being absent from them. */
  incomplete: IncompleteRead[];
  /**
   * Nodes whose pods were listed cluster-wide (by `spec.nodeName`): what is bound there is known, and so whether a pod
   * would fit (node-room.ts). Absent: none.
   */
  podsReadOnNodes?: string[];
  /**
   * Every node's pods, listed cluster-wide (all that hold room: not finished) when pods of the namespace find no node
   * with room — read completely, or absent. Kept apart from `pods`: they are weighed for the room they hold
   * (room-takers.ts), never taken for the symptom's own pods.
   */
  podsHoldingRoom?: Plain<V1Pod>[];
}

export const emptySnapshot = (now: string): ClusterSnapshot => ({
  now,
  namespaces: [],
  nodes: [],
  pods: [],
  deployments: [],
  replicaSets: [],
  statefulSets: [],
  daemonSets: [],
  jobs: [],
  cronJobs: [],
  services: [],
  endpoints: [],
  configMaps: [],
  secrets: [],
  events: [],
  networkPolicies: [],
  persistentVolumeClaims: [],
  resourceQuotas: [],
  limitRanges: [],
  horizontalPodAutoscalers: [],
  ingresses: [],
  roles: [],
  roleBindings: [],
  clusterRoles: [],
  clusterRoleBindings: [],
  serviceAccounts: [],
  validatingWebhookConfigurations: [],
  mutatingWebhookConfigurations: [],
  virtualServices: [],
  destinationRules: [],
  httpRoutes: [],
  serviceEntries: [],
  podDisruptionBudgets: [],
  ingressClasses: [],
  certificates: [],
  issuers: [],
  clusterIssuers: [],
  apiGroups: [],
  customObjects: [],
  logs: [],
  metrics: [],
  incomplete: [],
});

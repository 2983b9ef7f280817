import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  ApisApi,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  Observable,
  type ObservableMiddleware,
  ResponseContext,
  type V1Secret,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { CERTIFICATE_APIS, CERTIFICATE_SCHEMAS } from '../evidence/certificates.ts';
import { type CustomObject, CustomObjectSchema } from '../evidence/custom-object.ts';
import { ROUTING_APIS, ROUTING_SCHEMAS, type ServedGroup, type ServedResource } from '../evidence/routing-objects.ts';
import { makeSharedApiClient } from '../../kube/shared-connections.ts';
import { learnSecretValues } from '../../redaction/policy.ts';
import { plainJson } from './plain-json.ts';
import { clusterHostsIn } from '../evidence/peer-namespaces.ts';
import type { ClusterSnapshot, SecretShape } from '../evidence/snapshot.ts';

/** Every kind the snapshot holds, and the snapshot field that holds it. */
export const KIND_KEYS = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicaSets',
  StatefulSet: 'statefulSets',
  DaemonSet: 'daemonSets',
  Job: 'jobs',
  CronJob: 'cronJobs',
  Service: 'services',
  Endpoints: 'endpoints',
  ConfigMap: 'configMaps',
  Secret: 'secrets',
  Event: 'events',
  NetworkPolicy: 'networkPolicies',
  PersistentVolumeClaim: 'persistentVolumeClaims',
  ResourceQuota: 'resourceQuotas',
  LimitRange: 'limitRanges',
  HorizontalPodAutoscaler: 'horizontalPodAutoscalers',
  Ingress: 'ingresses',
  Role: 'roles',
  RoleBinding: 'roleBindings',
  ServiceAccount: 'serviceAccounts',
  ValidatingWebhookConfiguration: 'validatingWebhookConfigurations',
  MutatingWebhookConfiguration: 'mutatingWebhookConfigurations',
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  HTTPRoute: 'httpRoutes',
  ServiceEntry: 'serviceEntries',
  PodDisruptionBudget: 'podDisruptionBudgets',
  IngressClass: 'ingressClasses',
  Certificate: 'certificates',
  Issuer: 'issuers',
  ClusterIssuer: 'clusterIssuers',
} as const satisfies Record<string, keyof ClusterSnapshot>;

export type ObjectKind = keyof typeof KIND_KEYS;
export const OBJECT_KINDS = Object.keys(KIND_KEYS) as [ObjectKind, ...ObjectKind[]];
export type ObjectOf<K extends ObjectKind> = ClusterSnapshot[(typeof KIND_KEYS)[K]][number];

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects one request asks for (a page); the list pages on with `continue` until it ends or its budget is spent. */
  limit?: number;
  continue?: string;
  /** The version of a custom resource's group to read (from API discovery); its first stable version otherwise. */
  version?: string;
  /**
   * Any recent version will do (`resourceVersion=0`): the API server answers from its watch cache, sparing etcd, and
   * may answer the whole list in one page whatever the limit (servers before 1.34 do), so only for lists the cluster's
   * shape keeps small (nodes, namespaces).
   */
  cached?: boolean;
  /** Names, labels, owners and timestamps only (PartialObjectMetadataList): for reads that need no spec or status. */
  metadataOnly?: boolean;
}

/** The Accept header of a metadata-only list, offering the full list after it to servers without the form. */
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;q=0.9';
const acceptMetadataList: ObservableMiddleware = {
  pre: (context) => {
    context.setHeaderParam('Accept', METADATA_LIST);
    return new Observable(Promise.resolve(context));
  },
  post: (response) => new Observable(Promise.resolve(response)),
};
const metadataOnlyRequest: ConfigurationOptions = {
  middleware: [acceptMetadataList],
  middlewareMergeStrategy: 'append',
};

/** Per-request client options: the Accept header of a metadata-only list. */
const form = (options: ListOptions): ConfigurationOptions | undefined =>
  options.metadataOnly ? metadataOnlyRequest : undefined;

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  networking: NetworkingV1Api;
  policy: PolicyV1Api;
  autoscaling: AutoscalingV2Api;
  rbac: RbacAuthorizationV1Api;
  admission: AdmissionregistrationV1Api;
  custom: CustomObjectsApi;
  apis: ApisApi;
}

interface KindAccess {
  apiVersion: string;
  namespaced: boolean;
  /** Custom resources are listed as whole objects whatever `metadataOnly` says. */
  list(apis: Apis, options: ListOptions): Promise<KubeList>;
  read(apis: Apis, namespace: string, name: string): Promise<unknown>;
}

interface KubeList {
  items: unknown[];
  metadata?: { _continue?: string; remainingItemCount?: number };
}

type Query = Pick<ListOptions, 'labelSelector' | 'fieldSelector' | 'limit'> & {
  _continue?: string;
  resourceVersion?: string;
};
const query = ({ labelSelector, fieldSelector, limit, continue: token, cached }: ListOptions): Query => ({
  labelSelector,
  fieldSelector,
  limit,
  _continue: token,
  // The API server refuses a resourceVersion next to a continue token: the token carries the version.
  ...(cached && !token ? { resourceVersion: '0' } : {}),
});

/** A namespaced kind: namespace-scoped list when a namespace is given, cluster-wide only when asked without one. */
function namespaced(
  apiVersion: string,
  inNamespace: (apis: Apis, args: Query & { namespace: string }, config?: ConfigurationOptions) => Promise<KubeList>,
  everywhere: (apis: Apis, args: Query, config?: ConfigurationOptions) => Promise<KubeList>,
  read: (apis: Apis, args: { namespace: string; name: string }) => Promise<unknown>,
): KindAccess {
  return {
    apiVersion,
    namespaced: true,
    list: (apis, options) =>
      options.namespace
        ? inNamespace(apis, { ...query(options), namespace: options.namespace }, form(options))
        : everywhere(apis, query(options), form(options)),
    read: (apis, namespace, name) => read(apis, { namespace, name }),
  };
}

/** Custom resources the engine reads (when discovery shows them served), with the schema that checks their fields. */
const CUSTOM_APIS = { ...ROUTING_APIS, ...CERTIFICATE_APIS };
const CUSTOM_SCHEMAS = { ...ROUTING_SCHEMAS, ...CERTIFICATE_SCHEMAS };

/** The kind read here with its own schema (a routing or cert-manager API) that a group and plural name, if any. */
export function typedCustomKind(resource: { group: string; plural: string }): ObjectKind | undefined {
  return (Object.keys(CUSTOM_APIS) as CustomKind[]).find(
    (kind) => CUSTOM_APIS[kind].group === resource.group && CUSTOM_APIS[kind].plural === resource.plural,
  );
}
type CustomKind = keyof typeof CUSTOM_APIS;

/** A custom resource, read at the version discovery found (its group's first stable version otherwise). */
function custom(kind: CustomKind, fallbackVersion: string): KindAccess {
  const { group, plural } = CUSTOM_APIS[kind];
  const namespaced = !('namespaced' in CUSTOM_APIS[kind]) || (CUSTOM_APIS[kind] as { namespaced: boolean }).namespaced;
  const at = (version: string | undefined) => ({ group, version: version ?? fallbackVersion, plural });
  // Untyped JSON: the continue token is `continue`, where the typed models say `_continue`.
  const typed = (list: unknown): KubeList => {
    const { items = [], metadata } = list as {
      items?: unknown[];
      metadata?: { continue?: string; remainingItemCount?: number };
    };
    return { items, metadata: { _continue: metadata?.continue, remainingItemCount: metadata?.remainingItemCount } };
  };
  return {
    apiVersion: `${group}/${fallbackVersion}`,
    namespaced,
    list: async (apis, options) =>
      typed(
        options.namespace && namespaced
          ? await apis.custom.listNamespacedCustomObject({
              ...at(options.version),
              ...query(options),
              namespace: options.namespace,
            })
          : await apis.custom.listClusterCustomObject({ ...at(options.version), ...query(options) }),
      ),
    read: (apis, namespace, name) =>
      namespaced
        ? apis.custom.getNamespacedCustomObject({ ...at(undefined), namespace, name })
        : apis.custom.getClusterCustomObject({ ...at(undefined), name }),
  };
}

const ACCESS: Record<ObjectKind, KindAccess> = {
  Namespace: {
    apiVersion: 'v1',
    namespaced: false,
    list: (apis, options) => apis.core.listNamespace(query(options), form(options)),
    read: (apis, _namespace, name) => apis.core.readNamespace({ name }),
  },
  Node: {
    apiVersion: 'v1',
    namespaced: false,
    list: (apis, options) => apis.core.listNode(query(options), form(options)),
    read: (apis, _namespace, name) => apis.core.readNode({ name }),
  },
  Pod: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedPod(q, c),
    (a, q, c) => a.core.listPodForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedPod(q),
  ),
  Deployment: namespaced(
    'apps/v1',
    (a, q, c) => a.apps.listNamespacedDeployment(q, c),
    (a, q, c) => a.apps.listDeploymentForAllNamespaces(q, c),
    (a, q) => a.apps.readNamespacedDeployment(q),
  ),
  ReplicaSet: namespaced(
    'apps/v1',
    (a, q, c) => a.apps.listNamespacedReplicaSet(q, c),
    (a, q, c) => a.apps.listReplicaSetForAllNamespaces(q, c),
    (a, q) => a.apps.readNamespacedReplicaSet(q),
  ),
  StatefulSet: namespaced(
    'apps/v1',
    (a, q, c) => a.apps.listNamespacedStatefulSet(q, c),
    (a, q, c) => a.apps.listStatefulSetForAllNamespaces(q, c),
    (a, q) => a.apps.readNamespacedStatefulSet(q),
  ),
  DaemonSet: namespaced(
    'apps/v1',
    (a, q, c) => a.apps.listNamespacedDaemonSet(q, c),
    (a, q, c) => a.apps.listDaemonSetForAllNamespaces(q, c),
    (a, q) => a.apps.readNamespacedDaemonSet(q),
  ),
  Job: namespaced(
    'batch/v1',
    (a, q, c) => a.batch.listNamespacedJob(q, c),
    (a, q, c) => a.batch.listJobForAllNamespaces(q, c),
    (a, q) => a.batch.readNamespacedJob(q),
  ),
  CronJob: namespaced(
    'batch/v1',
    (a, q, c) => a.batch.listNamespacedCronJob(q, c),
    (a, q, c) => a.batch.listCronJobForAllNamespaces(q, c),
    (a, q) => a.batch.readNamespacedCronJob(q),
  ),
  Service: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedService(q, c),
    (a, q, c) => a.core.listServiceForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedService(q),
  ),
  Endpoints: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedEndpoints(q, c),
    (a, q, c) => a.core.listEndpointsForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedEndpoints(q),
  ),
  ConfigMap: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedConfigMap(q, c),
    (a, q, c) => a.core.listConfigMapForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedConfigMap(q),
  ),
  Secret: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedSecret(q, c),
    (a, q, c) => a.core.listSecretForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedSecret(q),
  ),
  Event: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedEvent(q, c),
    (a, q, c) => a.core.listEventForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedEvent(q),
  ),
  NetworkPolicy: namespaced(
    'networking.k8s.io/v1',
    (a, q, c) => a.networking.listNamespacedNetworkPolicy(q, c),
    (a, q, c) => a.networking.listNetworkPolicyForAllNamespaces(q, c),
    (a, q) => a.networking.readNamespacedNetworkPolicy(q),
  ),
  PersistentVolumeClaim: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedPersistentVolumeClaim(q, c),
    (a, q, c) => a.core.listPersistentVolumeClaimForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedPersistentVolumeClaim(q),
  ),
  ResourceQuota: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedResourceQuota(q, c),
    (a, q, c) => a.core.listResourceQuotaForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedResourceQuota(q),
  ),
  LimitRange: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedLimitRange(q, c),
    (a, q, c) => a.core.listLimitRangeForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedLimitRange(q),
  ),
  ServiceAccount: namespaced(
    'v1',
    (a, q, c) => a.core.listNamespacedServiceAccount(q, c),
    (a, q, c) => a.core.listServiceAccountForAllNamespaces(q, c),
    (a, q) => a.core.readNamespacedServiceAccount(q),
  ),
  HorizontalPodAutoscaler: namespaced(
    'autoscaling/v2',
    (a, q, c) => a.autoscaling.listNamespacedHorizontalPodAutoscaler(q, c),
    (a, q, c) => a.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(q, c),
    (a, q) => a.autoscaling.readNamespacedHorizontalPodAutoscaler(q),
  ),
  Ingress: namespaced(
    'networking.k8s.io/v1',
    (a, q, c) => a.networking.listNamespacedIngress(q, c),
    (a, q, c) => a.networking.listIngressForAllNamespaces(q, c),
    (a, q) => a.networking.readNamespacedIngress(q),
  ),
  Role: namespaced(
    'rbac.authorization.k8s.io/v1',
    (a, q, c) => a.rbac.listNamespacedRole(q, c),
    (a, q, c) => a.rbac.listRoleForAllNamespaces(q, c),
    (a, q) => a.rbac.readNamespacedRole(q),
  ),
  RoleBinding: namespaced(
    'rbac.authorization.k8s.io/v1',
    (a, q, c) => a.rbac.listNamespacedRoleBinding(q, c),
    (a, q, c) => a.rbac.listRoleBindingForAllNamespaces(q, c),
    (a, q) => a.rbac.readNamespacedRoleBinding(q),
  ),
  ValidatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    namespaced: false,
    list: (apis, options) => apis.admission.listValidatingWebhookConfiguration(query(options), form(options)),
    read: (apis, _namespace, name) => apis.admission.readValidatingWebhookConfiguration({ name }),
  },
  MutatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    namespaced: false,
    list: (apis, options) => apis.admission.listMutatingWebhookConfiguration(query(options), form(options)),
    read: (apis, _namespace, name) => apis.admission.readMutatingWebhookConfiguration({ name }),
  },
  VirtualService: custom('VirtualService', 'v1'),
  DestinationRule: custom('DestinationRule', 'v1'),
  HTTPRoute: custom('HTTPRoute', 'v1'),
  ServiceEntry: custom('ServiceEntry', 'v1'),
  Certificate: custom('Certificate', 'v1'),
  Issuer: custom('Issuer', 'v1'),
  ClusterIssuer: custom('ClusterIssuer', 'v1'),
  PodDisruptionBudget: namespaced(
    'policy/v1',
    (a, q, c) => a.policy.listNamespacedPodDisruptionBudget(q, c),
    (a, q, c) => a.policy.listPodDisruptionBudgetForAllNamespaces(q, c),
    (a, q) => a.policy.readNamespacedPodDisruptionBudget(q),
  ),
  IngressClass: {
    apiVersion: 'networking.k8s.io/v1',
    namespaced: false,
    list: (apis, options) => apis.networking.listIngressClass(query(options), form(options)),
    read: (apis, _namespace, name) => apis.networking.readIngressClass({ name }),
  },
};

export const isNamespaced = (kind: ObjectKind): boolean => ACCESS[kind].namespaced;

const clients = new WeakMap<KubeConfig, Apis>();

function apisFor(kubeConfig: KubeConfig): Apis {
  let apis = clients.get(kubeConfig);
  if (!apis) {
    apis = {
      core: makeSharedApiClient(kubeConfig, CoreV1Api),
      apps: makeSharedApiClient(kubeConfig, AppsV1Api),
      batch: makeSharedApiClient(kubeConfig, BatchV1Api),
      networking: makeSharedApiClient(kubeConfig, NetworkingV1Api),
      policy: makeSharedApiClient(kubeConfig, PolicyV1Api),
      autoscaling: makeSharedApiClient(kubeConfig, AutoscalingV2Api),
      rbac: makeSharedApiClient(kubeConfig, RbacAuthorizationV1Api),
      admission: makeSharedApiClient(kubeConfig, AdmissionregistrationV1Api),
      custom: makeSharedApiClient(kubeConfig, CustomObjectsApi),
      apis: makeSharedApiClient(kubeConfig, ApisApi),
    };
    clients.set(kubeConfig, apis);
  }
  return apis;
}

export const coreApi = (kubeConfig: KubeConfig): CoreV1Api => apisFor(kubeConfig).core;

// The client's last-applied annotation repeats a Secret's data in clear; it goes with the values.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Secret reduced to its key names, before anything else can hold on to the values. The values go only to the
 * redaction policy, so that a credential an application prints in a log line is masked wherever it would go out.
 */
function secretShape(secret: V1Secret): SecretShape {
  const { data, stringData, ...rest } = secret;
  learnSecretValues([
    ...Object.values(data ?? {}).map((encoded) => Buffer.from(encoded, 'base64').toString('utf8')),
    ...Object.values(stringData ?? {}),
  ]);
  const keys = [...new Set([...Object.keys(data ?? {}), ...Object.keys(stringData ?? {})])].sort();
  const values: [string, string][] = [
    ...Object.entries(data ?? {}).map(([key, encoded]): [string, string] => [
      key,
      Buffer.from(encoded, 'base64').toString('utf8'),
    ]),
    ...Object.entries(stringData ?? {}),
  ];
  const hosts = Object.fromEntries(
    values.map(([key, value]) => [key, clusterHostsIn(value)] as const).filter(([, named]) => named.length > 0),
  );
  const shape = toJson(rest) as SecretShape;
  if (Object.keys(hosts).length > 0) shape.hosts = hosts;
  if (shape.metadata?.annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _values, ...annotations } = shape.metadata.annotations;
    shape.metadata.annotations = annotations;
  }
  return { ...shape, keys };
}

/** The client's model object as plain JSON: Dates become RFC 3339 strings, unset fields disappear. */
function toJson(object: unknown): unknown {
  return JSON.parse(JSON.stringify(object));
}

type Json = Record<string, unknown>;

/** Gives back the JSON names of the fields the client's models rename (reserved words in TypeScript). */
function renameReserved(kind: ObjectKind, object: Json): Json {
  const spec = object.spec as Json | undefined;
  const rename = (items: unknown, from: string, to: string) => {
    for (const item of (items as Json[] | undefined) ?? []) {
      if (from in item) {
        item[to] = item[from];
        delete item[from];
      }
    }
  };
  if (kind === 'NetworkPolicy') rename(spec?.ingress, '_from', 'from');
  if (kind === 'LimitRange') rename(spec?.limits, '_default', 'default');
  return object;
}

const isCustom = (kind: ObjectKind): kind is CustomKind => kind in CUSTOM_SCHEMAS;

function plain<K extends ObjectKind>(kind: K, object: unknown): ObjectOf<K> {
  return sized(kind, object).object;
}

/** The object as plain JSON, and how many bytes of JSON it is (what holding it costs, near enough). */
function sized<K extends ObjectKind>(kind: K, object: unknown): { object: ObjectOf<K>; bytes: number } {
  // A custom resource keeps the version it was served at; its fields are checked, not trusted (a malformed one keeps
  // only its identity, so nothing is concluded from fields it does not have).
  if (isCustom(kind)) {
    const parsed = CUSTOM_SCHEMAS[kind].safeParse(object);
    const checked = parsed.success ? parsed.data : { metadata: (object as { metadata?: unknown } | null)?.metadata };
    return { object: { ...checked, kind } as ObjectOf<K>, bytes: JSON.stringify(object).length };
  }
  if (kind === 'Secret') {
    const json = secretShape(object as V1Secret) as Json;
    return {
      object: { ...json, apiVersion: ACCESS[kind].apiVersion, kind } as ObjectOf<K>,
      bytes: JSON.stringify(object).length,
    };
  }
  // The client's model (Dates, renamed keys) as the JSON it stands for, weighed without writing that JSON out.
  const plain = plainJson(object);
  const json = renameReserved(kind, plain.object as Json);
  return { object: { ...json, apiVersion: ACCESS[kind].apiVersion, kind } as ObjectOf<K>, bytes: plain.bytes };
}

/**
 * How a kind is best listed. Namespaces are read for their names and labels (whether one exists, which ones a policy
 * selects; a terminating one shows it in metadata.deletionTimestamp): metadata only, from the API server's cache. Their
 * number is the cluster's shape, not its load, so a whole list in one page stays small.
 */
const READ_AS: Partial<Record<ObjectKind, Pick<ListOptions, 'cached' | 'metadataOnly'>>> = {
  Namespace: { cached: true, metadataOnly: true },
};

/** Why a list stopped before its end. */
export type StoppedBy = 'limit' | 'bytes' | 'time';

export interface ObjectList<K extends ObjectKind> {
  items: ObjectOf<K>[];
  /** Every object the query selects was read: only then does an object missing from `items` not exist. */
  complete: boolean;
  /** When not complete: what stopped the read, and how many objects were left unread if the server said. */
  stoppedBy?: StoppedBy;
  unread?: number;
  /** API requests the list took (one per page, one more when a page's continue token had expired). */
  requests: number;
}

/** What one list may spend before it stops paging and says it is incomplete. */
export interface ListBudget {
  /** Bytes of JSON the objects read may add up to. */
  bytes: number;
  /** Milliseconds from the first request after which no further page is asked for. */
  ms: number;
  /** Objects the caller wants at most (the agent narrowing its own reads); absent: all of them. */
  objects?: number;
}

export const LIST_BUDGET: ListBudget = { bytes: 48 * 1024 * 1024, ms: 10_000 };
/**
 * The first page asks for a thousand objects: most lists end within it, in one request, and even objects of 20 KB keep
 * it well inside the byte budget before their size is known; later pages are sized from the bytes per object it showed.
 */
const FIRST_PAGE = 1_000;
/** No page asks for more than this, so one response stays a size the API server serves without strain. */
const MAX_PAGE = 5_000;

/** A request the API server does not answer in time fails, so one stuck call cannot hold the investigation. */
const REQUEST_TIMEOUT_MS = 15_000;

export function withTimeout<T>(request: Promise<T>, what: string, ms = REQUEST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Lists a kind to its end, page by page (`limit` + `continue`), within a budget of bytes and time rather than a count:
 * the first page is small, the next ones ask for what is left (the server's remainingItemCount) as far as the bytes
 * per object seen so far allow. A continue token that expired (410: the server compacted the revision the list began
 * at) restarts the list once, for a consistent read, as client-go's pager does. Stopping early is said in the answer.
 */
export async function listKind<K extends ObjectKind>(
  kubeConfig: KubeConfig,
  kind: K,
  asked: ListOptions,
  budget: ListBudget = LIST_BUDGET,
): Promise<ObjectList<K>> {
  const options = { ...asked, ...READ_AS[kind] };
  const started = Date.now();
  const apis = apisFor(kubeConfig);
  const wanted = budget.objects ?? Number.POSITIVE_INFINITY;
  let items: ObjectOf<K>[] = [];
  let bytes = 0;
  let requests = 0;
  let restarted = false;
  let token: string | undefined;
  let limit = Math.min(options.limit ?? FIRST_PAGE, wanted, MAX_PAGE);
  for (;;) {
    let page: KubeList;
    try {
      requests++;
      page = await withTimeout(ACCESS[kind].list(apis, { ...options, limit, continue: token }), `list ${kind}`);
    } catch (error) {
      if (statusOf(error) !== 410 || restarted || !token) throw error;
      restarted = true;
      items = [];
      bytes = 0;
      token = undefined;
      continue;
    }
    for (const item of page.items) {
      const read = sized(kind, item);
      items.push(read.object);
      bytes += read.bytes;
    }
    token = page.metadata?._continue || undefined;
    if (!token) return { items, complete: true, requests };
    const left = page.metadata?.remainingItemCount;
    const perObject = bytes / Math.max(1, items.length);
    const affordable = Math.floor((budget.bytes - bytes) / perObject);
    const stoppedBy: StoppedBy | undefined =
      items.length >= wanted
        ? 'limit'
        : affordable < 1
          ? 'bytes'
          : Date.now() - started >= budget.ms
            ? 'time'
            : undefined;
    if (stoppedBy)
      return { items, complete: false, stoppedBy, ...(left !== undefined ? { unread: left } : {}), requests };
    // What is left when the server says (an unfiltered list), else four times the last page.
    const next = left !== undefined && left > 0 ? left : limit * 4;
    limit = Math.max(1, Math.min(next, affordable, wanted - items.length, MAX_PAGE));
  }
}

/** The object, or null when the API server says it does not exist. */
export async function readKind<K extends ObjectKind>(
  kubeConfig: KubeConfig,
  kind: K,
  namespace: string,
  name: string,
): Promise<ObjectOf<K> | null> {
  try {
    return plain(kind, await withTimeout(ACCESS[kind].read(apisFor(kubeConfig), namespace, name), `get ${kind}`));
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** The HTTP status of a client-node ApiException, if that is what was thrown. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
const TRANSPORT_FAILURE = /fetch failed|socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|no answer within/;

/**
 * The API server could not be reached or said it is overloaded: evidence read now would be missing for no reason of
 * the incident's, so the investigation is retried later rather than concluded from nothing.
 */
export function clusterUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return TRANSIENT_STATUSES.has(status);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const text = `${error instanceof Error ? error.message : String(error)} ${String(cause?.code ?? '')} ${String(cause?.message ?? '')}`;
  return TRANSPORT_FAILURE.test(text);
}

/**
 * Aggregated discovery (Kubernetes 1.30 GA): one GET /apis answers every group with its resources, kinds and scope;
 * offered first, the plain group list after it for servers without it.
 */
const AGGREGATED_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9';

const AggregatedDiscovery = z.object({
  kind: z.literal('APIGroupDiscoveryList'),
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string() }),
      versions: z
        .array(
          z.object({
            version: z.string(),
            resources: z
              .array(
                z.object({
                  resource: z.string(),
                  responseKind: z.object({ kind: z.string() }).partial().optional(),
                  scope: z.string().optional(),
                }),
              )
              .optional(),
          }),
        )
        .min(1),
    }),
  ),
});

/** Asks GET /apis for aggregated discovery and keeps the raw answer, which the typed group list would cut down. */
function aggregatedRequest(): { options: ConfigurationOptions; raw: () => string | undefined } {
  let raw: string | undefined;
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setHeaderParam('Accept', AGGREGATED_DISCOVERY);
      return new Observable(Promise.resolve(context));
    },
    post: (response) =>
      new Observable(
        response.body.text().then((text) => {
          raw = text;
          const body = { text: async () => text, binary: async () => Buffer.from(text), stream: () => null };
          return new ResponseContext(response.httpStatusCode, response.headers, body);
        }),
      ),
  };
  return { options: { middleware: [middleware], middlewareMergeStrategy: 'append' }, raw: () => raw };
}

/**
 * The API groups the cluster serves and the version it prefers for each (GET /apis, one request); with aggregated
 * discovery, also the resources of that version (kind, plural, scope), so that any custom resource can be read by
 * what the server says of it, never assumed.
 */
export async function servedGroups(kubeConfig: KubeConfig): Promise<ServedGroup[]> {
  const request = aggregatedRequest();
  const list = await withTimeout(apisFor(kubeConfig).apis.getAPIVersions({}, request.options), 'discover APIs');
  const aggregated = AggregatedDiscovery.safeParse(JSON.parse(request.raw() ?? 'null'));
  if (aggregated.success) {
    return aggregated.data.items.map(({ metadata, versions }) => {
      // A kind may be served only at a version other than the preferred one (a group's newer kinds): each resource
      // is kept at the first version that serves it, in the server's order of preference.
      const resources = new Map<string, ServedResource>();
      for (const { version, resources: served = [] } of versions) {
        for (const resource of served) {
          const kind = resource.responseKind?.kind;
          if (!kind || resource.resource.includes('/') || resources.has(resource.resource)) continue;
          const namespaced = resource.scope !== 'Cluster';
          resources.set(resource.resource, { kind, plural: resource.resource, namespaced, version });
        }
      }
      return {
        group: metadata.name,
        version: (versions[0] as (typeof versions)[number]).version,
        resources: [...resources.values()],
      };
    });
  }
  return (list.groups ?? []).flatMap((group) => {
    const version = group.preferredVersion?.version ?? group.versions[0]?.version;
    return version ? [{ group: group.name, version }] : [];
  });
}

/** Custom resources a namespace holds are few: one page; a longer list says it is incomplete. */
const CUSTOM_PAGE = 500;

/**
 * The custom resources of one served kind in a namespace (or of a cluster-scoped kind, without one), read at the
 * version discovery found (one request).
 */
export async function listCustomObjects(
  kubeConfig: KubeConfig,
  where: { group: string; version: string; plural: string; namespace?: string },
): Promise<{ items: CustomObject[]; complete: boolean }> {
  const { custom } = apisFor(kubeConfig);
  const { namespace, ...resource } = where;
  const list = (await withTimeout(
    namespace
      ? custom.listNamespacedCustomObject({ ...resource, namespace, limit: CUSTOM_PAGE })
      : custom.listClusterCustomObject({ ...resource, limit: CUSTOM_PAGE }),
    `list ${where.plural}.${where.group}`,
  )) as { items?: unknown[]; metadata?: { continue?: string } };
  const items = (list.items ?? []).flatMap((item) => {
    const parsed = CustomObjectSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  return { items, complete: !list.metadata?.continue };
}

import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { z } from 'zod';
import { CERTIFICATE_APIS, CERTIFICATE_SCHEMAS } from '../evidence/certificates.ts';
import { type CustomObject, CustomObjectSchema } from '../evidence/custom-object.ts';
import { ROUTING_APIS, ROUTING_SCHEMAS, type ServedGroup, type ServedResource } from '../evidence/routing-objects.ts';
import { getJson, getList } from '../../kube/shared-connections.ts';
import { withTimeout } from '../../kube/timeout.ts';
import { learnSecretValues } from '../../redaction/policy.ts';
import { modelJson } from './model-json.ts';
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
  ClusterRole: 'clusterRoles',
  ClusterRoleBinding: 'clusterRoleBindings',
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
/**
 * Secrets get no such fallback: a server without the form answers 406 and the read is noted as refused, rather than
 * sending every value of the namespace over the wire.
 */
const SECRET_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

interface KindAccess {
  /** The group's version the engine reads it at ('v1' for the core group); a custom resource's first stable one. */
  apiVersion: string;
  group: string;
  plural: string;
  namespaced: boolean;
  /**
   * The client-node model its JSON is read as (model-json.ts: the fields, names and times the engine was written
   * against); none for a custom resource, read as served and checked by its schema. Custom resources are listed as
   * whole objects whatever `metadataOnly` says.
   */
  model?: string;
}

/** A list as read: its items were handed on one by one (listRequest), its metadata says whether and how it goes on. */
interface KubeList {
  metadata?: { continue?: string; remainingItemCount?: number };
}

/** The path of a kind's collection at a version: in a namespace when given (a namespaced kind), else cluster-wide. */
function collectionPath(access: KindAccess, version: string, namespace: string | undefined): string {
  const at = encodeURIComponent(version);
  const base = access.group === '' ? `/api/${at}` : `/apis/${encodeURIComponent(access.group)}/${at}`;
  const plural = encodeURIComponent(access.plural);
  return access.namespaced && namespace !== undefined
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}`
    : `${base}/${plural}`;
}

const versionOf = (apiVersion: string) => apiVersion.slice(apiVersion.indexOf('/') + 1);

/** One page of a list, each item handed to `each` as it arrives. */
function listRequest(
  kubeConfig: KubeConfig,
  access: KindAccess,
  options: ListOptions,
  each: (item: unknown) => void,
  signal: AbortSignal,
): Promise<KubeList> {
  const { labelSelector, fieldSelector, limit, continue: token, cached, version } = options;
  const path = collectionPath(
    access,
    (access.model ? undefined : version) ?? versionOf(access.apiVersion),
    options.namespace || undefined,
  );
  return getList(
    kubeConfig,
    path,
    {
      continue: token,
      fieldSelector,
      labelSelector,
      limit,
      // The API server refuses a resourceVersion next to a continue token: the token carries the version.
      resourceVersion: cached && !token ? '0' : undefined,
    },
    { accept: metadataAccept(access, options), signal },
    each,
  );
}

function metadataAccept(access: KindAccess, options: ListOptions): string | undefined {
  if (!options.metadataOnly || !access.model) return undefined;
  return access.plural === 'secrets' && access.group === '' ? SECRET_METADATA_LIST : METADATA_LIST;
}

function readRequest(
  kubeConfig: KubeConfig,
  access: KindAccess,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<unknown> {
  const collection = collectionPath(access, versionOf(access.apiVersion), namespace);
  return getJson(kubeConfig, `${collection}/${encodeURIComponent(name)}`, {}, { signal });
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
  return { apiVersion: `${group}/${fallbackVersion}`, group, plural, namespaced };
}

const core = (plural: string, model: string, namespaced = true): KindAccess => ({
  apiVersion: 'v1',
  group: '',
  plural,
  namespaced,
  model,
});
const grouped = (apiVersion: string, plural: string, model: string, namespaced = true): KindAccess => ({
  apiVersion,
  group: apiVersion.slice(0, apiVersion.indexOf('/')),
  plural,
  namespaced,
  model,
});

const ACCESS: Record<ObjectKind, KindAccess> = {
  Namespace: core('namespaces', 'V1Namespace', false),
  Node: core('nodes', 'V1Node', false),
  Pod: core('pods', 'V1Pod'),
  Deployment: grouped('apps/v1', 'deployments', 'V1Deployment'),
  ReplicaSet: grouped('apps/v1', 'replicasets', 'V1ReplicaSet'),
  StatefulSet: grouped('apps/v1', 'statefulsets', 'V1StatefulSet'),
  DaemonSet: grouped('apps/v1', 'daemonsets', 'V1DaemonSet'),
  Job: grouped('batch/v1', 'jobs', 'V1Job'),
  CronJob: grouped('batch/v1', 'cronjobs', 'V1CronJob'),
  Service: core('services', 'V1Service'),
  Endpoints: core('endpoints', 'V1Endpoints'),
  ConfigMap: core('configmaps', 'V1ConfigMap'),
  Secret: core('secrets', 'V1Secret'),
  Event: core('events', 'CoreV1Event'),
  NetworkPolicy: grouped('networking.k8s.io/v1', 'networkpolicies', 'V1NetworkPolicy'),
  PersistentVolumeClaim: core('persistentvolumeclaims', 'V1PersistentVolumeClaim'),
  ResourceQuota: core('resourcequotas', 'V1ResourceQuota'),
  LimitRange: core('limitranges', 'V1LimitRange'),
  ServiceAccount: core('serviceaccounts', 'V1ServiceAccount'),
  HorizontalPodAutoscaler: grouped('autoscaling/v2', 'horizontalpodautoscalers', 'V2HorizontalPodAutoscaler'),
  Ingress: grouped('networking.k8s.io/v1', 'ingresses', 'V1Ingress'),
  Role: grouped('rbac.authorization.k8s.io/v1', 'roles', 'V1Role'),
  RoleBinding: grouped('rbac.authorization.k8s.io/v1', 'rolebindings', 'V1RoleBinding'),
  ClusterRole: grouped('rbac.authorization.k8s.io/v1', 'clusterroles', 'V1ClusterRole', false),
  ClusterRoleBinding: grouped('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'V1ClusterRoleBinding', false),
  ValidatingWebhookConfiguration: grouped(
    'admissionregistration.k8s.io/v1',
    'validatingwebhookconfigurations',
    'V1ValidatingWebhookConfiguration',
    false,
  ),
  MutatingWebhookConfiguration: grouped(
    'admissionregistration.k8s.io/v1',
    'mutatingwebhookconfigurations',
    'V1MutatingWebhookConfiguration',
    false,
  ),
  VirtualService: custom('VirtualService', 'v1'),
  DestinationRule: custom('DestinationRule', 'v1'),
  HTTPRoute: custom('HTTPRoute', 'v1'),
  ServiceEntry: custom('ServiceEntry', 'v1'),
  Certificate: custom('Certificate', 'v1'),
  Issuer: custom('Issuer', 'v1'),
  ClusterIssuer: custom('ClusterIssuer', 'v1'),
  PodDisruptionBudget: grouped('policy/v1', 'poddisruptionbudgets', 'V1PodDisruptionBudget'),
  IngressClass: grouped('networking.k8s.io/v1', 'ingressclasses', 'V1IngressClass', false),
};

/** The client-node model each built-in kind is read as (custom resources have none). */
export const MODEL_OF = Object.fromEntries(
  Object.entries(ACCESS).flatMap(([kind, access]) => (access.model ? [[kind, access.model]] : [])),
) as Partial<Record<ObjectKind, string>>;

export const isNamespaced = (kind: ObjectKind): boolean => ACCESS[kind].namespaced;

// The client's last-applied annotation repeats a Secret's data in clear; it goes with the values.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A Secret reduced to its key names, before anything else can hold on to the values. The values go only to the
 * redaction policy, so that a credential an application prints in a log line is masked wherever it would go out.
 */
function secretShape(secret: V1Secret): SecretShape {
  const { data, stringData, ...rest } = secret;
  const values: [string, string][] = [
    ...Object.entries(data ?? {}).map(([key, encoded]): [string, string] => [
      key,
      Buffer.from(encoded, 'base64').toString('utf8'),
    ]),
    ...Object.entries(stringData ?? {}),
  ];
  learnSecretValues(values.map(([, value]) => value));
  const keys = [...new Set([...Object.keys(data ?? {}), ...Object.keys(stringData ?? {})])].sort();
  const hosts = Object.fromEntries(
    values.map(([key, value]) => [key, clusterHostsIn(value)] as const).filter(([, named]) => named.length > 0),
  );
  const shape = rest as SecretShape;
  if (Object.keys(hosts).length > 0) shape.hosts = hosts;
  if (shape.metadata?.annotations?.[LAST_APPLIED]) {
    const { [LAST_APPLIED]: _values, ...annotations } = shape.metadata.annotations;
    shape.metadata.annotations = annotations;
  }
  return { ...shape, keys };
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
  // The JSON read as the client's model would have it (its fields, names and Date times), weighed as it is walked.
  const model = modelJson(object, ACCESS[kind].model as string);
  if (kind === 'Secret') {
    const json = secretShape(model.object as V1Secret) as Json;
    return { object: { ...json, apiVersion: ACCESS[kind].apiVersion, kind } as ObjectOf<K>, bytes: model.bytes };
  }
  const json = renameReserved(kind, model.object as Json);
  return { object: { ...json, apiVersion: ACCESS[kind].apiVersion, kind } as ObjectOf<K>, bytes: model.bytes };
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
  const wanted = budget.objects ?? Number.POSITIVE_INFINITY;
  let items: ObjectOf<K>[] = [];
  let bytes = 0;
  let requests = 0;
  let restarted = false;
  let token: string | undefined;
  let limit = Math.min(options.limit ?? FIRST_PAGE, wanted, MAX_PAGE);
  for (;;) {
    let page: KubeList;
    // Each object is made plain as it arrives, and only the plain copies are kept (the page's JSON never is whole).
    const read: ObjectOf<K>[] = [];
    let readBytes = 0;
    const each = (item: unknown) => {
      const plain = sized(kind, item);
      read.push(plain.object);
      readBytes += plain.bytes;
    };
    try {
      requests++;
      page = await withTimeout(`list ${kind}`, (signal) =>
        listRequest(kubeConfig, ACCESS[kind], { ...options, limit, continue: token }, each, signal),
      );
    } catch (error) {
      if (statusOf(error) !== 410 || restarted || !token) throw error;
      restarted = true;
      items = [];
      bytes = 0;
      token = undefined;
      continue;
    }
    for (const object of read) items.push(object);
    bytes += readBytes;
    token = page.metadata?.continue || undefined;
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
    const object = await withTimeout(`get ${kind}`, (signal) =>
      readRequest(kubeConfig, ACCESS[kind], namespace, name, signal),
    );
    return plain(kind, object);
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

/**
 * The API groups the cluster serves and the version it prefers for each (GET /apis, one request); with aggregated
 * discovery, also the resources of that version (kind, plural, scope), so that any custom resource can be read by
 * what the server says of it, never assumed.
 */
export async function servedGroups(kubeConfig: KubeConfig): Promise<ServedGroup[]> {
  const answer = await withTimeout('discover APIs', (signal) =>
    getJson(kubeConfig, '/apis/', {}, { accept: AGGREGATED_DISCOVERY, signal }),
  );
  const aggregated = AggregatedDiscovery.safeParse(answer);
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
  const { groups = [] } = answer as {
    groups?: { name: string; preferredVersion?: { version?: string }; versions?: { version?: string }[] }[];
  };
  return groups.flatMap((group) => {
    const version = group.preferredVersion?.version ?? group.versions?.[0]?.version;
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
  const { group, version, plural, namespace } = where;
  const access: KindAccess = { apiVersion: `${group}/${version}`, group, plural, namespaced: namespace !== undefined };
  const list = (await withTimeout(`list ${where.plural}.${where.group}`, (signal) =>
    getJson(kubeConfig, collectionPath(access, version, namespace), { limit: CUSTOM_PAGE }, { signal }),
  )) as { items?: unknown[]; metadata?: { continue?: string } };
  const items = (list.items ?? []).flatMap((item) => {
    const parsed = CustomObjectSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  return { items, complete: !list.metadata?.continue };
}

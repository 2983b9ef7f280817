import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AGGREGATED_DISCOVERY,
  aggregatedGroupList,
  coreVersions,
  group,
  groupList,
  resourceList,
  wantsAggregated,
} from './discovery.ts';
import {
  type ListQuery,
  ListSnapshots,
  listResponse,
  metadataListResponse,
  page,
  partialObjectMetadata,
  select,
} from './list.ts';
import { type ContainerLog, LogStore } from './logs.ts';
import { fieldAt, isRecord, type KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';
import { selectorString } from './scale.ts';
import { parseLabelSelector } from './selectors.ts';
import {
  badRequest,
  disruptionBudgetExceeded,
  forbidden,
  type KubeStatus,
  methodNotAllowed,
  notAcceptable,
  notFound,
  pathNotFound,
  StatusError,
  unsupportedMediaType,
} from './status.ts';
import { ObjectStore } from './store.ts';
import { table, wantsMetadata, wantsTable } from './table.ts';
import { prepareWatch } from './watch.ts';
import { type DeleteOptions, PATCH_TYPES, type WriteHook, Writes } from './writes.ts';
import { errorMessage } from '../../observability/error-message.ts';

/** One request the simulated API server answered, as GET /_sim/requests lists it. */
export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The decoded body of a write. */
  body?: unknown;
  /** The Accept header when it asks for another form than the object (`as=PartialObjectMetadataList`, `as=Table`). */
  accept?: string;
  status: number;
}

/** What an authorizer is asked, in the terms of Kubernetes RBAC. */
export interface AccessRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The bearer token the client sent, if any. */
  token?: string;
}

export interface KubeApiServerOptions {
  objects: readonly KubeObject[];
  logs?: readonly ContainerLog[];
  /** The cluster clock: `sinceSeconds` and new objects' timestamps are relative to it, never to the wall clock. */
  now: Date;
  /** 0 or absent: any free port. */
  port?: number;
  /** Called after each applied write (see src/simulation/controllers.ts). */
  onWrite?: WriteHook;
  /** Absent: everything is allowed. False answers the real server's 403 Forbidden. */
  authorize?: (request: AccessRequest) => boolean;
  /**
   * A slow or stuck API server: each request is done (a write is committed) but answered only once the promise this
   * returns settles, as when the server commits and its answer is lost. A client that closes the connection meanwhile
   * is listed with status 499 (nginx's "client closed request") and not answered.
   */
  hold?: (request: { method: string; path: string }) => Promise<void>;
  /**
   * Serve the API under this path (`/x`: `/x/api/v1/pods`), as an API server behind a path-routing proxy is (a
   * kubeconfig's `server` may carry a path; client-node and kubectl keep it). A request outside it is answered 404 and
   * not listed by `requests()`: on a shared machine a port is reused as soon as it is freed, and another process still
   * calling it (a readiness check or a client retried) must not count as this server's client.
   */
  routePrefix?: string;
}

export interface KubeApiServer {
  url: string;
  /** Every request served so far (GET /_sim/requests itself excluded), oldest first. */
  requests(): KubeRequest[];
  /** Forgets the past, as etcd's periodic compaction does: continue tokens of lists begun before now answer 410. */
  compact(): void;
  close(): Promise<void>;
}

interface Call {
  method: string;
  segments: string[];
  query: Record<string, string>;
  body: unknown;
  rawBody: string;
  /** Set when a body was sent that is not JSON; a write answers it with 400. */
  malformed?: string;
  contentType: string;
  accept?: string;
  token?: string;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
  /** A watch: the response stays open and this streams its events. */
  stream?: (response: ServerResponse) => void;
}

const json = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) });
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** A Kubernetes API server over a scenario's objects, good enough for the real @kubernetes/client-node. */
export async function startKubeApiServer(options: KubeApiServerOptions): Promise<KubeApiServer> {
  const api = new KubeApi(options);
  const served: KubeRequest[] = [];
  const prefix = options.routePrefix ?? '';
  if (prefix && !/^\/[^?#]*[^/?#]$/.test(prefix))
    throw new Error(`route prefix ${prefix}: a path without a trailing /`);
  const server = createServer((request, response) => {
    const requested = request.url ?? '/';
    if (prefix && !(requested.startsWith(`${prefix}/`) || requested.startsWith(`${prefix}?`) || requested === prefix)) {
      request.resume();
      return send(response, errorReply(pathNotFound()));
    }
    readCall(request, prefix)
      .then(async (call) => {
        if (call.method === 'GET' && call.segments.join('/') === '_sim/requests') {
          return send(response, json(served));
        }
        const path = `/${call.segments.join('/')}`;
        const listed = (status: number) =>
          served.push({
            method: call.method,
            path,
            query: call.query,
            ...(WRITES.has(call.method) && call.rawBody ? { body: call.body ?? call.rawBody } : {}),
            ...(call.accept?.includes('as=') ? { accept: call.accept } : {}),
            status,
          });
        const reply = api.answer(call);
        if (options.hold && (await heldUntilClosed(response, options.hold({ method: call.method, path })))) {
          return listed(CLIENT_CLOSED_REQUEST);
        }
        listed(reply.status);
        send(response, reply);
      })
      .catch((error: unknown) => send(response, errorReply(error)));
  });
  // Like kube-apiserver, an idle keep-alive connection is never closed by the server, only by its client: a server
  // that closes one (Node's default after 5 s) races a client sending its next request on it, which then fails with
  // ECONNRESET — in one busy process serving its own investigation, the client's idle timer runs late.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  api.address = `127.0.0.1:${port}`;
  return {
    url: `http://${api.address}${prefix}`,
    requests: () => served.map((entry) => ({ ...entry })),
    compact: () => api.compact(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** What a request the client gave up on is listed with (nginx's code for it): no answer was sent. */
const CLIENT_CLOSED_REQUEST = 499;

/** Waits for `held`; true when the client closed the connection first (the request is not to be answered). */
function heldUntilClosed(response: ServerResponse, held: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const closed = () => resolve(true);
    response.once('close', closed);
    const answer = () => {
      response.removeListener('close', closed);
      resolve(false);
    };
    held.then(answer, answer);
  });
}

/** The resource a request path names, once its group, version, namespace and name are resolved. */
interface Target {
  resource: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** The API server's answers, request by request: discovery, then collections, subresources and single objects. */
class KubeApi {
  /** host:port, known once the server listens (discovery documents carry it). */
  address = '';
  private readonly store: ObjectStore;
  private readonly logs: LogStore;
  private readonly writes: Writes;
  private readonly snapshots = new ListSnapshots();

  constructor(private readonly options: KubeApiServerOptions) {
    this.store = new ObjectStore(options.objects);
    this.logs = new LogStore(options.logs ?? [], options.now);
    const stamp = () => options.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.writes = new Writes(this.store, stamp, options.onWrite);
  }

  /** Forgets the past, between writes: the current revision stays readable, older ones are gone. */
  compact(): void {
    this.snapshots.compact(this.store.nextResourceVersion());
  }

  /** The reply to one call; a Kubernetes Status error becomes its status reply. */
  answer(call: Call): Reply {
    try {
      return this.route(call);
    } catch (error) {
      return errorReply(error);
    }
  }

  private route(call: Call): Reply {
    if (call.malformed && WRITES.has(call.method)) throw badRequest(call.malformed);
    const [root, ...rest] = call.segments;
    if (call.method === 'GET' && call.segments.length === 1) {
      const reply = this.discoveryRoot(root, call.accept);
      if (reply) return reply;
    }
    if (root === 'api' && rest[0] === 'v1') return this.resourceCall(call, '', 'v1', rest.slice(1));
    if (root === 'apis' && rest.length === 1 && call.method === 'GET') {
      const found = group(this.store.resources, rest[0]!);
      if (found) return json(found);
    }
    if (root === 'apis' && rest.length >= 2) return this.resourceCall(call, rest[0]!, rest[1]!, rest.slice(2));
    throw pathNotFound();
  }

  private discoveryRoot(root: string | undefined, accept: string | undefined): Reply | undefined {
    if (root === 'api') return json(coreVersions(this.address));
    if (root === 'apis' && wantsAggregated(accept)) {
      return { ...json(aggregatedGroupList(this.store.resources)), contentType: AGGREGATED_DISCOVERY };
    }
    if (root === 'apis') return json(groupList(this.store.resources));
    if (root === 'version')
      return json({ major: '1', minor: '31', gitVersion: 'v1.31.0-sim', platform: 'linux/amd64' });
    if (root === 'healthz' || root === 'livez' || root === 'readyz') {
      return { status: 200, body: 'ok', contentType: 'text/plain' };
    }
    return undefined;
  }

  private resourceCall(call: Call, apiGroup: string, version: string, path: string[]): Reply {
    if (path.length === 0) {
      const list = call.method === 'GET' ? resourceList(this.store.resources, apiGroup, version) : undefined;
      if (!list) throw pathNotFound();
      return json(list);
    }
    const target = this.resolve(apiGroup, version, path);
    this.authorize(call, target);
    const { resource, namespace, name, subresource } = target;
    if ((call.query.watch === 'true' || call.query.watch === '1') && call.method === 'GET' && name === undefined) {
      return { status: 200, body: '', stream: prepareWatch(this.store, { resource, namespace, query: call.query }) };
    }
    const dryRun = dryRunOf(call.query);
    if (name === undefined) return this.collectionCall(call, target, dryRun);
    if (subresource === 'log') {
      if (call.method !== 'GET') throw methodNotAllowed();
      return this.podLog(resource, namespace, name, call.query);
    }
    if (subresource === 'scale' && SCALABLE.has(resource.kind)) return this.scaleCall(call, target, name, dryRun);
    if (subresource === 'eviction' && call.method === 'POST') return this.evict(target, name, dryRun);
    if (subresource !== undefined && subresource !== 'status') throw methodNotAllowed();
    return this.objectCall(call, target, name, dryRun);
  }

  /** `[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]`, checked against the resource's scope and subresources. */
  private resolve(apiGroup: string, version: string, path: string[]): Target {
    const nested = this.store.resources.find(apiGroup, version, path[2] ?? '');
    const namespaced = path[0] === 'namespaces' && path.length >= 3 && nested?.namespaced === true;
    const [plural, name, subresource, ...extra] = namespaced ? path.slice(2) : path;
    const namespace = namespaced ? path[1] : undefined;
    const resource = this.store.resources.find(apiGroup, version, plural!);
    if (!resource || extra.length > 0) throw pathNotFound();
    if (subresource !== undefined && !resource.subresources.includes(subresource)) throw pathNotFound();
    if (resource.namespaced && !namespaced && name !== undefined) throw pathNotFound();
    if (!resource.namespaced && namespaced) throw pathNotFound();
    return { resource, version, namespace, name, subresource };
  }

  private collectionCall(call: Call, { resource, version, namespace }: Target, dryRun: boolean): Reply {
    const { store, snapshots } = this;
    if (call.method === 'GET' && wantsMetadata(call.accept) === 'list') {
      return json(metadataListResponse(store, snapshots, resource, namespace, call.query as ListQuery));
    }
    // A single PartialObjectMetadata for a list is what the real server cannot give: 406, unless plain JSON is offered.
    if (
      call.method === 'GET' &&
      wantsMetadata(call.accept) === 'object' &&
      !/,\s*application\/json/.test(call.accept ?? '')
    ) {
      throw notAcceptable();
    }
    if (call.method === 'GET' && wantsTable(call.accept)) {
      const { items, metadata } = page(store, snapshots, resource, namespace, call.query as ListQuery);
      const objects = items.map((stored) => stored.object);
      return json({ ...table(resource, objects, store.resourceVersion(), this.options.now), metadata });
    }
    if (call.method === 'GET') {
      return {
        status: 200,
        body: listResponse(store, snapshots, resource, version, namespace, call.query as ListQuery),
      };
    }
    if (call.method === 'POST' && (namespace !== undefined || !resource.namespaced)) {
      return json(this.writes.create(resource, version, namespace, call.body, dryRun), 201);
    }
    if (call.method === 'DELETE' && (namespace !== undefined || !resource.namespaced)) {
      return this.deleteCollection(resource, version, namespace, call, dryRun);
    }
    throw methodNotAllowed();
  }

  private scaleCall(call: Call, { resource, namespace }: Target, name: string, dryRun: boolean): Reply {
    if (call.method === 'GET') return json(this.writes.scale(resource, namespace, name));
    if (call.method === 'PUT') return json(this.writes.rescale(resource, namespace, name, { body: call.body }, dryRun));
    if (call.method === 'PATCH') {
      const change = { patch: patchBody(call), contentType: call.contentType };
      return json(this.writes.rescale(resource, namespace, name, change, dryRun));
    }
    throw methodNotAllowed();
  }

  private evict({ resource, namespace }: Target, name: string, dryRun: boolean): Reply {
    const pod = this.store.get(resource, namespace, name);
    if (!pod) throw notFound(resource, name);
    const budget = blockingBudget(this.store, pod.object);
    if (budget) throw disruptionBudgetExceeded(budget);
    this.writes.remove(resource, namespace, name, {}, dryRun);
    return json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 201);
  }

  private objectCall(
    call: Call,
    { resource, version, namespace, subresource }: Target,
    name: string,
    dryRun: boolean,
  ): Reply {
    const part = subresource === 'status' ? 'status' : 'main';
    switch (call.method) {
      case 'GET': {
        const stored = this.store.get(resource, namespace, name);
        if (!stored) throw notFound(resource, name);
        if (wantsTable(call.accept) && !subresource) {
          return json(table(resource, [stored.object], this.store.resourceVersion(), this.options.now));
        }
        if (wantsMetadata(call.accept) === 'object' && !subresource) return json(partialObjectMetadata(stored.object));
        return { status: 200, body: stored.json };
      }
      case 'PUT':
        return json(this.writes.replace(resource, version, namespace, name, call.body, part, dryRun));
      case 'PATCH':
        return json(this.writes.patch(resource, namespace, name, patchBody(call), call.contentType, part, dryRun));
      case 'DELETE':
        if (subresource) throw methodNotAllowed();
        return json(this.writes.remove(resource, namespace, name, deleteOptions(call), dryRun));
      default:
        throw methodNotAllowed();
    }
  }

  private deleteCollection(
    resource: ResourceType,
    version: string,
    namespace: string | undefined,
    call: Call,
    dryRun: boolean,
  ): Reply {
    const chosen = select(this.store, resource, namespace, call.query).map((stored) => stored.object);
    for (const object of chosen) {
      this.writes.remove(resource, object.metadata.namespace, object.metadata.name, deleteOptions(call), dryRun);
    }
    const head = {
      kind: `${resource.kind}List`,
      apiVersion: resource.group ? `${resource.group}/${version}` : version,
    };
    return json({ ...head, metadata: { resourceVersion: this.store.resourceVersion() }, items: chosen });
  }

  private podLog(resource: ResourceType, namespace: string | undefined, name: string, query: Call['query']): Reply {
    const pod = this.store.get(resource, namespace, name);
    if (!pod) throw notFound(resource, name);
    const number = (key: string) => {
      if (query[key] === undefined) return undefined;
      const value = Number(query[key]);
      if (!Number.isInteger(value) || value < 0) throw badRequest(`invalid ${key}: "${query[key]}"`);
      return value;
    };
    if (query.sinceSeconds !== undefined && query.sinceTime !== undefined) {
      throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
    }
    if (query.sinceTime !== undefined && Number.isNaN(Date.parse(query.sinceTime))) {
      throw badRequest(`invalid sinceTime: "${query.sinceTime}"`);
    }
    const text = this.logs.read(pod.object, {
      container: query.container,
      previous: query.previous === 'true',
      timestamps: query.timestamps === 'true',
      tailLines: number('tailLines'),
      sinceSeconds: number('sinceSeconds'),
      sinceTime: query.sinceTime,
      limitBytes: number('limitBytes'),
    });
    return { status: 200, body: text, contentType: 'text/plain' };
  }

  private authorize(call: Call, { resource, namespace, name, subresource }: Target): void {
    if (!this.options.authorize) return;
    const verb =
      {
        GET: name === undefined ? 'list' : 'get',
        POST: 'create',
        PUT: 'update',
        PATCH: 'patch',
        DELETE: name === undefined ? 'deletecollection' : 'delete',
      }[call.method] ?? call.method.toLowerCase();
    const request = {
      verb,
      group: resource.group,
      resource: resource.plural,
      subresource,
      namespace,
      name,
      token: call.token,
    };
    if (this.options.authorize(request)) return;
    const target = `${resource.plural}${subresource ? `/${subresource}` : ''}`;
    const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    const subject = name
      ? `${resource.group ? `${resource.plural}.${resource.group}` : resource.plural} "${name}"`
      : target;
    throw forbidden(
      `${subject} is forbidden: User "${call.token ? 'system:serviceaccount:sim:client' : 'system:anonymous'}" cannot ${verb} resource "${target}" in API group "${resource.group}"${where}`,
      resource,
      name,
    );
  }
}

/** The name of a PodDisruptionBudget that selects the pod and allows no disruption now, if any. */
function blockingBudget(store: ObjectStore, pod: KubeObject): string | undefined {
  const budgets = store.resources.forObject('policy/v1', 'PodDisruptionBudget');
  if (!budgets) return undefined;
  const blocking = store.list(budgets, pod.metadata.namespace).find(({ object }) => {
    const selector = fieldAt(object, 'spec.selector');
    const selects = parseLabelSelector(selectorString(selector));
    // An empty selector selects every pod of the namespace (policy/v1).
    const matched = selects ? selects(pod) : isRecord(selector);
    return matched && fieldAt(object, 'status.disruptionsAllowed') === 0;
  });
  return blocking?.object.metadata.name;
}

function dryRunOf(query: Record<string, string>): boolean {
  if (query.dryRun === undefined) return false;
  if (query.dryRun !== 'All') throw badRequest(`Invalid dry run value: ${query.dryRun}; supported values are "All"`);
  return true;
}

function patchBody(call: Call): unknown {
  const known = Object.values(PATCH_TYPES);
  if (!known.includes(call.contentType) || call.contentType === PATCH_TYPES.apply) {
    throw unsupportedMediaType(
      call.contentType,
      known.filter((type) => type !== PATCH_TYPES.apply),
    );
  }
  return call.body;
}

function deleteOptions(call: Call): DeleteOptions {
  const body = (call.body ?? {}) as DeleteOptions;
  return {
    propagationPolicy: call.query.propagationPolicy ?? body.propagationPolicy,
    preconditions: body.preconditions,
  };
}

function errorReply(error: unknown): Reply {
  if (error instanceof StatusError) return json(error.status, error.status.code);
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `simulated API server error: ${errorMessage(error)}`,
    reason: 'InternalError',
    code: 500,
  };
  return json(status, 500);
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.stream) {
    reply.stream(response);
    return;
  }
  response.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(reply.body),
  });
  response.end(reply.body);
}

/** The request, its path read below `prefix` (routePrefix: checked by the caller). */
async function readCall(request: IncomingMessage, prefix: string): Promise<Call> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL((request.url ?? '/').slice(prefix.length) || '/', 'http://localhost');
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let body: unknown;
  let malformed: string | undefined;
  if (rawBody.trim()) {
    try {
      body = JSON.parse(rawBody);
    } catch (error) {
      malformed = `the request body is not valid JSON (${contentType || 'no Content-Type'}): ${errorMessage(error)}`;
    }
  }
  const authorization = request.headers.authorization;
  return {
    method: request.method ?? 'GET',
    segments: url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
    query: Object.fromEntries(url.searchParams),
    body,
    rawBody,
    malformed,
    contentType,
    accept: request.headers.accept,
    token: authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined,
  };
}

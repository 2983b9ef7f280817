import {
  ApiException,
  type Configuration,
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  ServerConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
import { ListItemsReader } from './list-items.ts';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** Who is calling, in the API server's audit log. */
const USER_AGENT = 'incident-bot';

/**
 * Requests to one cluster as one user share a connection pool. For a cluster with TLS settings (any real cluster:
 * its CA, client certificates, or skip-verify) the client builds a new undici Agent for every request, so each
 * request opened its own connection and made its own TLS handshake: about 20 per investigation, and as many sockets
 * left to time out. This middleware runs after the client's authentication and hands each request the first Agent
 * made for the same server and user (the client keeps one agent per cluster and user for its watches likewise);
 * the Agent made for the request itself is never used and holds no socket. Credentials sent as headers (tokens,
 * refreshed by the client per request) are untouched.
 */
function sharedConnections(kubeConfig: KubeConfig): ObservableMiddleware {
  const agents = new Map<string, Dispatcher>();
  return {
    pre: (context) => {
      const own = context.getDispatcher();
      if (own) {
        const key = JSON.stringify([kubeConfig.getCurrentCluster()?.server, kubeConfig.getCurrentUser()?.name]);
        const shared = agents.get(key);
        if (shared) context.setDispatcher(shared);
        else agents.set(key, own);
      }
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

const configurations = new WeakMap<KubeConfig, Configuration>();

/** The client configuration of every request made here for `kubeConfig`: its server, its credentials, one pool. */
function sharedConfiguration(kubeConfig: KubeConfig): Configuration {
  let configuration = configurations.get(kubeConfig);
  if (!configuration) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      middleware: [setHeaderMiddleware('User-Agent', USER_AGENT), sharedConnections(kubeConfig)],
    });
    configurations.set(kubeConfig, configuration);
  }
  return configuration;
}

/** What a read asks for (its Accept header), and the signal that aborts it. */
export interface ReadOptions {
  accept?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * GET `path` as the generated API clients send it (same authentication, User-Agent and shared connections, same
 * ApiException for a status other than 2xx) and the answer's JSON as parsed, without the client's model classes:
 * the caller reads the JSON itself. The request goes straight to the connection pool the client's authentication
 * chose (undici's `request`), not through `fetch`, whose streams, signals and header objects cost several times the
 * request itself; a transport failure is thrown as fetch throws it ("fetch failed", the cause attached), so callers
 * tell an unreachable cluster as before. A cluster reached with no pool of its own (https with no CA, client
 * certificate or skip-verify in its kubeconfig: a certificate the system trusts) goes through the client's fetch.
 * `signal` aborts the request (its connection closed) and rejects with the signal's reason.
 */
export async function getJson(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  how: ReadOptions = {},
): Promise<unknown> {
  return JSON.parse((await getText(kubeConfig, path, query, how)).text);
}

/** GET `path` as getJson does, the answer as text with its media type (a pod's log is text/plain). */
export async function getText(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  how: ReadOptions = {},
): Promise<{ text: string; mediaType: string }> {
  const { headers, text } = await send(kubeConfig, path, query, how);
  return { text: await text(), mediaType: (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() };
}

/**
 * GET a list as getJson does, each of its items handed to `each` as soon as it has arrived, parsed on its own
 * (list-items.ts): a page of thousands of objects is never held whole. Returns the list without its items.
 */
export async function getList(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  how: ReadOptions,
  each: (item: unknown) => void,
): Promise<Record<string, unknown>> {
  const reader = new ListItemsReader(each);
  for await (const chunk of (await send(kubeConfig, path, query, how)).chunks()) reader.push(chunk);
  return reader.end();
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: () => Promise<string>;
  /** The body as it arrives. */
  chunks: () => AsyncIterable<Uint8Array>;
}

/** The GET sent, with the clients' authentication and connections; its answer when 2xx, else the ApiException. */
async function send(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  { accept = 'application/json, */*;q=0.8', signal }: ReadOptions,
): Promise<Answer> {
  const configuration = sharedConfiguration(kubeConfig);
  let request = configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
  request.setHeaderParam('Accept', accept);
  if (signal) request.setSignal(signal);
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) request.setQueryParam(name, String(value));
  await kubeConfig.applySecurityAuthentication(request);
  for (const middleware of configuration.middleware) request = await middleware.pre(request).toPromise();
  const dispatcher = request.getDispatcher();
  const answer = dispatcher ? await pooled(dispatcher, request) : await fetched(configuration, request);
  const { status, headers, text } = answer;
  if (status === 401) throw new ApiException(status, 'Unauthorized', undefined, headers);
  if (status < 200 || status > 299) throw new ApiException(status, 'Unknown API Status Code!', await text(), headers);
  return answer;
}

async function pooled(dispatcher: Dispatcher, request: RequestContext): Promise<Answer> {
  const url = new URL(request.getUrl());
  const signal = request.getSignal();
  let answer: Awaited<ReturnType<Dispatcher['request']>>;
  try {
    answer = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: request.getHeaders(),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    // Aborted: the signal's reason, as fetch rejects (and the body, aborted later, errors with it too).
    throw signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error });
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers))
    if (value !== undefined && value !== null) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return { status: answer.statusCode, headers, text: () => answer.body.text(), chunks: () => answer.body };
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

async function fetched(configuration: Configuration, request: RequestContext): Promise<Answer> {
  let response = await configuration.httpApi.send(request).toPromise();
  for (const middleware of [...configuration.middleware].reverse())
    response = await middleware.post(response).toPromise();
  return {
    status: response.httpStatusCode,
    headers: response.headers,
    text: () => response.body.text(),
    // The fetch response's own stream: the client's binary() calls a `buffer()` undici's Response does not have.
    chunks: () => response.body.stream() ?? emptyBody(),
  };
}

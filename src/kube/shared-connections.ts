import {
  type Configuration,
  createConfiguration,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  ServerConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';

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

const middlewares = new WeakMap<KubeConfig, ObservableMiddleware>();

/** `kubeConfig.makeApiClient(Api)`, its requests on the connections of every other client made here for it. */
export function makeSharedApiClient<T>(kubeConfig: KubeConfig, Api: new (configuration: Configuration) => T): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  let shared = middlewares.get(kubeConfig);
  if (!shared) {
    shared = sharedConnections(kubeConfig);
    middlewares.set(kubeConfig, shared);
  }
  return new Api(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      middleware: [setHeaderMiddleware('User-Agent', USER_AGENT), shared],
    }),
  );
}

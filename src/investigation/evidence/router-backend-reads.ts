import { backendServices, type BackendService } from './backend-services.ts';
import { endpointsOf, readyAddresses } from './endpoints.ts';
import { backendKinds, isBackendKind } from './route-kinds.ts';
import type { SnapshotReader } from './snapshot-reader.ts';

/** Envoy's words for a route whose upstream holds no healthy address (its UH response flag, as written: upper case). */
const NO_HEALTHY_UPSTREAM = /no[ _]healthy[ _]upstream|\bUH\b/;
/** Backend kinds listed in the proxy's namespace. */
const MAX_BACKEND_KINDS = 1;
/** Namespaces whose Services and Endpoints are read one by one; beyond, one cluster-wide list of each. */
const MAX_NAMESPACE_READS = 2;
/** Namespaces behind empty backends whose workloads are read (what the Service selects, or fails to). */
const MAX_EMPTY_NAMESPACES = 2;

/** The Services the router's own backend objects in `namespace` send to, elsewhere. */
function backendsElsewhere(reader: SnapshotReader): BackendService[] {
  const { snapshot, namespace } = reader;
  return snapshot.customObjects
    .filter((object) => isBackendKind(object.kind) && object.metadata?.namespace === namespace)
    .flatMap((object) => backendServices(object.spec, namespace))
    .filter((backend) => backend.namespace !== namespace);
}

/**
 * The proxy examined answers "no healthy upstream" and keeps its backends as objects of its own (route-kinds.ts) that
 * name Services in other namespaces: a backend whose Service lacks the port it names, or has no ready address, is why
 * (routing-backend.ts judges the port). Their Services and Endpoints are read, then the pods and workloads of the
 * namespaces whose backend Service has no ready address — so that why it has none (a selector matching no pod, pods
 * not ready, a workload scaled to zero) is judged where it lives. On top of the budget, like the rest of the routing
 * layer.
 */
export async function readBehindRouterBackends(reader: SnapshotReader): Promise<void> {
  if (!reader.snapshot.logs.some((log) => log.lines.some((line) => NO_HEALTHY_UPSTREAM.test(line)))) return;
  const kinds = backendKinds(reader.snapshot.apiGroups, MAX_BACKEND_KINDS);
  reader.routingSpent += kinds.length;
  if (kinds.length === 0) return;
  await reader.wave(
    4,
    `Reading the proxy's own backends: ${kinds.map((kind) => kind.kind).join(', ')} in ${reader.namespace}`,
    kinds.map((kind) =>
      reader.listCustom(kind, reader.namespace, `the proxy finds no healthy upstream: its ${kind.kind} objects`),
    ),
  );
  const backends = backendsElsewhere(reader);
  if (backends.length === 0) return;
  const where = [...new Set(backends.map((backend) => backend.namespace))];
  const why = `the proxy in ${reader.namespace} finds no healthy upstream: the Services its backends name`;
  const reads =
    where.length > MAX_NAMESPACE_READS
      ? [reader.list('Service', why, {}), reader.list('Endpoints', why, {})]
      : where.flatMap((namespace) => [
          reader.list('Service', why, { namespace }),
          reader.list('Endpoints', why, { namespace }),
        ]);
  reader.routingSpent += reads.length;
  await reader.wave(4, `Reading the Services behind the proxy's backends in ${where.join(', ')}`, reads);
  const { snapshot } = reader;
  const empty = backends.filter((backend) => {
    const service = snapshot.services.find(
      (s) => s.metadata?.namespace === backend.namespace && s.metadata?.name === backend.service,
    );
    return service && readyAddresses(endpointsOf(snapshot.endpoints, service)).length === 0;
  });
  const behind = [...new Set(empty.map((backend) => backend.namespace))].slice(0, MAX_EMPTY_NAMESPACES);
  if (behind.length === 0) return;
  const because = (namespace: string) =>
    `a backend of the proxy names a Service in ${namespace} with no ready address: what it selects`;
  const workloads = behind.flatMap((namespace) =>
    (['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet'] as const).map((kind) =>
      reader.list(kind, because(namespace), { namespace }),
    ),
  );
  reader.routingSpent += workloads.length;
  await reader.wave(4, `Reading the workloads behind the empty backends in ${behind.join(', ')}`, workloads);
}

/**
 * The Services a router's own backend object sends to, as its spec states them: a nested object naming a Service by
 * `serviceName` (with `serviceNamespace` and `servicePort` beside it, as Gloo's `kube` upstream spec does), in the
 * object's own namespace unless it says another. Untyped: custom resources are read as they are.
 */
export interface BackendService {
  namespace: string;
  service: string;
  port?: number | string;
}

const MAX_DEPTH = 6;

export function backendServices(spec: unknown, namespace: string): BackendService[] {
  const found: BackendService[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const node = value as Record<string, unknown>;
    if (typeof node.serviceName === 'string' && node.serviceName) {
      const port = node.servicePort;
      found.push({
        namespace:
          typeof node.serviceNamespace === 'string' && node.serviceNamespace ? node.serviceNamespace : namespace,
        service: node.serviceName,
        ...(typeof port === 'number' || typeof port === 'string' ? { port } : {}),
      });
    }
    for (const child of Object.values(node)) visit(child, depth + 1);
  };
  visit(spec, 0);
  return found;
}

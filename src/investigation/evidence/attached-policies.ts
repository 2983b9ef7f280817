import type { CustomObject } from './custom-object.ts';
import type { HTTPRoute, ServedGroup } from './routing-objects.ts';
import type { GoverningKind } from './governing-resources.ts';

/** An object a policy attaches to (Gateway API policy attachment): its kind, name and namespace. */
export interface PolicyTarget {
  kind: string;
  name: string;
  namespace: string;
}

interface TargetRef {
  kind?: unknown;
  name?: unknown;
  namespace?: unknown;
}

/**
 * What a policy attaches to (`spec.targetRef`, `spec.targetRefs[]`, the Gateway API's policy attachment), in the
 * policy's namespace unless the reference names another.
 */
export function policyTargets(object: CustomObject): PolicyTarget[] {
  const spec = (object.spec ?? {}) as { targetRef?: TargetRef; targetRefs?: TargetRef[] };
  const refs = [spec.targetRef, ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : [])];
  const own = object.metadata?.namespace ?? '';
  return refs.flatMap((ref) =>
    ref && typeof ref.kind === 'string' && typeof ref.name === 'string'
      ? [{ kind: ref.kind, name: ref.name, namespace: typeof ref.namespace === 'string' ? ref.namespace : own }]
      : [],
  );
}

/** The Gateways a route is attached to (its parentRefs of kind Gateway), in its namespace unless they name another. */
export function routeGateways(route: HTTPRoute): PolicyTarget[] {
  const parents = ((route.spec ?? {}) as { parentRefs?: TargetRef[] }).parentRefs ?? [];
  const own = route.metadata?.namespace ?? '';
  return parents.flatMap((parent) =>
    typeof parent.name === 'string' && (parent.kind ?? 'Gateway') === 'Gateway'
      ? [
          {
            kind: 'Gateway',
            name: parent.name,
            namespace: typeof parent.namespace === 'string' ? parent.namespace : own,
          },
        ]
      : [],
  );
}

/** The routes a policy target reaches: the route it names, or every route attached to the Gateway it names. */
export function routesReached(target: PolicyTarget, routes: readonly HTTPRoute[]): HTTPRoute[] {
  if (target.kind === 'Gateway')
    return routes.filter((route) =>
      routeGateways(route).some((g) => g.name === target.name && g.namespace === target.namespace),
    );
  return routes.filter(
    (route) =>
      target.kind === (route.kind ?? 'HTTPRoute') &&
      route.metadata?.name === target.name &&
      route.metadata?.namespace === target.namespace,
  );
}

/**
 * The domains of the controllers that accepted the routes (`status.parents[].controllerName`,
 * `gateway.example.dev/gatewayclass-controller` → `gateway.example.dev`): the implementation of the Gateway API in
 * front of them, whose own policy kinds set what it does on these routes (timeouts, sizes, limits, who may call).
 */
export function routeControllers(routes: readonly HTTPRoute[]): string[] {
  const names = routes.flatMap((route) =>
    (((route.status ?? {}) as { parents?: { controllerName?: unknown }[] }).parents ?? []).map((p) => p.controllerName),
  );
  return [...new Set(names.filter((n): n is string => typeof n === 'string').map((n) => n.split('/')[0] as string))];
}

/**
 * The namespaced kinds named `…Policy` (the convention of policy attachment) of the served groups that belong to
 * those controllers' domains (the group is the domain, or a subdomain of it, or the domain one of the group's), at
 * most `max`, skipping those already read.
 */
export function attachedPolicyKinds(
  groups: readonly ServedGroup[],
  controllers: readonly string[],
  max: number,
  read: readonly GoverningKind[] = [],
): GoverningKind[] {
  const belongs = (group: string) =>
    controllers.some((domain) => group === domain || group.endsWith(`.${domain}`) || domain.endsWith(`.${group}`));
  return groups
    .filter(({ group }) => belongs(group) && !group.endsWith('.k8s.io'))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => r.namespaced && /Policy$/.test(r.kind) && !/Network/.test(r.kind))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind })),
    )
    .filter((kind) => !read.some((r) => r.group === kind.group && r.plural === kind.plural))
    .slice(0, max);
}

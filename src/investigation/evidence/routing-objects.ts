import type { V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Plain } from './plain.ts';

/**
 * Routing layers that sit in front of Services when the cluster serves their APIs: Istio's VirtualService and
 * DestinationRule, the Gateway API's HTTPRoute. They are custom resources, so the engine finds out through API
 * discovery whether (and at which version) they are served, and reads them untyped: zod keeps the fields the
 * detectors use and lets the rest through.
 */
export const ROUTING_APIS = {
  VirtualService: { group: 'networking.istio.io', plural: 'virtualservices' },
  DestinationRule: { group: 'networking.istio.io', plural: 'destinationrules' },
  HTTPRoute: { group: 'gateway.networking.k8s.io', plural: 'httproutes' },
  // The mesh's registry of hosts outside it: with an outbound policy of REGISTRY_ONLY, only these may be called.
  ServiceEntry: { group: 'networking.istio.io', plural: 'serviceentries' },
} as const;
export type RoutingKind = keyof typeof ROUTING_APIS;

export const Metadata = z.custom<Plain<V1ObjectMeta>>((value) => typeof value === 'object' && value !== null);
const Percent = z.object({ value: z.number().optional() }).partial();

const Destination = z.looseObject({
  host: z.string(),
  subset: z.string().optional(),
  port: z.looseObject({ number: z.number().optional() }).optional(),
});
const HttpRoute = z.looseObject({
  name: z.string().optional(),
  match: z.array(z.looseObject({})).optional(),
  route: z.array(z.looseObject({ destination: Destination, weight: z.number().optional() })).optional(),
  fault: z
    .looseObject({
      abort: z
        .looseObject({
          percentage: Percent.optional(),
          httpStatus: z.number().optional(),
          grpcStatus: z.string().optional(),
        })
        .optional(),
      delay: z
        .looseObject({
          percentage: Percent.optional(),
          percent: z.number().optional(),
          fixedDelay: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
});

export const VirtualServiceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('VirtualService').optional(),
  metadata: Metadata.optional(),
  spec: z.looseObject({ hosts: z.array(z.string()).optional(), http: z.array(HttpRoute).optional() }).optional(),
});
export type VirtualService = z.infer<typeof VirtualServiceSchema>;
export type MeshHttpRoute = z.infer<typeof HttpRoute>;

export const DestinationRuleSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('DestinationRule').optional(),
  metadata: Metadata.optional(),
  spec: z
    .looseObject({
      host: z.string().optional(),
      subsets: z
        .array(z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }))
        .optional(),
    })
    .optional(),
});
export type DestinationRule = z.infer<typeof DestinationRuleSchema>;

export const ServiceEntrySchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('ServiceEntry').optional(),
  metadata: Metadata.optional(),
  spec: z
    .looseObject({
      hosts: z.array(z.string()).optional(),
      exportTo: z.array(z.string()).optional(),
      location: z.string().optional(),
    })
    .optional(),
});
export type ServiceEntry = z.infer<typeof ServiceEntrySchema>;

export const Condition = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});
export const HTTPRouteSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('HTTPRoute').optional(),
  metadata: Metadata.optional(),
  spec: z
    .looseObject({
      hostnames: z.array(z.string()).optional(),
      rules: z
        .array(
          z.looseObject({
            backendRefs: z
              .array(
                z.looseObject({
                  group: z.string().optional(),
                  kind: z.string().optional(),
                  name: z.string(),
                  namespace: z.string().optional(),
                  port: z.number().optional(),
                }),
              )
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({ parents: z.array(z.looseObject({ conditions: z.array(Condition).optional() })).optional() })
    .optional(),
});
export type HTTPRoute = z.infer<typeof HTTPRouteSchema>;

export const ROUTING_SCHEMAS = {
  VirtualService: VirtualServiceSchema,
  DestinationRule: DestinationRuleSchema,
  HTTPRoute: HTTPRouteSchema,
  ServiceEntry: ServiceEntrySchema,
} as const;

/** A served API group and the version the server prefers (from GET /apis). */
export interface ServedGroup {
  group: string;
  version: string;
  /** The resources of that version, when the server answered with aggregated discovery. */
  resources?: ServedResource[];
}

/** One resource of a served group: its kind, the plural and version it is read at, whether it lives in namespaces. */
export interface ServedResource {
  kind: string;
  plural: string;
  namespaced: boolean;
  /** The version serving it: the group's preferred one, or the first that serves it when that one does not. */
  version: string;
}

/**
 * The version at which the cluster serves a routing kind, or undefined when it does not serve it. A group is often
 * served with only some of its kinds (the Gateway API's Gateway without HTTPRoute, a mesh installed in part): where
 * discovery listed the group's resources, the kind must be among them.
 */
export function servedVersion(groups: ServedGroup[], kind: RoutingKind): string | undefined {
  const served = groups.find(({ group }) => group === ROUTING_APIS[kind].group);
  if (!served?.resources) return served?.version;
  return served.resources.find((resource) => resource.kind === kind)?.version;
}

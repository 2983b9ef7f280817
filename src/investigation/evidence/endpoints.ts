import type { ClusterSnapshot } from './snapshot.ts';

type Endpoints = ClusterSnapshot['endpoints'][number];

/** The Endpoints object the control plane keeps for a Service: same namespace, same name. */
export function endpointsOf(
  endpoints: ClusterSnapshot['endpoints'],
  service: ClusterSnapshot['services'][number],
): Endpoints | undefined {
  return endpoints.find(
    (candidate) =>
      candidate.metadata?.namespace === service.metadata?.namespace &&
      candidate.metadata?.name === service.metadata?.name,
  );
}

/** The addresses traffic is routed to (pods failing readiness sit in notReadyAddresses instead). */
export const readyAddresses = (endpoints: Endpoints | undefined) =>
  (endpoints?.subsets ?? []).flatMap((subset) => subset.addresses ?? []);

/**
 * Whether the control plane resolved a named Service port to ready addresses: the endpoints controller lists a pod
 * under a port only once it has found the Service's targetPort among that pod's containers, so a subset carrying both
 * ready addresses and the port's name means traffic to it has somewhere to go, whatever the pod specs read say.
 */
export function resolvesPort(endpoints: Endpoints | undefined, portName: string | undefined): boolean {
  return (endpoints?.subsets ?? []).some(
    (subset) =>
      (subset.addresses ?? []).length > 0 &&
      (subset.ports ?? []).some((port) => (port.name ?? '') === (portName ?? '')),
  );
}

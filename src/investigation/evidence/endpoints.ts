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

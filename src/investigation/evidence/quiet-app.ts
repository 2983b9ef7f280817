import { looksLikeError } from './log-line.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Whether the application of a namespace is silent or healthy where the alert says users fail: every pod of it runs
 * ready and the logs read hold no error line. Then what users meet happens before the application — at the edge
 * (a router's policy that answers for it: a rate limit, an auth rule, the TLS to the upstream) — and the routing layer
 * in front of it is worth reading even when the alert does not speak of it.
 */
export function appQuiet(snapshot: ClusterSnapshot, namespace: string): boolean {
  const pods = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace);
  if (pods.length === 0 || !pods.every(isPodReady)) return false;
  const logs = snapshot.logs.filter((log) => log.namespace === namespace);
  return logs.length > 0 && !logs.some((log) => log.lines.some(looksLikeError));
}

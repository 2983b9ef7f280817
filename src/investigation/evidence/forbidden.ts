import type { ContainerLog } from './snapshot.ts';

/** An API request the API server refused to a pod's ServiceAccount, as client libraries print the 403. */
export interface ForbiddenCall {
  /** The ServiceAccount the pod calls as. */
  serviceAccount: { namespace: string; name: string };
  verb: string;
  resource: string;
  /** API group; '' is the core group. */
  group: string;
  /** The namespace the call was about; absent for a cluster-scoped call. */
  namespace?: string;
  /** The pod whose log says so. */
  pod: { namespace: string; name: string };
  line: string;
}

// `pods is forbidden: User "system:serviceaccount:shop:web" cannot list resource "pods" in API group "" in the
// namespace "shop"` (client-go, the Python and Java clients, kubectl all print the server's Status message).
const FORBIDDEN =
  /forbidden: User "system:serviceaccount:([a-z0-9.-]+):([a-z0-9.-]+)" cannot (\w+) resource "([a-z0-9.-]+)(?:\/[a-z]+)?"(?: in API group "([a-z0-9.-]*)")?(?: in the namespace "([a-z0-9.-]+)")?/i;

/** Every distinct refused call the logs read show. */
export function forbiddenCalls(logs: ContainerLog[]): ForbiddenCall[] {
  const calls = new Map<string, ForbiddenCall>();
  for (const log of logs) {
    for (const line of log.lines) {
      const match = FORBIDDEN.exec(line);
      if (!match) continue;
      const [, saNamespace = '', saName = '', verb = '', resource = '', group, namespace] = match;
      const call: ForbiddenCall = {
        serviceAccount: { namespace: saNamespace, name: saName },
        verb: verb.toLowerCase(),
        resource,
        group: group ?? '',
        ...(namespace ? { namespace } : {}),
        pod: { namespace: log.namespace, name: log.pod },
        line,
      };
      const key = `${saNamespace}/${saName} ${call.verb} ${call.group}/${call.resource} ${namespace ?? ''}`;
      if (!calls.has(key)) calls.set(key, call);
    }
  }
  return [...calls.values()];
}

/** A pod whose log says its ServiceAccount's credentials are not in it: it cannot call the API server at all. */
export interface TokenlessPod {
  pod: { namespace: string; name: string };
  line: string;
}

// The mounted ServiceAccount token the in-cluster clients read (client-go `open …/serviceaccount/token: no such file or
// directory`, the Python client's "Service token file does not exist", Java's "Could not read token").
const TOKEN_MISSING =
  /serviceaccount\/token\b.{0,40}\b(?:no such file|not found|does not exist|cannot find)|\b(?:service ?account )?token file (?:does not exist|not found|is missing)|could not read (?:the )?(?:service ?account )?token/i;

/** Pods whose logs say the ServiceAccount token is missing from them, each once, with the first line that says so. */
export function tokenlessPods(logs: ContainerLog[]): TokenlessPod[] {
  const pods = new Map<string, TokenlessPod>();
  for (const log of logs) {
    const line = log.lines.find((l) => TOKEN_MISSING.test(l));
    const key = `${log.namespace}/${log.pod}`;
    if (line && !pods.has(key)) pods.set(key, { pod: { namespace: log.namespace, name: log.pod }, line });
  }
  return [...pods.values()];
}

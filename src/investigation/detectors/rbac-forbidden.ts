import { type ForbiddenCall, forbiddenCalls } from '../evidence/forbidden.ts';
import { refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Evidence, type Finding, LOG_TEXT_LIMIT } from '../model.ts';
import { type Detector, finding } from './detector.ts';

type Role = ClusterSnapshot['roles'][number] | ClusterSnapshot['clusterRoles'][number];
type Binding = ClusterSnapshot['roleBindings'][number] | ClusterSnapshot['clusterRoleBindings'][number];

/** Whether one of the Role's rules allows the call (`*` matches anything; a resourceNames rule only named objects). */
function grants(role: Role, call: ForbiddenCall): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);
  return (role.rules ?? []).some(
    (rule) =>
      has(rule.apiGroups, call.group) &&
      has(rule.resources, call.resource) &&
      has(rule.verbs, call.verb) &&
      (rule.resourceNames ?? []).length === 0,
  );
}

/**
 * Whether the binding names the ServiceAccount among its subjects (a RoleBinding's subject's namespace defaults to the
 * binding's; a ClusterRoleBinding's ServiceAccount subject names its namespace).
 */
const binds = (binding: Binding, call: ForbiddenCall): boolean =>
  (binding.subjects ?? []).some(
    (subject) =>
      (subject.kind === 'ServiceAccount' &&
        subject.name === call.serviceAccount.name &&
        (subject.namespace ?? binding.metadata?.namespace) === call.serviceAccount.namespace) ||
      (subject.kind === 'Group' &&
        (subject.name === 'system:serviceaccounts' ||
          subject.name === `system:serviceaccounts:${call.serviceAccount.namespace}`)),
  );

/** Whether a binding names the account's name: a ServiceAccount subject of that name (in any namespace), or its own. */
const namesAccount = (binding: Binding, call: ForbiddenCall): boolean =>
  binding.metadata?.name === call.serviceAccount.name ||
  (binding.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === call.serviceAccount.name);

/**
 * Whether a binding that does not bind the account may have been meant for it: a RoleBinding of the namespace called
 * (its RBAC is the namespace's), or a ClusterRoleBinding that names the account's name — not any of the cluster's own
 * bindings, nor a neighbour's, that happen to grant the call to someone else.
 */
const meantFor = (binding: Binding, call: ForbiddenCall): boolean =>
  binding.kind === 'RoleBinding' || namesAccount(binding, call);

/** The API server's refusal is in the pod's log and the Role or binding read lacks the permission: stated and shown. */
const STRENGTH = 0.9;

/** What the RBAC objects read say of one refused call: the fault, or nothing when they do not show one. */
interface Verdict {
  entity: EntityRef;
  why: string;
  changedAt?: string;
}

/**
 * The API server refuses a pod's calls (403 forbidden): the fault is in the RBAC objects that should let its
 * ServiceAccount make them — the RoleBindings of the namespace the call is about and the ClusterRoleBindings (the only
 * ones that grant a cluster-scoped call), with the Roles and ClusterRoles they name. The Role that binds the account
 * but lacks the verb or resource; the binding that names a role that does not exist, or grants the access to another
 * subject; and when nothing binds the account to any role, the ServiceAccount itself. The catalogue has no type for
 * it: other.
 */
export const rbacForbidden: Detector = {
  id: 'rbac-forbidden',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const call of forbiddenCalls(snapshot.logs)) {
      const verdict = judge(snapshot, call);
      if (!verdict) continue;
      const { entity, why, changedAt } = verdict;
      const pod = graph.pod(call.pod.namespace, call.pod.name);
      const workload = pod ? graph.workloadOf(pod) : { kind: 'Pod', ...call.pod };
      const evidence: Evidence[] = [
        {
          source: 'log',
          ref: { kind: 'Pod', namespace: call.pod.namespace, name: call.pod.name },
          text: call.line.slice(0, LOG_TEXT_LIMIT),
        },
        { source: 'spec', ref: entity, text: why },
      ];
      const key = `${entity.kind}/${entity.namespace}/${entity.name}`;
      const existing = findings.get(key);
      if (existing) {
        existing.evidence.push(...evidence.slice(0, 1));
        continue;
      }
      findings.set(
        key,
        finding(rbacForbidden, {
          entity,
          affects: [workload],
          strength: STRENGTH,
          summary: `The API server refuses ${workload.kind} ${workload.name} (${accountLabel(call)}) permission to ${wantedBy(call)}: ${why}`,
          evidence,
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

/** The refused account, as people read it. */
const accountLabel = (call: ForbiddenCall): string =>
  `ServiceAccount ${call.serviceAccount.namespace}/${call.serviceAccount.name}`;

/** What the call asked for, and where. */
const wantedBy = (call: ForbiddenCall): string =>
  `${call.verb} ${call.resource}${call.group ? `.${call.group}` : ''} in ${call.namespace ? `namespace ${call.namespace}` : 'the cluster'}`;

/** Which RBAC object refuses the call, as the Roles, ClusterRoles and their bindings read show it. */
function judge(snapshot: ClusterSnapshot, call: ForbiddenCall): Verdict | undefined {
  const where = call.namespace ?? call.serviceAccount.namespace;
  // Only RBAC objects that were read: an empty list read nowhere says nothing.
  const clusterRead = snapshot.clusterRoleBindings.length > 0;
  const readHere = snapshot.incomplete.every((read) => read.kind !== 'RoleBinding' || read.namespace !== where);
  const local = call.namespace ? snapshot.roleBindings.filter((b) => b.metadata?.namespace === where) : [];
  const roles = snapshot.roles.filter((r) => r.metadata?.namespace === where);
  if (call.namespace ? !readHere || (local.length === 0 && roles.length === 0) : !clusterRead) return undefined;
  const bindings: Binding[] = [
    ...local.map((b) => ({ ...b, kind: 'RoleBinding' })),
    ...snapshot.clusterRoleBindings.map((b) => ({ ...b, kind: 'ClusterRoleBinding' })),
  ];
  const roleOf = (binding: Binding): Role | undefined =>
    binding.roleRef.kind === 'Role'
      ? roles.find((r) => r.metadata?.name === binding.roleRef.name)
      : snapshot.clusterRoles.find((r) => r.metadata?.name === binding.roleRef.name);
  // A ClusterRole is missing only where the ClusterRoles were read at all.
  const missing = (binding: Binding) =>
    !roleOf(binding) && (binding.roleRef.kind === 'Role' || snapshot.clusterRoles.length > 0);
  const allows = (binding: Binding) => {
    const role = roleOf(binding);
    return role !== undefined && grants(role, call);
  };
  const account = accountLabel(call);
  const wanted = wantedBy(call);
  const mine = bindings.filter((b) => binds(b, call));
  if (mine.some(allows)) return undefined;
  const dangling = mine.find(missing);
  if (dangling)
    return {
      entity: refOf(dangling.kind ?? 'RoleBinding', dangling.metadata),
      why: `${dangling.kind} ${dangling.metadata?.name} binds ${account} to ${dangling.roleRef.kind} ${dangling.roleRef.name}, which does not exist`,
      ...changed(dangling),
    };
  const narrow = mine.map(roleOf).find((role): role is Role => role !== undefined && !grants(role, call));
  if (narrow) {
    const kind = narrow.metadata?.namespace ? 'Role' : 'ClusterRole';
    return {
      entity: refOf(kind, narrow.metadata),
      why: `${kind} ${narrow.metadata?.name}, bound to ${account}, does not allow ${wanted}`,
      ...changed(narrow),
    };
  }
  // Of the bindings that grant the call to others, one that names the account's name (a subject in another
  // namespace, a binding named for it) was the one meant for it.
  const others = bindings.filter((b) => !binds(b, call) && meantFor(b, call) && allows(b));
  const elsewhere = others.find((b) => namesAccount(b, call)) ?? others[0];
  if (elsewhere)
    return {
      entity: refOf(elsewhere.kind ?? 'RoleBinding', elsewhere.metadata),
      why: `${elsewhere.kind} ${elsewhere.metadata?.name} grants ${wanted} (${elsewhere.roleRef.kind} ${elsewhere.roleRef.name}) to ${(elsewhere.subjects ?? []).map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ') || 'no subject'}, not to ${account}`,
      ...changed(elsewhere),
    };
  if (mine.length > 0) return undefined;
  return {
    entity: { kind: 'ServiceAccount', namespace: call.serviceAccount.namespace, name: call.serviceAccount.name },
    why: `no ${call.namespace ? `RoleBinding in ${where} nor ` : ''}ClusterRoleBinding binds ${account} to a role that allows ${wanted}`,
  };
}

const changed = (object: { metadata?: Role['metadata'] }): { changedAt?: string } => {
  const at = lastChange(object.metadata);
  return at ? { changedAt: at } : {};
};

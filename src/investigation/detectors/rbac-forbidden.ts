import { type ForbiddenCall, forbiddenCalls } from '../evidence/forbidden.ts';
import { refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Evidence, type Finding, LOG_TEXT_LIMIT } from '../model.ts';
import { type Detector, finding } from './detector.ts';

type Role = ClusterSnapshot['roles'][number];
type RoleBinding = ClusterSnapshot['roleBindings'][number];

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

/** Whether the binding names the ServiceAccount among its subjects (a subject's namespace defaults to the binding's). */
const binds = (binding: RoleBinding, call: ForbiddenCall): boolean =>
  (binding.subjects ?? []).some(
    (subject) =>
      (subject.kind === 'ServiceAccount' &&
        subject.name === call.serviceAccount.name &&
        (subject.namespace ?? binding.metadata?.namespace) === call.serviceAccount.namespace) ||
      (subject.kind === 'Group' &&
        (subject.name === 'system:serviceaccounts' ||
          subject.name === `system:serviceaccounts:${call.serviceAccount.namespace}`)),
  );

/** The API server's refusal is in the pod's log and the Role or binding read lacks the permission: stated and shown. */
const STRENGTH = 0.9;

/**
 * The API server refuses a pod's calls (403 forbidden): the fault is in the RBAC objects that should let its
 * ServiceAccount make them, in the namespace the call is about. The Role that binds the account but lacks the verb or
 * resource; the RoleBinding that names a Role that does not exist, or grants the access to another subject; and when
 * nothing binds the account to any Role, the ServiceAccount itself. The catalogue has no type for it: other.
 */
export const rbacForbidden: Detector = {
  id: 'rbac-forbidden',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const call of forbiddenCalls(snapshot.logs)) {
      const where = call.namespace ?? call.serviceAccount.namespace;
      // Only namespaces whose RBAC objects were read: an empty list read nowhere says nothing.
      const readHere = snapshot.incomplete.every((read) => read.kind !== 'RoleBinding' || read.namespace !== where);
      const bindings = snapshot.roleBindings.filter((b) => b.metadata?.namespace === where);
      const roles = snapshot.roles.filter((r) => r.metadata?.namespace === where);
      if (!readHere || (bindings.length === 0 && roles.length === 0)) continue;
      const roleOf = (binding: RoleBinding) =>
        binding.roleRef.kind === 'Role' ? roles.find((r) => r.metadata?.name === binding.roleRef.name) : undefined;
      const pod = graph.pod(call.pod.namespace, call.pod.name);
      const workload = pod ? graph.workloadOf(pod) : { kind: 'Pod', ...call.pod };
      const wanted = `${call.verb} ${call.resource}${call.group ? `.${call.group}` : ''} in ${call.namespace ? `namespace ${where}` : 'the cluster'}`;
      const account = `ServiceAccount ${call.serviceAccount.namespace}/${call.serviceAccount.name}`;

      let entity: EntityRef;
      let why: string;
      let changedAt: string | undefined;
      const mine = bindings.filter((b) => binds(b, call));
      const dangling = mine.find((b) => b.roleRef.kind === 'Role' && !roleOf(b));
      const narrow = mine.map(roleOf).find((role): role is Role => role !== undefined && !grants(role, call));
      const elsewhere = bindings.find((b) => !binds(b, call) && roleOf(b) && grants(roleOf(b) as Role, call));
      if (mine.some((b) => roleOf(b) && grants(roleOf(b) as Role, call))) continue;
      if (dangling) {
        entity = refOf('RoleBinding', dangling.metadata);
        changedAt = lastChange(dangling.metadata);
        why = `RoleBinding ${dangling.metadata?.name} binds ${account} to Role ${dangling.roleRef.name}, which does not exist in ${where}`;
      } else if (narrow) {
        entity = refOf('Role', narrow.metadata);
        changedAt = lastChange(narrow.metadata);
        why = `Role ${narrow.metadata?.name}, bound to ${account}, does not allow ${wanted}`;
      } else if (elsewhere) {
        entity = refOf('RoleBinding', elsewhere.metadata);
        changedAt = lastChange(elsewhere.metadata);
        why = `RoleBinding ${elsewhere.metadata?.name} grants ${wanted} (Role ${elsewhere.roleRef.name}) to ${(elsewhere.subjects ?? []).map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ') || 'no subject'}, not to ${account}`;
      } else if (mine.length === 0) {
        entity = { kind: 'ServiceAccount', namespace: call.serviceAccount.namespace, name: call.serviceAccount.name };
        why = `no RoleBinding in ${where} binds ${account} to a Role that allows ${wanted}`;
      } else continue;

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
          summary: `The API server refuses ${workload.kind} ${workload.name} (${account}) permission to ${wanted}: ${why}`,
          evidence,
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

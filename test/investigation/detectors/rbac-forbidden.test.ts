import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rbacForbidden } from '../../../src/investigation/detectors/rbac-forbidden.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const REFUSED =
  'E1120 10:25:00 reflector.go:147 failed to list *v1.Secret: secrets is forbidden: User "system:serviceaccount:shop:syncer" cannot list resource "secrets" in API group "" in the namespace "shop"';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const role = (s: ClusterSnapshot, name: string, rules: Rule[]) =>
  s.roles.push({ metadata: { name, namespace: NS }, rules });
const binding = (s: ClusterSnapshot, name: string, roleName: string, account: string, namespace = NS) =>
  s.roleBindings.push({
    metadata: { name, namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
  });
const refusedSyncer = (build: (s: ClusterSnapshot) => void) =>
  cluster((s) => {
    app(s, 'syncer', { ready: false });
    logs(s, 'syncer', [REFUSED]);
    build(s);
  });

test('a Role bound to the account that lacks the verb is the fault', () => {
  const snapshot = refusedSyncer((s) => {
    role(s, 'syncer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    binding(s, 'syncer', 'syncer', 'syncer');
  });
  const findings = detect(rbacForbidden, snapshot);
  assert.deepEqual(named(findings), ['Role/shop/syncer other']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: NS, name: 'syncer' }]);
  assert.match(findings[0]?.summary ?? '', /does not allow list secrets in namespace shop/);
});

test('a RoleBinding naming a Role that does not exist, or granting the access to another account, is the fault', () => {
  const dangling = refusedSyncer((s) => {
    role(s, 'unrelated', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    binding(s, 'syncer', 'syncer-role', 'syncer');
  });
  assert.deepEqual(named(detect(rbacForbidden, dangling)), ['RoleBinding/shop/syncer other']);

  const otherSubject = refusedSyncer((s) => {
    role(s, 'secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }]);
    binding(s, 'secret-reader', 'secret-reader', 'syncer', 'tools');
  });
  assert.deepEqual(named(detect(rbacForbidden, otherSubject)), ['RoleBinding/shop/secret-reader other']);
});

test('an account nothing binds is the fault itself; an account whose Role allows the call is no finding', () => {
  const unbound = refusedSyncer((s) => role(s, 'viewer', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]));
  assert.deepEqual(named(detect(rbacForbidden, unbound)), ['ServiceAccount/shop/syncer other']);

  const allowed = refusedSyncer((s) => {
    role(s, 'syncer', [{ apiGroups: ['*'], resources: ['*'], verbs: ['list'] }]);
    binding(s, 'syncer', 'syncer', 'syncer');
  });
  assert.deepEqual(detect(rbacForbidden, allowed), []);
});

test('nothing is concluded when the RBAC objects of the namespace were not read', () => {
  assert.deepEqual(
    detect(
      rbacForbidden,
      refusedSyncer(() => {}),
    ),
    [],
  );
});

const CLUSTER_SCOPED =
  'E1120 10:25:00 reflector.go:147 failed to list *v1.Node: nodes is forbidden: User "system:serviceaccount:shop:syncer" cannot list resource "nodes" in API group "" at the cluster scope';
const clusterGrant = (s: ClusterSnapshot, name: string, account: string, namespace: string) => {
  s.clusterRoles.push({ metadata: { name }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }] });
  s.clusterRoleBindings.push({
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
  });
};

test("a cluster-scoped call is granted only by a ClusterRoleBinding: the one naming the account's name elsewhere is the fault, not a neighbour's", () => {
  const snapshot = cluster((s) => {
    app(s, 'syncer', { ready: false });
    logs(s, 'syncer', [CLUSTER_SCOPED]);
    clusterGrant(s, 'node-reader', 'labeller', NS);
    clusterGrant(s, 'syncer', 'syncer', 'tools');
  });
  assert.deepEqual(named(detect(rbacForbidden, snapshot)), ['ClusterRoleBinding/syncer other']);

  const unbound = cluster((s) => {
    app(s, 'syncer', { ready: false });
    logs(s, 'syncer', [CLUSTER_SCOPED]);
    clusterGrant(s, 'node-reader', 'labeller', NS);
  });
  assert.deepEqual(named(detect(rbacForbidden, unbound)), ['ServiceAccount/shop/syncer other']);
});

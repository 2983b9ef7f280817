import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { KIND_KEYS } from '../tools/kinds.ts';
import type { EntityRef, Finding } from '../model.ts';

type Owner = { apiVersion: string; kind: string; name: string; controller?: boolean };

/**
 * A controller owner served by an API group outside Kubernetes' own (`apps/v1`, `v1` and `*.k8s.io` are built in):
 * a custom resource an operator reconciles from.
 */
const isCustomResource = (owner: Owner): boolean => {
  const group = owner.apiVersion.includes('/') ? (owner.apiVersion.split('/')[0] as string) : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
};

function metadataOf(snapshot: ClusterSnapshot, ref: EntityRef): { ownerReferences?: Owner[] } | undefined {
  const key = KIND_KEYS[ref.kind as keyof typeof KIND_KEYS];
  const list = (key ? snapshot[key] : []) as { metadata?: { name?: string; namespace?: string } }[];
  return list.find((o) => o.metadata?.name === ref.name && o.metadata?.namespace === ref.namespace)?.metadata as
    | { ownerReferences?: Owner[] }
    | undefined;
}

/**
 * The finding restated at the custom resource an operator generates its entity from: the operator rewrites the
 * generated object from that resource, so the setting to change (and the fault) lives there. Findings about objects
 * nobody generates are returned as they are.
 */
export function atOperatorResource(finding: Finding, snapshot: ClusterSnapshot): Finding {
  const { entity } = finding;
  // A Secret's value that is out of step: operators that generate Secrets (external secret stores) copy values from
  // elsewhere, the value is what is wrong and the catalogue names it a bad-secret-value of the Secret.
  if (finding.faultType === 'bad-secret-value') return finding;
  const owner = metadataOf(snapshot, entity)?.ownerReferences?.find((o) => o.controller && isCustomResource(o));
  if (!owner) return finding;
  const resource: EntityRef = { kind: owner.kind, namespace: entity.namespace, name: owner.name };
  const { remediation: _generatedObjectPatch, ...rest } = finding;
  return {
    ...rest,
    entity: resource,
    affects: [entity, ...finding.affects],
    summary: `${owner.kind} ${owner.name} (its operator generates ${entity.kind} ${entity.name}): ${finding.summary}`,
    evidence: [
      ...finding.evidence,
      {
        source: 'graph',
        ref: entity,
        text: `${entity.kind} ${entity.name} is controlled by ${owner.kind} ${owner.name} (${owner.apiVersion}): a change made to the ${entity.kind} is reconciled away, the setting lives in the ${owner.kind}`,
      },
    ],
  };
}

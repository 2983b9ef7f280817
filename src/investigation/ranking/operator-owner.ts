import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { isCustomOwner } from '../evidence/custom-owners.ts';
import { KIND_KEYS } from '../tools/kinds.ts';
import type { EntityRef, Finding } from '../model.ts';

type Owner = { apiVersion: string; kind: string; name: string; controller?: boolean };

/** Links of a chain of custom resources followed at most (Fleet → GameServerSet → GameServer). */
const MAX_LINKS = 4;

function metadataOf(snapshot: ClusterSnapshot, ref: EntityRef): { ownerReferences?: Owner[] } | undefined {
  const key = KIND_KEYS[ref.kind as keyof typeof KIND_KEYS];
  const list = (key ? snapshot[key] : snapshot.customObjects.filter((o) => o.kind === ref.kind)) as {
    metadata?: { name?: string; namespace?: string };
  }[];
  return list.find((o) => o.metadata?.name === ref.name && o.metadata?.namespace === ref.namespace)?.metadata as
    | { ownerReferences?: Owner[] }
    | undefined;
}

/**
 * The custom resources that control the entity, nearest first: its controller owner when an operator's, then that
 * one's, as far as they were read (a GameServer's GameServerSet, then its Fleet).
 */
function customOwners(snapshot: ClusterSnapshot, entity: EntityRef): Owner[] {
  const chain: Owner[] = [];
  let current = entity;
  for (let link = 0; link < MAX_LINKS; link++) {
    const owner = metadataOf(snapshot, current)?.ownerReferences?.find((o) => o.controller && isCustomOwner(o));
    if (!owner || chain.some((o) => o.kind === owner.kind && o.name === owner.name)) break;
    chain.push(owner);
    current = { kind: owner.kind, namespace: entity.namespace, name: owner.name };
  }
  return chain;
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
  const chain = customOwners(snapshot, entity);
  // The top of the chain: the resource whose spec the operators below it copy down to the pods.
  const owner = chain.at(-1);
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
        text: `${entity.kind} ${entity.name} is controlled by ${chain.map((o) => `${o.kind} ${o.name}`).join(', then ')} (${owner.apiVersion}): a change made to the ${entity.kind} is reconciled away, the setting lives in the ${owner.kind}`,
      },
    ],
  };
}

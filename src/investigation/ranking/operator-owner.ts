import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { isCustomOwner } from '../evidence/custom-owners.ts';
import { copiedFrom } from '../evidence/copied-settings.ts';
import { refOf } from '../evidence/graph.ts';
import { KIND_KEYS } from '../tools/kinds.ts';
import type { EntityRef, Finding } from '../model.ts';
import { CONTROLLER_MANAGERS, lastChange, MINUTE, toMs } from '../evidence/time.ts';

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
 * Whether discovery says the owner's kind lives outside namespaces (a cluster's DNS operator configuration owning the
 * ConfigMap it generates in the DNS namespace): then the resource is named without one.
 */
function clusterScoped(snapshot: ClusterSnapshot, owner: Owner): boolean {
  const group = owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
  const served = snapshot.apiGroups
    .filter((g) => g.group === group)
    .flatMap((g) => g.resources ?? [])
    .find((r) => r.kind === owner.kind);
  return served?.namespaced === false;
}

/** Whether a value holds a container's environment list anywhere within it (a pod template's `env`). */
function holdsEnv(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsEnv);
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => (key === 'env' && Array.isArray(inner)) || holdsEnv(inner));
}

/**
 * A setting of the resource itself. A bad-env restated at a resource whose spec holds no environment of its own (no pod template with an `env`): its
 * operator wrote the variable from a field of the resource (a server's hostname setting → KC_HOSTNAME), so the fault is
 * that software setting, which the catalogue has no label for, not a workload's environment. A resource that carries a
 * pod template (a serverless Service, a job's template) keeps bad-env: its env is the one written wrong.
 */
function settingOfItsOwn(finding: Finding, snapshot: ClusterSnapshot, resource: EntityRef): boolean {
  // A Service's port or selector restated at the resource it is generated from (a delivery controller's resource that
  // writes the Services in front of a workload): the operator derived them from a setting of that resource, which the
  // catalogue has no label for — its service-port and service-selector name a Service's own spec.
  if (SERVICE_FAULTS.has(finding.faultType)) return true;
  if (finding.faultType !== 'bad-env') return false;
  const object = snapshot.customObjects.find(
    (o) =>
      o.kind === resource.kind && o.metadata?.name === resource.name && o.metadata?.namespace === resource.namespace,
  );
  return object !== undefined && !holdsEnv(object.spec);
}

const SERVICE_FAULTS: ReadonlySet<Finding['faultType']> = new Set(['service-port', 'service-selector']);

/** How long before a generated Secret changed an edit of its resource is the cause of the change. */
const GENERATOR_EDIT_LEAD = 30 * MINUTE;

/**
 * Whether the custom resource that generates a Secret was edited — by a writer other than those that write the Secret
 * (its operator's status and sync) and other than a controller — within GENERATOR_EDIT_LEAD before the Secret's last
 * change, and not after it: the operator wrote the Secret from that edit.
 */
function generatorEditedFirst(snapshot: ClusterSnapshot, entity: EntityRef): boolean {
  if (entity.kind !== 'Secret') return false;
  const secret = snapshot.secrets.find(
    (s) => s.metadata?.namespace === entity.namespace && s.metadata?.name === entity.name,
  );
  const owner = customOwners(snapshot, entity)[0];
  const changed = toMs(lastChange(secret?.metadata));
  if (!secret || !owner || changed === undefined) return false;
  const resource = snapshot.customObjects.find(
    (o) => o.kind === owner.kind && o.metadata?.namespace === entity.namespace && o.metadata?.name === owner.name,
  );
  const writers = new Set((secret.metadata?.managedFields ?? []).map((field) => field.manager));
  return (resource?.metadata?.managedFields ?? []).some((field) => {
    const at = toMs(field.time);
    return (
      at !== undefined &&
      !writers.has(field.manager) &&
      !CONTROLLER_MANAGERS.test(field.manager ?? '') &&
      field.subresource !== 'status' &&
      at <= changed &&
      changed - at <= GENERATOR_EDIT_LEAD
    );
  });
}

/**
 * The finding restated at the custom resource an operator generates its entity from: the operator rewrites the
 * generated object from that resource, so the setting to change (and the fault) lives there. Findings about objects
 * nobody generates are returned as they are.
 */
export function atOperatorResource(finding: Finding, snapshot: ClusterSnapshot): Finding {
  const { entity } = finding;
  // A Secret's value that is out of step: operators that generate Secrets (external secret stores) copy values from
  // elsewhere, the value is what is wrong and the catalogue names it a bad-secret-value of the Secret — unless the
  // resource it is generated from was itself edited just before it changed (another remote key, a re-sealed value):
  // then the edit lives in that resource, and a fix made to the Secret is reconciled away.
  if (finding.faultType === 'bad-secret-value' && !generatorEditedFirst(snapshot, entity)) return finding;
  const chain = customOwners(snapshot, entity);
  // The top of the chain: the resource whose spec the operators below it copy down to the pods.
  const owner = chain.at(-1);
  if (!owner) return copiedSetting(finding, snapshot) ?? finding;
  const resource: EntityRef = clusterScoped(snapshot, owner)
    ? { kind: owner.kind, name: owner.name }
    : { kind: owner.kind, namespace: entity.namespace, name: owner.name };
  const { remediation: _generatedObjectPatch, ...rest } = finding;
  return {
    ...rest,
    faultType: settingOfItsOwn(finding, snapshot, resource) ? 'other' : finding.faultType,
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

/**
 * A bad-env of a workload nobody owns, whose blamed value a custom resource of its namespace holds word for word and
 * changed just before the workload did (evidence/copied-settings.ts): an operator that writes its workloads without
 * ownerReferences copied it there, so the value is set in the resource — a setting of the software, not an env the
 * workload's own manifest wrote. The catalogue has no label for it: other.
 */
function copiedSetting(finding: Finding, snapshot: ClusterSnapshot): Finding | undefined {
  const { entity } = finding;
  if (finding.faultType !== 'bad-env' || (entity.kind !== 'StatefulSet' && entity.kind !== 'Deployment'))
    return undefined;
  const said = [finding.summary, ...finding.evidence.map((e) => e.text)].join('\n');
  const workload = [...snapshot.statefulSets, ...snapshot.deployments].find(
    (w) => w.metadata?.namespace === entity.namespace && w.metadata?.name === entity.name,
  );
  const values = (workload?.spec?.template?.spec?.containers ?? [])
    .flatMap((c) => c.env ?? [])
    .flatMap((env) => (env.value && said.includes(env.value) ? [env.value] : []));
  const source = values.length > 0 ? copiedFrom(snapshot, entity, values) : undefined;
  if (!source) return undefined;
  const resource = refOf(source.object.kind, source.object.metadata);
  const { remediation: _generatedObjectPatch, ...rest } = finding;
  return {
    ...rest,
    faultType: 'other',
    entity: resource,
    affects: [entity, ...finding.affects],
    summary: `${resource.kind} ${resource.name} sets ${source.path} = ${source.value}, which ${entity.kind} ${entity.name} runs with word for word: ${finding.summary}`,
    evidence: [
      ...finding.evidence,
      {
        source: 'spec',
        ref: resource,
        text: `${resource.kind} ${resource.name} ${source.path}: ${source.value}, changed at ${lastChange(source.object.metadata)}, before ${entity.kind} ${entity.name} was: its operator writes the ${entity.kind} from it`,
      },
    ],
  };
}

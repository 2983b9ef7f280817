import { fieldAt, isRecord, type KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';
import { invalid, type StatusCause } from './status.ts';

/**
 * The part of the real server's validation a remediation can trip over: names, replicas, containers,
 * requests above limits, a selector that no longer matches its template, immutable selectors and pod specs.
 */

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAMED = new Set(['Namespace', 'Service']);
const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']);

const cause = (field: string, reason: string, message: string): StatusCause => ({ field, reason, message });
const required = (field: string) => cause(field, 'FieldValueRequired', 'Required value');
const invalidValue = (field: string, value: unknown, why: string) =>
  cause(field, 'FieldValueInvalid', `Invalid value: ${JSON.stringify(value)}: ${why}`);

const UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
function quantity(value: unknown): number | undefined {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(String(value));
  if (!match || (match[2] && UNITS[match[2]] === undefined)) return undefined;
  return Number(match[1]) * (match[2] ? UNITS[match[2]]! : 1);
}

function containerCauses(podSpec: unknown, prefix: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = fieldAt(podSpec, 'containers');
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${prefix}.containers`)];
  for (const list of ['initContainers', 'containers']) {
    const entries = fieldAt(podSpec, list);
    if (!Array.isArray(entries)) continue;
    entries.forEach((container, index) => {
      const at = `${prefix}.${list}[${index}]`;
      if (!isRecord(container)) {
        causes.push(invalidValue(at, container, 'must be an object'));
        return;
      }
      if (typeof container.name !== 'string' || !container.name) causes.push(required(`${at}.name`));
      if (typeof container.image !== 'string' || !container.image) causes.push(required(`${at}.image`));
      const requests = fieldAt(container, 'resources.requests');
      const limits = fieldAt(container, 'resources.limits');
      for (const [name, value] of Object.entries(isRecord(requests) ? requests : {})) {
        const amount = quantity(value);
        if (amount === undefined) {
          causes.push(invalidValue(`${at}.resources.requests[${name}]`, value, 'must be a quantity'));
          continue;
        }
        const limit = isRecord(limits) ? limits[name] : undefined;
        const cap = limit === undefined ? undefined : quantity(limit);
        if (cap !== undefined && amount > cap) {
          causes.push(
            invalidValue(`${at}.resources.requests`, value, `must be less than or equal to ${name} limit of ${limit}`),
          );
        }
      }
      for (const [name, value] of Object.entries(isRecord(limits) ? limits : {})) {
        if (quantity(value) === undefined) {
          causes.push(invalidValue(`${at}.resources.limits[${name}]`, value, 'must be a quantity'));
        }
      }
    });
  }
  return causes;
}

function workloadCauses(object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const replicas = fieldAt(object, 'spec.replicas');
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0)) {
    causes.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  }
  const template = fieldAt(object, 'spec.template');
  if (object.kind !== 'ReplicationController' && !isRecord(template)) return [...causes, required('spec.template')];
  causes.push(...containerCauses(fieldAt(template, 'spec'), 'spec.template.spec'));
  const matchLabels = fieldAt(object, 'spec.selector.matchLabels');
  const labels = fieldAt(template, 'metadata.labels');
  if (isRecord(matchLabels) && object.kind !== 'Job') {
    const templateLabels = isRecord(labels) ? labels : {};
    if (!Object.entries(matchLabels).every(([key, value]) => templateLabels[key] === value)) {
      causes.push(
        invalidValue('spec.template.metadata.labels', templateLabels, 'selector does not match template labels'),
      );
    }
  }
  return causes;
}

/** Pod spec fields an update may change; everything else is immutable once created. */
function mutablePodSpecView(spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const copy = structuredClone(spec);
  for (const list of ['containers', 'initContainers']) {
    const containers = copy[list];
    if (Array.isArray(containers)) for (const container of containers) if (isRecord(container)) delete container.image;
  }
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  delete copy.terminationGracePeriodSeconds;
  return copy;
}

function updateCauses(before: KubeObject, after: KubeObject): StatusCause[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (before.kind === 'Pod' && !same(mutablePodSpecView(before.spec), mutablePodSpecView(after.spec))) {
    return [
      cause(
        'spec',
        'FieldValueForbidden',
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    ];
  }
  if (WORKLOADS.has(before.kind) && before.kind !== 'ReplicationController') {
    const selector = fieldAt(before, 'spec.selector');
    if (selector !== undefined && !same(selector, fieldAt(after, 'spec.selector'))) {
      return [invalidValue('spec.selector', fieldAt(after, 'spec.selector'), 'field is immutable')];
    }
  }
  return [];
}

function objectCauses(resource: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = object.metadata.name;
  const pattern = LABEL_NAMED.has(resource.kind) ? LABEL : SUBDOMAIN;
  const maxLength = LABEL_NAMED.has(resource.kind) ? 63 : 253;
  if (!name)
    causes.push(cause('metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required'));
  else if (resource.builtIn && (!pattern.test(name) || name.length > maxLength)) {
    causes.push(
      invalidValue(
        'metadata.name',
        name,
        `a lowercase RFC 1123 ${pattern === LABEL ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      ),
    );
  }
  if (!resource.builtIn) return causes;
  if (WORKLOADS.has(resource.kind)) causes.push(...workloadCauses(object));
  if (resource.kind === 'CronJob') {
    const at = 'spec.jobTemplate.spec.template.spec';
    causes.push(...containerCauses(fieldAt(object, at), at));
  }
  if (resource.kind === 'Pod') causes.push(...containerCauses(object.spec, 'spec'));
  return causes;
}

/**
 * Throws the real server's 422 Invalid Status when the object would be refused. A problem the stored object or
 * the scenario's original of it already had is tolerated: a scenario may hold objects a real server would not
 * have admitted (sometimes the fault itself), and scaling it, or rolling back to it, must still go through.
 */
export function validate(resource: ResourceType, object: KubeObject, tolerated: readonly KubeObject[] = []): void {
  const known = new Set(
    tolerated.flatMap((earlier) => objectCauses(resource, earlier).map((found) => `${found.field} ${found.message}`)),
  );
  const causes = objectCauses(resource, object).filter((found) => !known.has(`${found.field} ${found.message}`));
  const before = tolerated[0];
  if (before && resource.builtIn) causes.push(...updateCauses(before, object));
  if (causes.length > 0) throw invalid(resource, object.metadata.name, causes);
}

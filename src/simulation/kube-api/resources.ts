import type { KubeObject } from './object.ts';

/** One REST resource of the API server: where a kind lives and how it is addressed. */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  /** Versions served, preferred first. */
  versions: string[];
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served besides the object itself (status, scale, log…). */
  subresources: string[];
  /** Served with strategic merge patch (built-in kinds only, like the real server). */
  builtIn: boolean;
}

type Row = [
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  sub?: string,
  short?: string,
];

/** The standard resources every cluster serves, whether or not the scenario holds objects of them. */
const STANDARD: Row[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, 'status,finalize', 'ns'],
  ['', 'v1', 'Node', 'nodes', false, 'status,proxy', 'no'],
  ['', 'v1', 'Pod', 'pods', true, 'status,log,eviction,binding,ephemeralcontainers', 'po'],
  ['', 'v1', 'Service', 'services', true, 'status,proxy', 'svc'],
  ['', 'v1', 'Endpoints', 'endpoints', true, '', 'ep'],
  ['', 'v1', 'ConfigMap', 'configmaps', true, '', 'cm'],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'Event', 'events', true, '', 'ev'],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, 'status', 'pvc'],
  ['', 'v1', 'PersistentVolume', 'persistentvolumes', false, 'status', 'pv'],
  ['', 'v1', 'ResourceQuota', 'resourcequotas', true, 'status', 'quota'],
  ['', 'v1', 'LimitRange', 'limitranges', true, '', 'limits'],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, 'token', 'sa'],
  ['', 'v1', 'ReplicationController', 'replicationcontrollers', true, 'status,scale', 'rc'],
  ['', 'v1', 'PodTemplate', 'podtemplates', true],
  ['apps', 'v1', 'Deployment', 'deployments', true, 'status,scale', 'deploy'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, 'status,scale', 'rs'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true, 'status,scale', 'sts'],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, 'status', 'ds'],
  ['apps', 'v1', 'ControllerRevision', 'controllerrevisions', true],
  ['batch', 'v1', 'Job', 'jobs', true, 'status'],
  ['batch', 'v1', 'CronJob', 'cronjobs', true, 'status', 'cj'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, '', 'netpol'],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, 'status', 'ing'],
  ['networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false],
  // Real clusters serve HorizontalPodAutoscaler as autoscaling/v2 (preferred) and v1.
  ['autoscaling', 'v2,v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, 'status', 'hpa'],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, 'status', 'pdb'],
  ['discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true],
  ['events.k8s.io', 'v1', 'Event', 'events', true, '', 'ev'],
  ['storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, '', 'sc'],
  ['storage.k8s.io', 'v1', 'CSIDriver', 'csidrivers', false],
  ['storage.k8s.io', 'v1', 'VolumeAttachment', 'volumeattachments', false, 'status'],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, '', 'pc'],
  ['coordination.k8s.io', 'v1', 'Lease', 'leases', true],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, 'status', 'crd,crds'],
];

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const versionOf = (apiVersion: string): string => apiVersion.split('/').at(-1)!;
export const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);
/** The resource's identity in messages, as the real server spells it: `deployments.apps`, `pods`. */
export const qualifiedName = (resource: ResourceType): string =>
  resource.group ? `${resource.plural}.${resource.group}` : resource.plural;

/** Every resource the simulated server knows: the standard table plus the scenario's custom kinds. */
export class ResourceTable {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(objects: readonly KubeObject[]) {
    for (const [group, versions, kind, plural, namespaced, sub, short] of STANDARD) {
      this.add({
        group,
        versions: versions.split(','),
        kind,
        plural,
        namespaced,
        subresources: sub ? sub.split(',') : [],
        shortNames: short ? short.split(',') : undefined,
        builtIn: true,
      });
    }
    const definitions = objects.filter((object) => object.kind === 'CustomResourceDefinition');
    for (const object of objects) this.learn(object, objects, definitions);
    // A definition's kind is served before any object of it exists, as on a real server (so it can be created).
    for (const definition of definitions) this.define(definition);
  }

  /** All resources, core first, then groups in name order. */
  all(): ResourceType[] {
    return [...new Set(this.byPath.values())].sort((a, b) => a.group.localeCompare(b.group));
  }

  /** The resource at /api(s)/<group>/<version>/<plural>, if that version is served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const resource = this.byPath.get(`${group}/${plural}`);
    return resource?.versions.includes(version) ? resource : undefined;
  }

  /** The resource an object of this apiVersion and kind is stored under. */
  forObject(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${groupOf(apiVersion)}/${kind}`);
  }

  /** The resource of a kind when no group is given; the core group and built-in kinds win. */
  forKind(kind: string): ResourceType | undefined {
    return this.byKind.get(`/${kind}`) ?? this.all().find((resource) => resource.kind === kind);
  }

  private add(resource: ResourceType): void {
    this.byPath.set(`${resource.group}/${resource.plural}`, resource);
    if (!this.byKind.has(`${resource.group}/${resource.kind}`)) {
      this.byKind.set(`${resource.group}/${resource.kind}`, resource);
    }
  }

  /** Registers the kind a CustomResourceDefinition declares, in every version it serves. */
  private define(definition: KubeObject): void {
    const spec = definition.spec as
      | {
          group?: string;
          scope?: string;
          names?: { kind?: string; plural?: string; shortNames?: string[] };
          versions?: { name?: string; served?: boolean; subresources?: { status?: unknown; scale?: unknown } }[];
        }
      | undefined;
    const served = (spec?.versions ?? []).filter((version) => version.served !== false && version.name);
    if (!spec?.group || !spec.names?.kind || !spec.names.plural || served.length === 0) return;
    if (this.byKind.has(`${spec.group}/${spec.names.kind}`)) return;
    const subresources = served[0]!.subresources ?? {};
    this.add({
      group: spec.group,
      versions: served.map((version) => version.name!),
      kind: spec.names.kind,
      plural: spec.names.plural,
      namespaced: spec.scope !== 'Cluster',
      shortNames: spec.names.shortNames,
      subresources: Object.keys(subresources).filter((name) => name === 'status' || name === 'scale'),
      builtIn: false,
    });
  }

  /** Registers an object's kind, or another version of a known one, as it appears in the scenario. */
  private learn(object: KubeObject, objects: readonly KubeObject[], definitions: readonly KubeObject[]): void {
    const group = groupOf(object.apiVersion);
    const version = versionOf(object.apiVersion);
    const known = this.byKind.get(`${group}/${object.kind}`);
    if (known) {
      if (!known.versions.includes(version)) known.versions.push(version);
      return;
    }
    const definition = definitions.find((crd) => {
      const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
      return spec?.group === group && spec.names?.kind === object.kind;
    });
    const names = (definition?.spec as { names?: { plural?: string; shortNames?: string[] } } | undefined)?.names;
    const scope = (definition?.spec as { scope?: string } | undefined)?.scope;
    this.add({
      group,
      versions: [version],
      kind: object.kind,
      plural: object.metadata.annotations?.['scenario/plural'] ?? names?.plural ?? `${object.kind.toLowerCase()}s`,
      // Without a definition, a kind is namespaced when any of its objects has a namespace.
      namespaced: scope
        ? scope === 'Namespaced'
        : objects.some((other) => other.kind === object.kind && other.metadata.namespace !== undefined),
      shortNames: names?.shortNames,
      subresources: [],
      builtIn: false,
    });
  }
}

import { apiVersionOf, type ResourceTable, type ResourceType } from './resources.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  eviction: ['create'],
  binding: ['create'],
  token: ['create'],
  proxy: ['create', 'delete', 'get', 'patch', 'update'],
  finalize: ['update'],
  ephemeralcontainers: ['get', 'patch', 'update'],
};
const SUBRESOURCE_KIND: Record<string, string> = {
  scale: 'Scale',
  eviction: 'Eviction',
  binding: 'Binding',
  token: 'TokenRequest',
  proxy: 'NodeProxyOptions',
  log: 'Pod',
};

/** GET /api: the core group's versions. */
export const coreVersions = (serverAddress: string) => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
});

function groups(table: ResourceTable): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const resource of table.all()) {
    if (!resource.group) continue;
    const versions = byGroup.get(resource.group) ?? [];
    for (const version of resource.versions) if (!versions.includes(version)) versions.push(version);
    byGroup.set(resource.group, versions);
  }
  return byGroup;
}

const apiGroup = (name: string, versions: string[]) => {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
};

/** GET /apis: every non-core group with its versions. */
export const groupList = (table: ResourceTable) => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [...groups(table)].map(([name, versions]) => apiGroup(name, versions)),
});

/** GET /apis/<group>; undefined when the group is not served. */
export function group(table: ResourceTable, name: string) {
  const versions = groups(table).get(name);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name, versions) } : undefined;
}

function entries(resource: ResourceType) {
  const singularName = resource.kind.toLowerCase();
  return [
    {
      name: resource.plural,
      singularName,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: VERBS,
      ...(resource.shortNames ? { shortNames: resource.shortNames } : {}),
      storageVersionHash: '',
    },
    ...resource.subresources.map((sub) => ({
      name: `${resource.plural}/${sub}`,
      singularName: '',
      namespaced: resource.namespaced,
      ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
      kind: SUBRESOURCE_KIND[sub] ?? resource.kind,
      verbs: SUBRESOURCE_VERBS[sub] ?? ['get'],
    })),
  ];
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when that version is not served. */
export function resourceList(table: ResourceTable, group: string, version: string) {
  const served = table.all().filter((resource) => resource.group === group && resource.versions.includes(version));
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(group, version),
    resources: served.flatMap(entries),
  };
}

/** The media type of aggregated discovery (Kubernetes 1.30 GA): every group's resources in one answer to GET /apis. */
export const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether a GET /apis asks for aggregated discovery (clients offer it first, the plain group list after it). */
export const wantsAggregated = (accept: string | undefined): boolean =>
  /as=APIGroupDiscoveryList/.test(accept ?? '') && /v=v2(?!beta)/.test(accept ?? '');

/** GET /apis as APIGroupDiscoveryList: every non-core group, each version with its resources, kinds and scope. */
export function aggregatedGroupList(table: ResourceTable) {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [...groups(table)].map(([name, versions]) => ({
      metadata: { name },
      versions: versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: table
          .all()
          .filter((resource) => resource.group === name && resource.versions.includes(version))
          .map((resource) => ({
            resource: resource.plural,
            responseKind: { group: name, version, kind: resource.kind },
            scope: resource.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: resource.kind.toLowerCase(),
            verbs: VERBS,
          })),
      })),
    })),
  };
}

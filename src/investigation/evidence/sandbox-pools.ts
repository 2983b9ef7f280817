import { builtInGroup, type CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { rangesIn } from './address-pools.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A pod whose sandbox the network plugin cannot set up because it finds no address for the pod's node (`failed to
 * request IPv4 addresses: no configured … pools for node …`): the plugin allocates from pools it keeps as custom
 * resources of its own API group, each scoped to nodes. The plugin names itself in the kubelet's message
 * (`plugin type="<name>"`); its group is spelled with that word. Found through discovery, never by a product's name.
 */

type Event = ClusterSnapshot['events'][number];

/** The kubelet could not create the pod's sandbox. */
const SANDBOX_FAILED = /PodSandBox/;
/** Because the network plugin found no address to give: no pool, no free address, address management failed. */
const NO_ADDRESS =
  /(?:request|allocate|assign)\w* .*address|no (?:configured )?\S*\s*(?:ip )?pools?|ipam|no (?:ip )?addresses available/i;
/** How the runtime names the network plugin that failed (`plugin type="name"`). */
const PLUGIN = /plugin type="?([a-z0-9][a-z0-9-]{2,})/i;

/** A sandbox failure for want of an address, with the plugin that reported it. */
export interface AddressFailure {
  event: Event;
  plugin: string;
}

/** The Warning events of pods whose sandbox fails for want of an address, with the plugin that says so. */
export function addressFailures(events: readonly Event[]): AddressFailure[] {
  return events.flatMap((event) => {
    const message = event.message ?? '';
    if (event.involvedObject?.kind !== 'Pod' || !SANDBOX_FAILED.test(event.reason ?? '') || !NO_ADDRESS.test(message))
      return [];
    const plugin = PLUGIN.exec(message)?.[1]?.toLowerCase();
    return plugin ? [{ event, plugin }] : [];
  });
}

/** Whether an extension group is the plugin's: one of its words holds the plugin's name (`crd.example-plugin.org`). */
export const pluginGroup = (group: string, plugin: string): boolean =>
  !builtInGroup(group) &&
  group
    .toLowerCase()
    .split('.')
    .some((part) => part.includes(plugin));

/** Words of a kind's name that say it holds addresses to allocate from. */
const POOL_KIND = /pool|range|address|block/i;

/** Pool kinds listed, at most. */
const MAX_POOL_KINDS = 2;

/** The plugin's kinds that hold addresses, the pools first. */
function poolKinds(groups: readonly ServedGroup[], plugins: readonly string[]) {
  return groups
    .filter(({ group }) => plugins.some((plugin) => pluginGroup(group, plugin)))
    .flatMap(({ group, resources = [] }) =>
      resources.filter((r) => POOL_KIND.test(r.kind)).map((r) => ({ group, ...r })),
    )
    .sort((a, b) => Number(/pool/i.test(b.kind)) - Number(/pool/i.test(a.kind)))
    .slice(0, MAX_POOL_KINDS);
}

/**
 * Pods' sandboxes fail for want of an address: the plugin's pool kinds, cluster-wide (a plugin keeps its pools where
 * it runs, or cluster-scoped). The failure is stated, so they come first.
 */
export function sandboxPoolLists(snapshot: ClusterSnapshot): WantedList[] {
  const failures = addressFailures(snapshot.events);
  if (failures.length === 0) return [];
  const plugins = [...new Set(failures.map((failure) => failure.plugin))];
  return poolKinds(snapshot.apiGroups, plugins).map(({ group, version, plural, kind }) => ({
    resource: { group, version, plural, kind },
    why: `pod sandboxes fail: the ${plugins.join(', ')} network plugin finds no address for their node`,
    relevance: 4,
  }));
}

/** The plugin's pools read: its group's objects whose spec holds an address range. */
export function pluginPools(snapshot: ClusterSnapshot, plugin: string): CustomObject[] {
  return snapshot.customObjects.filter(
    (object) => pluginGroup(object.apiVersion.split('/')[0] ?? '', plugin) && rangesIn(object.spec).length > 0,
  );
}

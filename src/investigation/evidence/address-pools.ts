import type { CustomObject } from './custom-object.ts';
import { builtInGroup } from './custom-object.ts';
import { eventTime } from './events.ts';
import { specStrings } from './governing-resources.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The address pool of a LoadBalancer Service left without an address, found from beyond its namespace through what
 * reports the failure — never by a product's name: the component that reports failing to allocate the address owns an
 * API group spelled with its own word, whose objects hold address ranges.
 */

type Service = ClusterSnapshot['services'][number];
type Event = ClusterSnapshot['events'][number];

/** A LoadBalancer Service the load balancer has given no address. */
export const unallocated = (service: Service): boolean =>
  service.spec?.type === 'LoadBalancer' && (service.status?.loadBalancer?.ingress ?? []).length === 0;

/** The Warning events about a Service. */
export const warningsAbout = (snapshot: ClusterSnapshot, service: Service): Event[] =>
  snapshot.events.filter(
    (event) =>
      event.type === 'Warning' &&
      event.involvedObject?.kind === 'Service' &&
      event.involvedObject.name === service.metadata?.name &&
      (event.involvedObject.namespace ?? event.metadata?.namespace) === service.metadata?.namespace,
  );

/** The first word of the component that reported an event (`lb-controller` → `lb`): what it calls itself. */
function reporterWord(event: Event): string | undefined {
  const component = event.reportingComponent || event.source?.component || '';
  const word = component.toLowerCase().split(/[^a-z0-9]+/)[0];
  return word && word.length >= 3 ? word : undefined;
}

/** Whether an extension group is spelled with the component's word (`lb-controller` → `lb.example.io`). */
const groupOfReporter = (group: string, word: string): boolean =>
  !builtInGroup(group) && group.toLowerCase().split('.').includes(word);

/** Words of a kind's name that say it holds addresses to allocate from. */
const ADDRESS_KIND = /pool|address|range|\bip/i;

/**
 * The custom kinds of the groups of the components that report the Service's Warning events, the kinds that hold
 * addresses first.
 */
export function reporterKinds(groups: readonly ServedGroup[], warnings: readonly Event[]) {
  const words = [...new Set(warnings.map(reporterWord).filter((w): w is string => Boolean(w)))];
  return groups
    .filter(({ group }) => words.some((word) => groupOfReporter(group, word)))
    .flatMap(({ group, resources = [] }) => resources.map((r) => ({ group, ...r })))
    .sort((a, b) => Number(ADDRESS_KIND.test(b.kind)) - Number(ADDRESS_KIND.test(a.kind)));
}

/** The pools a reporting component keeps: custom objects of its group whose spec holds address ranges. */
export function addressPools(snapshot: ClusterSnapshot, warnings: readonly Event[]): CustomObject[] {
  const words = warnings.map(reporterWord).filter((w): w is string => Boolean(w));
  return snapshot.customObjects.filter(
    (object) =>
      words.some((word) => groupOfReporter(object.apiVersion.split('/')[0] ?? '', word)) &&
      rangesIn(object.spec).length > 0,
  );
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const ipValue = (ip: string): number | undefined => {
  const parts = IPV4.exec(ip.trim())?.slice(1).map(Number);
  if (!parts || parts.some((p) => p > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
};

/** The address range a value spells: `a.b.c.d/n` or `a.b.c.d-e.f.g.h`, as [first, last]. */
function rangeOf(value: string): [number, number][] {
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(value.trim());
  const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(value.trim());
  if (cidr) {
    const base = ipValue(cidr[1] as string);
    const bits = Number(cidr[2]);
    if (base === undefined || bits > 32) return [];
    const size = 2 ** (32 - bits);
    const first = Math.floor(base / size) * size;
    return [[first, first + size - 1]];
  }
  if (!range) return [];
  const [a, b] = [ipValue(range[1] as string), ipValue(range[2] as string)];
  return a !== undefined && b !== undefined ? [[a, b]] : [];
}

/** Address ranges a spec holds anywhere, as [first, last]. */
export const rangesIn = (spec: unknown): [number, number][] => specStrings(spec).flatMap(rangeOf);

/** IPv4 addresses quoted in a text. */
export const addressesIn = (text: string): string[] =>
  [...text.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)].map((m) => m[0]).filter((ip) => ipValue(ip) !== undefined);

/** Whether an address lies in one of the ranges. */
export const inRanges = (ip: string, ranges: readonly [number, number][]): boolean => {
  const value = ipValue(ip);
  return value !== undefined && ranges.some(([first, last]) => value >= first && value <= last);
};

/** The earliest time of the events (their first occurrence). */
export const firstOf = (events: readonly Event[]): string | undefined =>
  events
    .map((event) => (event.firstTimestamp ? String(event.firstTimestamp) : eventTime(event)))
    .filter((t): t is string => Boolean(t))
    .sort()[0];

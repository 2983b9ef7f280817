import { editDistance } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A DNS name under a domain nothing else in the cluster uses, one letter away from a domain its pods do use (the
 * registry their images come from, the hosts their settings name): the name is misspelt, so no DNS server will ever
 * answer it — unlike a well-spelt name of a host that was retired.
 */

const HOST = /\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b/gi;
/** Shortest domain compared: shorter ones (`a.io`) are one letter from too many others. */
const MIN_DOMAIN = 6;

/** The domain of a host: its last two labels (`x.cache.amazonaws.com` → `amazonaws.com`); undefined for an address. */
function domainOf(host: string): string | undefined {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length < 2 || labels.every((label) => /^\d+$/.test(label))) return undefined;
  return labels.slice(-2).join('.');
}

/** Domains named by the pods read: their images' registries and the hosts their env values name. */
function domainsInUse(snapshot: ClusterSnapshot): Set<string> {
  const texts = snapshot.pods.flatMap((pod) =>
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].flatMap((container) => [
      container.image ?? '',
      ...(container.env ?? []).map((env) => env.value ?? ''),
    ]),
  );
  const domains = texts.flatMap((text) => [...text.matchAll(HOST)].map((m) => domainOf(m[0])));
  return new Set(domains.filter((domain): domain is string => domain !== undefined));
}

/** The domain in use that the host's own domain misspells, when it does. */
export function misspeltDomain(host: string, snapshot: ClusterSnapshot): string | undefined {
  const own = domainOf(host);
  if (!own || own.length < MIN_DOMAIN) return undefined;
  const used = domainsInUse(snapshot);
  if (used.has(own)) return undefined;
  return [...used].find((domain) => domain.length >= MIN_DOMAIN && editDistance(domain, own) === 1);
}

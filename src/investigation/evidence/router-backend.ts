import type { Alert } from '../../alert/alert.ts';
import { GENERIC_LABELS, serviceLabelValues } from '../focus.ts';
import { wordRuns } from './backend-words.ts';
import { serviceNameOf } from './hosts.ts';
import { wordsOf } from './word-stem.ts';

/**
 * Label names that say their value is a routing object or its backend, whatever it looks like: APISIX's `route`, an
 * `upstream` or `backend`, an `ingress` or `httproute`, Envoy's `envoy_cluster_name` (Emissary spells a backend
 * `cluster_<service>_<namespace>_<port>`, with `_` only).
 */
const ROUTING_LABEL =
  /(?:^|_)(?:route|httproute|grpcroute|ingress|upstream|backend|mapping)(?:_name)?$|(?:^|_)cluster_name$/;

/**
 * Label values that are a router's name for a backend rather than a Service name: a service label carrying `@`, `/`,
 * `_` or `|`, which no Service name does (Traefik `<namespace>-<route>-<service>-<port>@<provider>`, Envoy
 * `<namespace>_<service>_<port>`), or any label carrying `@`, `/` or `|` (Contour's `envoy_cluster_name`
 * `<namespace>/<service>/<port>/<hash>`, Envoy Gateway's `httproute/<namespace>/<route>/rule/0`,
 * `outbound|80||<service>.<namespace>.svc…`), or any label whose name says it is one (ROUTING_LABEL). URLs, paths and the alerting machinery's own labels (kube-prometheus'
 * `prometheus="monitoring/k8s"`) are not.
 */
export function routerBackendIds(alert: Alert): string[] {
  const services = serviceLabelValues(alert).filter((value) => /[@/_|]/.test(value));
  const others = Object.entries(alert.labels)
    .filter(([label, value]) => !GENERIC_LABELS.has(label) && (/[@/|]/.test(value) || ROUTING_LABEL.test(label)))
    .map(([, value]) => value);
  return [...new Set([...services, ...others])].filter((value) => !value.includes('://') && !value.startsWith('/'));
}

/**
 * Without a namespace label, also the router ids that separate their parts with dots (Kong's route
 * `<namespace>.<ingress>.<host>.<path>` and service `<namespace>.<service>.<port>`): the namespace list read to locate
 * the alert tells whether one of the parts is a namespace. Hosts and versions carry dots too; they name no namespace,
 * or the one they are served from.
 */
export function unlabelledRouterIds(alert: Alert): string[] {
  const dotted = Object.entries(alert.labels)
    .filter(([label, value]) => !GENERIC_LABELS.has(label) && value.includes('.') && !/^[\d.:]+$/.test(value))
    .map(([, value]) => value)
    .filter((value) => !value.includes('://') && !value.startsWith('/') && !/\s/.test(value));
  return [...new Set([...routerBackendIds(alert), ...dotted])];
}

/**
 * Labels whose values are built from names, but not from the names of what serves the request (a container image
 * `registry/team/api:1.2`, a file path).
 */
const NOT_A_BACKEND = /(?:^|_)(?:image|path|file|url_path|version)$/;

/**
 * Every other label's value that may name a backend in a router's or proxy's own spelling, whatever the label is
 * called (HAProxy's `proxy="<namespace>_<service>_<port>"`, a `target` or `dst` carrying a URL or
 * `<service>.<namespace>.svc:<port>`): values joining names with `_`, `.`, `:` or `/`. A URL counts by its host, a port
 * is dropped. Such a
 * value is weaker than a label that says it names a backend: it counts only when a Service of the cluster is found in
 * it (locate-namespace.ts).
 */
export function looseBackendIds(alert: Alert): string[] {
  const firm = new Set(routerBackendIds(alert));
  const values = Object.entries(alert.labels)
    .filter(([label, value]) => (!GENERIC_LABELS.has(label) || isProbeTarget(value)) && !NOT_A_BACKEND.test(label))
    .map(([, value]) => urlHost(value.trim()).replace(/:\d{1,5}$/, ''))
    .filter((value) => /[_.:/]/.test(value) && !/\s/.test(value) && !/^[\d.:]+$/.test(value) && !value.startsWith('/'));
  return [...new Set(values)].filter((value) => !firm.has(value));
}

/**
 * A URL with a scheme names where requests go, whatever label carries it: a scrape's `instance` is the exporter's own
 * `host:port` and never has one, but a probe's (blackbox, synthetic checks) is the URL it probes, so a URL in a label
 * of the alerting machinery names the probed target, not the prober's namespace.
 */
export const isProbeTarget = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim());

/** The URLs the alert's labels give as probe targets (see isProbeTarget). */
export const probeTargets = (alert: Alert): string[] => Object.values(alert.labels).filter(isProbeTarget);

/** A URL's `host[:port]`; any other value as it is. */
const urlHost = (value: string): string =>
  /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@\s]+@)?([^/?#\s]+)/i.exec(value)?.[1] ?? value;

export interface EncodedBackend {
  namespace: string;
  /** What the id says after the namespace, port dropped: `<route>-<service>` or `<service>`. */
  rest: string;
}

/**
 * The namespace a router's backend id names: the one its cluster DNS name gives, the first of its separated parts that
 * is a namespace of the cluster, or the longest namespace that prefixes it (`shop-web-…` is `shop-web` rather than
 * `shop`); undefined when none does.
 */
export function decodeBackend(id: string, namespaces: string[]): EncodedBackend | undefined {
  const bare = id.replace(/@[^@]*$/, '').toLowerCase();
  const parts = bare.split(/[/_|]/).filter(Boolean);
  for (const part of parts) {
    const named = part.includes('.svc') ? serviceNameOf(part, '') : undefined;
    if (named?.namespace && namespaces.includes(named.namespace))
      return { namespace: named.namespace, rest: named.name };
  }
  // Separated forms name the namespace, then the Service (or route) right after it; dots separate too (Kong).
  for (const separated of [parts, bare.split(/[/_|.]/).filter(Boolean)]) {
    const at = separated.length > 1 ? separated.findIndex((part) => namespaces.includes(part)) : -1;
    const name = separated[at + 1];
    if (at >= 0 && name) return { namespace: separated[at] as string, rest: withoutPort(name) };
  }
  // A routing label naming a namespace alone (APISIX `route="<name>"`, a route named after the namespace it serves).
  if (parts.length === 1 && namespaces.includes(bare)) return { namespace: bare, rest: '' };
  const prefix = namespaces
    .filter((namespace) => bare.startsWith(`${namespace}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix) return { namespace: prefix, rest: withoutPort(bare.slice(prefix.length + 1)) };
  // Any other spelling (`k8s:<namespace>:<service>:<port>`, `<namespace>--<service>`): the namespace whose words occur
  // in a row in the id's, the one of most words; what the Service is, its words tell (serviceInId).
  const words = wordsOf(bare);
  const spelled = namespaces
    .filter((namespace) => wordRuns(words, namespace).length > 0)
    .sort((a, b) => wordsOf(b).length - wordsOf(a).length)[0];
  return spelled ? { namespace: spelled, rest: '' } : undefined;
}

const withoutPort = (rest: string): string => rest.replace(/[-:]\d{1,5}$/, '');

/** The Service the rest of a backend id ends with (`shop-web` in `site-shop-web`), the longest when several do. */
export function backendService(rest: string, services: string[]): string | undefined {
  return services
    .filter((service) => rest === service || rest.endsWith(`-${service}`))
    .sort((a, b) => b.length - a.length)[0];
}

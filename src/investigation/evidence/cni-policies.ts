import { asRecord, type CustomObject, type ServedCustomKind, servedCustomKinds } from './custom-object.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Network policies of the cluster's network plugin (CNI): custom kinds whose name says they are network policies
 * (`…NetworkPolicy` in any group but Kubernetes' own — a Cilium, Calico or Antrea policy, namespaced or clusterwide)
 * do a NetworkPolicy's job. They are read as NetworkPolicies: which pods they select, and which peers and ports their
 * rules admit, in the Kubernetes shape the network-policy detector reasons on, keeping their own kind.
 */

type NetworkPolicy = ClusterSnapshot['networkPolicies'][number];
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Expression[] };
type Expression = { key: string; operator: string; values?: string[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type Port = { port?: number | string; protocol?: string };
type Rule = { peers?: Peer[]; ports?: Port[] };

/** The network-policy kinds of the cluster's network plugin, as aggregated discovery names them. */
export function cniPolicyKinds(groups: readonly ServedGroup[]): ServedCustomKind[] {
  return servedCustomKinds(groups, (r) => /NetworkPolicy$/.test(r.kind));
}

// Cilium writes Kubernetes labels of endpoints with a source prefix, and the namespace as a label of its own.
const SOURCE_PREFIX = /^(k8s|any|container|reserved):/;
const NAMESPACE_LABELS = new Set(['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace']);
const NAME_LABEL = 'kubernetes.io/metadata.name';

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A Cilium endpoint selector as a peer: its namespace label becomes a namespace selector, its prefixes go. */
function ciliumPeer(selector: unknown): Peer {
  const labels = asRecord(asRecord(selector).matchLabels) as Record<string, string>;
  const pod: Record<string, string> = {};
  let namespace: string | undefined;
  for (const [key, value] of Object.entries(labels)) {
    if (NAMESPACE_LABELS.has(key)) namespace = value;
    else pod[key.replace(SOURCE_PREFIX, '')] = value;
  }
  const expressions = asArray(asRecord(selector).matchExpressions) as Expression[];
  return {
    podSelector: {
      matchLabels: pod,
      ...(expressions.length > 0
        ? { matchExpressions: expressions.map((e) => ({ ...e, key: e.key.replace(SOURCE_PREFIX, '') })) }
        : {}),
    },
    ...(namespace ? { namespaceSelector: { matchLabels: { [NAME_LABEL]: namespace } } } : {}),
  };
}

const ciliumPorts = (rule: Record<string, unknown>): Port[] =>
  asArray(rule.toPorts).flatMap((toPorts) =>
    asArray(asRecord(toPorts).ports).map((p) => {
      const port = asRecord(p);
      const number = Number(port.port);
      return { port: Number.isFinite(number) ? number : String(port.port), protocol: String(port.protocol ?? 'TCP') };
    }),
  );

/**
 * Destinations named by DNS name (Cilium's `toFQDNs`) or as an entity outside the cluster's pods (`world`, `host`): no pod
 * of the cluster, and outside addresses not known in advance.
 * Written as an ipBlock that excepts its whole range — which no Kubernetes NetworkPolicy can be (its exceptions must lie
 * strictly inside its range) — so that it admits no pod, while namedByDns tells the outside addresses it may admit.
 */
export const BY_DNS_NAME = { cidr: '0.0.0.0/0', except: ['0.0.0.0/0'] } as const;

/** Whether an ipBlock stands for destinations named by DNS name (BY_DNS_NAME): any outside address may be one. */
export const namedByDns = (block: { cidr: string; except?: string[] }): boolean =>
  block.except?.includes(block.cidr) === true;

/** The peers a Cilium rule names by address or DNS name on one side (`to…` or `from…`): ipBlocks, none of them pods. */
function addressPeers(rule: Record<string, unknown>, side: 'from' | 'to'): Peer[] {
  const sets = asArray(rule[`${side}CIDRSet`]).map(asRecord);
  return [
    ...asArray(rule[`${side}CIDR`]).map((cidr) => ({ ipBlock: { cidr: String(cidr) } })),
    ...sets
      .filter((set) => typeof set.cidr === 'string')
      .map((set) => {
        const except = asArray(set.except).map(String);
        return { ipBlock: { cidr: String(set.cidr), ...(except.length > 0 ? { except } : {}) } };
      }),
    ...(side === 'to' && asArray(rule.toFQDNs).length > 0
      ? [{ ipBlock: { cidr: BY_DNS_NAME.cidr, except: [...BY_DNS_NAME.except] } }]
      : []),
  ];
}

/**
 * A Cilium rule's peers: endpoints (any namespace unless the selector names one), entities (`all`, `cluster`: every pod;
 * the others none), and addresses or DNS names (CIDRs, FQDNs). A rule naming no peer admits every destination on its ports.
 */
function ciliumRule(rule: Record<string, unknown>, side: 'from' | 'to', home?: string): Rule {
  const [endpoints, entities] = side === 'from' ? ['fromEndpoints', 'fromEntities'] : ['toEndpoints', 'toEntities'];
  const everyone = asArray(rule[entities]).some((e) => ['all', 'cluster'].includes(String(e)));
  const selected = everyone
    ? [{ namespaceSelector: {} }]
    : asArray(rule[endpoints]).map((selector) => {
        const peer = ciliumPeer(selector);
        // An endpoint selector without a namespace matches the policy's own namespace (all, for a clusterwide one).
        return peer.namespaceSelector
          ? peer
          : { ...peer, namespaceSelector: home ? { matchLabels: { [NAME_LABEL]: home } } : {} };
      });
  // Entities other than the cluster's (world, host, kube-apiserver…) are no pod: like a DNS name, they admit none, and
  // some outside address (world's any).
  const others = asArray(rule[entities]).some((e) => !['all', 'cluster'].includes(String(e)));
  const outside = others ? [{ ipBlock: { cidr: BY_DNS_NAME.cidr, except: [...BY_DNS_NAME.except] } }] : [];
  const peers = [...selected, ...addressPeers(rule, side), ...outside];
  return { peers, ports: ciliumPorts(rule) };
}

function fromCilium(spec: Record<string, unknown>, home?: string): Shape {
  const ingress =
    'ingress' in spec ? asArray(spec.ingress).map((r) => ciliumRule(asRecord(r), 'from', home)) : undefined;
  const egress = 'egress' in spec ? asArray(spec.egress).map((r) => ciliumRule(asRecord(r), 'to', home)) : undefined;
  return { selector: ciliumPeer(spec.endpointSelector).podSelector ?? {}, ingress, egress };
}

// Calico labels every workload endpoint with its namespace, and every namespace with its name, under its own keys.
const CALICO_NAMESPACE_KEYS = new Set(['projectcalico.org/namespace', 'projectcalico.org/name']);

const quoted = (text: string): string[] => [...text.matchAll(/["']([^"']*)["']/g)].map((m) => m[1] as string);

/** One term of a Calico selector as a label expression; undefined for what it cannot read (`all()`, functions). */
function calicoTerm(term: string): Expression | undefined {
  const t = term.trim();
  let m = /^([\w./-]+)\s*(==|!=)\s*["']([^"']*)["']$/.exec(t);
  if (m) return { key: m[1] as string, operator: m[2] === '==' ? 'In' : 'NotIn', values: [m[3] as string] };
  m = /^([\w./-]+)\s+(not\s+)?in\s*\{(.*)\}$/.exec(t);
  if (m) return { key: m[1] as string, operator: m[2] ? 'NotIn' : 'In', values: quoted(m[3] as string) };
  m = /^(!)?\s*has\(\s*([\w./-]+)\s*\)$/.exec(t);
  if (m) return { key: m[2] as string, operator: m[1] ? 'DoesNotExist' : 'Exists' };
  return undefined;
}

/**
 * A Calico selector (`app == 'db' && tier in {'a','b'}`, `has(x)`, `all()`) as label matches, its terms on the
 * namespace (Calico's own namespace keys) apart as a selector of namespaces by name; what it cannot read, it drops.
 */
function calicoSelector(expression: unknown): { pods: Selector; namespaces?: Selector } {
  const pods: Expression[] = [];
  const namespaces: Expression[] = [];
  for (const term of String(expression ?? '').split('&&')) {
    const read = calicoTerm(term);
    if (!read) continue;
    if (CALICO_NAMESPACE_KEYS.has(read.key)) namespaces.push({ ...read, key: NAME_LABEL });
    else pods.push(read);
  }
  return {
    pods: asLabelSelector(pods),
    ...(namespaces.length > 0 ? { namespaces: asLabelSelector(namespaces) } : {}),
  };
}

/** Expressions as a label selector: a single required value is a plain label match. */
function asLabelSelector(expressions: Expression[]): Selector {
  const exact = expressions.filter((e) => e.operator === 'In' && e.values?.length === 1);
  const rest = expressions.filter((e) => !exact.includes(e));
  return {
    matchLabels: Object.fromEntries(exact.map((e) => [e.key, e.values?.[0] as string])),
    ...(rest.length > 0 ? { matchExpressions: rest } : {}),
  };
}

/** Whether a Calico rule's side matches only by address (`nets`, `notNets`): no pod is picked by it. */
const byAddressOnly = (peer: Record<string, unknown>): boolean =>
  (peer.nets !== undefined || peer.notNets !== undefined) &&
  peer.selector === undefined &&
  peer.namespaceSelector === undefined;

/**
 * Calico's rules that let traffic on: Allow, and Pass (it hands the traffic on to what comes after the policy, so the
 * policy does not stop it); a Deny admits nothing. The source (ingress) or destination (egress) is the peer; a rule
 * matching by address only (`nets`) admits those addresses (an ipBlock), no pod of the cluster.
 */
function calicoRules(rules: unknown, side: 'source' | 'destination', home?: string): Rule[] {
  return asArray(rules)
    .map(asRecord)
    .filter((rule) => ['Allow', 'Pass'].includes(String(rule.action ?? 'Allow')))
    .map((rule) => {
      const peer = asRecord(rule[side]);
      const protocol = rule.protocol === undefined ? {} : { protocol: String(rule.protocol) };
      const ports = asArray(asRecord(rule.destination).ports).map((port) => ({
        port: Number(port) || String(port),
        ...protocol,
      }));
      if (byAddressOnly(peer)) {
        const except = asArray(peer.notNets).map(String);
        const cidrs = peer.nets === undefined ? ['0.0.0.0/0'] : asArray(peer.nets).map(String);
        return { peers: cidrs.map((cidr) => ({ ipBlock: { cidr, ...(except.length > 0 ? { except } : {}) } })), ports };
      }
      const selected = calicoSelector(peer.selector);
      const namespace =
        peer.namespaceSelector !== undefined
          ? calicoSelector(peer.namespaceSelector).pods
          : (selected.namespaces ?? (home ? { matchLabels: { [NAME_LABEL]: home } } : {}));
      const peers =
        peer.selector === undefined && peer.namespaceSelector === undefined
          ? []
          : [{ podSelector: selected.pods, namespaceSelector: renameNamespaceKeys(namespace) }];
      return { peers, ports };
    });
}

/** A namespace selector written with Calico's namespace-name key reads the name label every namespace carries. */
const renameNamespaceKeys = (selector: Selector): Selector => ({
  ...(selector.matchLabels ? { matchLabels: selector.matchLabels } : {}),
  ...(selector.matchExpressions
    ? {
        matchExpressions: selector.matchExpressions.map((e) =>
          CALICO_NAMESPACE_KEYS.has(e.key) ? { ...e, key: NAME_LABEL } : e,
        ),
      }
    : {}),
});

function fromCalico(spec: Record<string, unknown>, home?: string): Shape {
  const types = asArray(spec.types).map(String);
  const has = (type: string, key: string) => types.includes(type) || (types.length === 0 && key in spec);
  return {
    selector: calicoSelector(spec.selector).pods,
    ingress: has('Ingress', 'ingress') ? calicoRules(spec.ingress, 'source', home) : undefined,
    egress: has('Egress', 'egress') ? calicoRules(spec.egress, 'destination', home) : undefined,
  };
}

/** Antrea's shape is Kubernetes' own, applied through `appliedTo` and with actions on its rules. */
function fromAntrea(spec: Record<string, unknown>, home?: string): Shape {
  const rules = (list: unknown, side: 'from' | 'to'): Rule[] =>
    asArray(list)
      .map(asRecord)
      .filter((rule) => String(rule.action ?? 'Allow') === 'Allow')
      .map((rule) => ({
        peers: asArray(rule[side]).map((p) => {
          const peer = asRecord(p) as Peer;
          return peer.namespaceSelector || !home
            ? peer
            : { ...peer, namespaceSelector: { matchLabels: { [NAME_LABEL]: home } } };
        }),
        ports: asArray(rule.ports) as Port[],
      }));
  const applied = asArray(spec.appliedTo).map((a) => asRecord(a).podSelector as Selector | undefined)[0] ?? {};
  return {
    selector: applied,
    ingress: 'ingress' in spec ? rules(spec.ingress, 'from') : undefined,
    egress: 'egress' in spec ? rules(spec.egress, 'to') : undefined,
  };
}

interface Shape {
  selector: Selector;
  ingress: Rule[] | undefined;
  egress: Rule[] | undefined;
}

/** The plugin's dialect, told by the spec's own fields (never by the group's name). */
function shapeOf(spec: Record<string, unknown>, home?: string): Shape | undefined {
  if ('endpointSelector' in spec) return fromCilium(spec, home);
  if ('appliedTo' in spec) return fromAntrea(spec, home);
  if ('selector' in spec || 'types' in spec) return fromCalico(spec, home);
  return undefined;
}

/**
 * The CNI policies read, as NetworkPolicies of their own kind: a clusterwide one has no namespace and selects pods in
 * every namespace (graph.policiesSelecting).
 */
export function asNetworkPolicies(
  objects: readonly CustomObject[],
  kinds: readonly ServedCustomKind[],
): NetworkPolicy[] {
  const policyKinds = new Set(kinds.map((k) => k.kind));
  return objects.flatMap((object) => {
    if (!policyKinds.has(object.kind)) return [];
    const home = object.metadata?.namespace;
    const shape = shapeOf(asRecord(object.spec), home);
    if (!shape) return [];
    const rule = (side: 'from' | 'to') => (r: Rule) => ({
      ...(r.ports && r.ports.length > 0 ? { ports: r.ports } : {}),
      ...(r.peers && r.peers.length > 0 ? { [side]: r.peers } : {}),
    });
    const policyTypes = [...(shape.ingress ? ['Ingress'] : []), ...(shape.egress ? ['Egress'] : [])];
    return [
      {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: object.metadata,
        spec: {
          podSelector: shape.selector,
          policyTypes,
          ...(shape.ingress ? { ingress: shape.ingress.map(rule('from')) } : {}),
          ...(shape.egress ? { egress: shape.egress.map(rule('to')) } : {}),
        },
      } as NetworkPolicy,
    ];
  });
}

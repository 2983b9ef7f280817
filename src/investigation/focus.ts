import type { Alert } from '../alert/alert.ts';
import { type IngressRoute, ingressRoutes } from './evidence/ingress-routes.ts';
import { groupedBy } from './evidence/lookup.ts';
import { routedPartNamed } from './evidence/routed-part.ts';
import type { ClusterSnapshot } from './evidence/snapshot.ts';
import type { EntityRef } from './model.ts';

/** Where the investigation starts: what the alert points at, resolved against what the cluster holds. */
export interface Focus {
  namespace: string;
  /** The alerted workload, Service or Pod when the alert names one that exists; null when it names nothing findable. */
  symptom: EntityRef | null;
  /** RFC 3339 time the symptom began (the alert's startsAt), when known. */
  startedAt?: string;
  alertText: string;
  /** What had to be assumed to get here (which namespace, which workload…). */
  assumptions: string[];
}

// Label names that exporters and alert rules use for the same things (kube-state-metrics, OpenTelemetry, cAdvisor).
// `exported_*` comes first: when present, the plain label names the scraping target (the monitoring stack), not the
// object the metric is about.
// A mesh's or router's request metric is scraped from the proxy that reports it (the gateway, the caller's sidecar): its
// plain `namespace` is the reporter's, while the destination labels (Istio's standard ones) name the callee that served
// the request, which is what a latency or error alert on it is about.
const NAMESPACE_LABELS = [
  'exported_namespace',
  'destination_service_namespace',
  'destination_workload_namespace',
  'namespace',
  'k8s_namespace_name',
  'kubernetes_namespace',
];
const WORKLOAD_LABELS: [string, string][] = [
  ['deployment', 'Deployment'],
  ['k8s_deployment_name', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['k8s_statefulset_name', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['k8s_daemonset_name', 'DaemonSet'],
  ['job_name', 'Job'],
  ['k8s_job_name', 'Job'],
  // kube-state-metrics' autoscaler alerts (KubeHpaReplicasMismatch, KubeHpaMaxedOut): the symptom is what it scales.
  ['horizontalpodautoscaler', 'HorizontalPodAutoscaler'],
];
const POD_LABELS = ['exported_pod', 'pod', 'pod_name', 'k8s_pod_name'];
export const SERVICE_LABELS = [
  'exported_service',
  'destination_service_name',
  'service',
  'service_name',
  'app',
  'app_kubernetes_io_name',
  'k8s_app',
];
/**
 * Labels of the alerting and scraping machinery itself (kube-prometheus sets `prometheus="monitoring/k8s"`, the scrape
 * `job`, `instance`, `endpoint`…): they name no queue, topic or backend of the incident.
 */
export const GENERIC_LABELS = new Set([
  'alertname',
  'severity',
  'namespace',
  'exported_namespace',
  'job',
  'exported_job',
  'instance',
  'exported_instance',
  'endpoint',
  'prometheus',
  'prometheus_replica',
  'receiver',
  'container',
  'pod',
  'team',
  'cluster',
  'region',
  'reason',
]);

/** Label names that name a workload, a pod or a Service (the labels `labelledNames` reads). */
export const NAMING_LABELS: readonly string[] = [
  ...WORKLOAD_LABELS.map(([label]) => label),
  ...POD_LABELS,
  ...SERVICE_LABELS,
];

/** Labels that name a node in Kubernetes alerting rules (kube-state-metrics', the node exporter's and their kin). */
const NODE_LABELS = ['node', 'kubernetes_node', 'exported_node', 'nodename', 'node_name'];

/** The node an alert's labels name, if any. */
export const nodeLabel = (alert: Alert): string | undefined =>
  NODE_LABELS.map((label) => alert.labels[label]).find(Boolean);

/** The pod an alert's labels name, if any. */
export const podLabel = (alert: Alert): string | undefined =>
  POD_LABELS.map((label) => alert.labels[label]).find(Boolean);

/** Whether the alert's labels name a workload or a pod (not only a Service). */
export const namesWorkload = (alert: Alert): boolean =>
  [...WORKLOAD_LABELS.map(([label]) => label), ...POD_LABELS].some((label) => Boolean(alert.labels[label]));

/** Values of the alert's service labels, in the order the labels are tried. */
export const serviceLabelValues = (alert: Alert): string[] =>
  SERVICE_LABELS.map((label) => alert.labels[label]).filter((value): value is string => Boolean(value));

/** Names of workloads, pods and services the alert's labels give. */
export const labelledNames = (alert: Alert): string[] =>
  [...WORKLOAD_LABELS.map(([label]) => label), ...POD_LABELS, ...SERVICE_LABELS]
    .map((label) => alert.labels[label])
    .filter((value): value is string => Boolean(value));

/**
 * Values of the alert's other labels written as identifiers (words joined by dashes or dots: `site-api`), the alerting
 * machinery's own labels and the naming ones aside: a router's or exporter's label for the API, backend or component a
 * metric is about (`api_name`, `component`) names an object exactly when one bears that name, and nothing otherwise.
 */
export const identifierLabelValues = (alert: Alert): string[] =>
  Object.entries(alert.labels)
    .filter(
      ([label, value]) =>
        !GENERIC_LABELS.has(label) &&
        !NAMING_LABELS.includes(label) &&
        !NODE_LABELS.includes(label) &&
        /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/.test(value),
    )
    .map(([, value]) => value);

/** Everything a person or a rule wrote about the alert, for name matching and the detectors' keywords. */
export function alertText(alert: Alert): string {
  return [alert.title, alert.text, ...Object.values(alert.annotations)].filter(Boolean).join('\n');
}

/**
 * The namespace the alert's labels give for its symptom. A rule whose series lost their namespace is stamped with the
 * alerting stack's own (kube-prometheus labels every alert `prometheus="<namespace>/<name>"`): that namespace is where
 * the alert was evaluated, not where its symptom is, and the alert is located as if it named none.
 */
export function namespaceLabel(alert: Alert): string | undefined {
  const given = NAMESPACE_LABELS.map((label) => alert.labels[label]).find(Boolean);
  const alerting = alert.labels.prometheus?.split('/')[0];
  return given === alerting && !alert.labels.exported_namespace ? undefined : given;
}

const NAME_CHAR = /[a-z0-9-]/i;

/**
 * Names that occur in the text as whole words (not inside a longer name), longest first. People write a dashed name
 * as words in prose ("order desk" for `order-desk`), and in the singular ("order desk" for `order-desks`): those count
 * too.
 */
export function mentionedNames(text: string, names: Iterable<string>): string[] {
  const lower = text.toLowerCase();
  const found = new Set<string>();
  for (const name of names) {
    const dashed = name.toLowerCase();
    if (!dashed) continue;
    // A name of several words is written in the singular too (`order gateway` for `order-gateways`).
    const forms = dashed.includes('-') && dashed.endsWith('s') ? [dashed, dashed.slice(0, -1)] : [dashed];
    const needles = forms.flatMap((form) => (form.includes('-') ? [form, form.replaceAll('-', ' ')] : [form]));
    if (needles.some((needle) => occursAsWord(lower, needle))) found.add(name);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * A sentence in which the reporter says something is fine ("hubs are fine in the MQTT dashboard", "db looks ok",
 * "search still works"): what
 * it names is what they checked and ruled out, not where they point.
 */
const CLEARED =
  /\b(?:is|are|looks?|seems?|looking|stays?)\s+(?:fine|ok|okay|healthy|green|normal)\b|\bstill\s+(?:works?|working)\b|\bworks?\s+(?:fine|ok|okay|normally)\b|\ball (?:good|green)\b|\b(?:looks?|seems?)\s+(?:to be\s+)?up\s*(?:[?.!,;]|$)/i;

/** A sentence that negates ("doesn't look fine", "not ok"): it does not clear what it names. */
const NEGATED = /\b(?:not|never|no longer)\b|n['’]t\b/i;

/**
 * The namespaces the text names, those it names only in a sentence that says they are fine left out: a namespace
 * the reporter cleared does not locate the incident (its workloads named elsewhere in the text still may).
 */
export function namespacesNamed(text: string, namespaces: Iterable<string>): string[] {
  return mentionedNames(pointedText(text), namespaces);
}

/** The text without its sentences that say something is fine: what is left is where the reporter points. */
const pointedText = (text: string): string =>
  text
    .split(/(?<=[.!?;])\s+|\n+/)
    .filter((sentence) => !CLEARED.test(sentence) || NEGATED.test(sentence))
    .join('\n');

export function occursAsWord(lower: string, needle: string): boolean {
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
    const before = lower[at - 1] ?? '';
    const after = lower[at + needle.length] ?? '';
    if (!NAME_CHAR.test(before) && !NAME_CHAR.test(after)) return true;
  }
  return false;
}

export interface NamespaceCandidates {
  /** Every namespace the cluster holds. */
  namespaces: string[];
  /**
   * Workloads and Services cluster-wide, when they were read (only if the text names no namespace), with the
   * application they are part of (`app.kubernetes.io/part-of`) when labelled.
   */
  named?: { namespace: string; name: string; application?: string }[];
  /** Ingress rules routing hosts the text mentions, when Ingresses were read. */
  routes?: IngressRoute[];
  /** Signs of trouble per namespace (pods not running, Warning events, Services without ready endpoints). */
  troubleSigns?: Map<string, number>;
  /**
   * Signs of trouble per namespace that stood since days before the alert (namespace-trouble.ts), left out of
   * `troubleSigns`: no sign of where its symptom is, only a better guess than none when nothing else points anywhere.
   */
  standingSigns?: Map<string, number>;
  /**
   * Of `troubleSigns`, those still going on within the hour before the onset (namespace-trouble.ts): trouble that ended
   * earlier (a component that recovered hours before) is no place to go to for an alert that names nothing.
   */
  currentSigns?: Map<string, number>;
}

/** What chooseNamespace settled on, and why, in words for the thread. */
export interface NamespaceChoice {
  namespace: string;
  assumption: string;
  /** The Service an Ingress routes the alert's host to, when that is how the namespace was found. */
  entryService?: string;
  /** The namespace the text names, when the choice is the part of it the alert's words describe (namedPart). */
  partOf?: string;
  /** Nothing in the alert or the cluster pointed at it: the fallback. */
  guess?: boolean;
}

// Words of alert prose that are no component's name, however often they appear in names.
const WORD_STOP = new Set(
  'the and for with from down not all any every since about after still show shows page pages slow broken issue issues alert firing error errors failing fails high users customers'.split(
    ' ',
  ),
);

/**
 * The words of prose, three letters or more, and each compound prose writes with a dash that a name writes as one word
 * (`check-in` of `checkin-gateway`, `sign-up` of `signup-api`, `e-mail` of `email-relay`).
 */
export function proseWords(text: string): string[] {
  const lower = text.toLowerCase();
  const words = lower.match(/[a-z][a-z0-9]{2,}/g) ?? [];
  const compounds = (lower.match(/(?<![a-z0-9-])[a-z]+-[a-z]+(?![a-z0-9-])/g) ?? []).map((c) => c.replace('-', ''));
  const cleared = new Set([...lower.matchAll(SAID_FINE)].map((m) => (m[1] as string).replace('-', '')));
  return [...words, ...compounds].filter((word) => !cleared.has(word));
}

// What the reporter says works ("bidding itself seems fine", "checkout is still working"): not what they mean.
const SAID_FINE =
  /\b([a-z][a-z0-9]{2,}(?:-[a-z]+)?)(?:\s+itself)?\s+(?:seems|looks|is|are|works|still)(?:\s+(?:to be|still))?\s+(?:fine|ok|okay|healthy|working|works|good|normal|unaffected)\b/g;

/** The words of alert prose that may name something (three letters or more, not prose such as `the` or `firing`). */
export const alertWords = (text: string): Set<string> =>
  new Set(proseWords(text).filter((word) => !WORD_STOP.has(word)));

const components = (name: string): string[] => name.toLowerCase().split(/[-.]/);

// Endings prose adds to the word a component is named by (`invoicing` of `invoice-builder`, `promotions` of `promo-…`).
const ENDINGS = ['ations', 'ation', 'tions', 'tion', 'ions', 'ion', 'ings', 'ing', 'ers', 'er', 'ed', 'es', 's'];

/**
 * The forms of a word a component's name may carry: the word itself and, without an ending prose adds, its stem of four
 * letters or more (a plural, a verb's `-ing`, a noun's `-tion`: `compression` → `compress`).
 */
const wordForms = (word: string): string[] => {
  // A verb's silent `e` goes with the ending (`invoicing` of `invoice-builder`, `scheduler` of `schedule-sync`).
  const stems = ENDINGS.filter((ending) => word.endsWith(ending) && word.length - ending.length >= 4).flatMap(
    (ending) => {
      const stem = word.slice(0, -ending.length);
      return /^[aeio]/.test(ending) ? [stem, `${stem}e`] : [stem];
    },
  );
  const plural = word.endsWith('s') ? [word.slice(0, -1)] : [];
  return [...new Set([word, ...plural, ...stems])];
};

/**
 * Names that a word of the text is a whole dash- or dot-separated component of (`lookup` → `lookup-svc`), each word
 * counted only when it picks out one name. Names that extend another matched name (`db` and `db-headless`) count as
 * that one; `ignored` words pick nothing. Returns each picked name with the words that picked it.
 */
export function nameWordMatches(
  text: string,
  names: Iterable<string>,
  ignored: ReadonlySet<string> = new Set(),
): Map<string, string[]> {
  const distinct = [...new Set(names)].filter(Boolean);
  const words = new Set(proseWords(text).filter((word) => !WORD_STOP.has(word) && !ignored.has(word)));
  const picked = new Map<string, string[]>();
  for (const word of words) {
    const forms = wordForms(word);
    const matched = distinct.filter((name) => components(name).some((part) => forms.includes(part)));
    const roots = matched.filter(
      (name) => !matched.some((other) => other !== name && name.toLowerCase().startsWith(`${other.toLowerCase()}-`)),
    );
    if (roots.length !== 1 || !roots[0]) continue;
    picked.set(roots[0], [...(picked.get(roots[0]) ?? []), word]);
  }
  return picked;
}

/**
 * Names that a word of the text is a component of when it picks out several, at most `max` (`forecast` of
 * forecast-api and forecast-worker): the word names none of them alone, but one of them is what the text speaks of.
 */
export function sharedWordNames(text: string, names: Iterable<string>, max: number): string[] {
  const distinct = [...new Set(names)].filter(Boolean);
  const shared = new Set<string>();
  for (const word of alertWords(text)) {
    const forms = wordForms(word);
    const matched = distinct.filter((name) => components(name).some((part) => forms.includes(part)));
    if (matched.length > 1 && matched.length <= max) for (const name of matched) shared.add(name);
  }
  return [...shared];
}

/**
 * The namespace an alert without a namespace label most likely means, by decreasing strength of evidence: one the
 * text names; the namespace of a workload or Service the text names; the namespace an Ingress routes a host the text
 * mentions to; the namespace of names the text's words pick out (`lookup` → `lookup-svc`); the one with most signs of
 * trouble. When nothing tells namespaces apart, it says so rather than pretending to know.
 */
export function chooseNamespace(text: string, candidates: NamespaceCandidates): NamespaceChoice {
  const byName = namespacesNamed(text, candidates.namespaces)[0];
  const part = byName ? namedPart(text, byName, candidates.namespaces) : undefined;
  if (byName && part)
    return {
      namespace: part.namespace,
      assumption: `namespace ${part.namespace}: the alert names ${byName}, and ${part.namespace} is the part of it its word${part.words.length > 1 ? 's' : ''} ${part.words.join(', ')} describe${part.words.length > 1 ? '' : 's'}`,
      partOf: byName,
    };
  if (byName)
    return { namespace: byName, assumption: `namespace ${byName}: the alert names it but carries no namespace label` };
  const named = candidates.named ?? [];
  const trouble = (namespace: string) => candidates.troubleSigns?.get(namespace) ?? 0;
  const routed = mostVoted(
    (candidates.routes ?? []).map((route) => route.namespace),
    trouble,
  );
  const route = candidates.routes?.find((candidate) => candidate.namespace === routed);
  if (route) {
    const backend = route.service ? ` to Service ${route.service}` : '';
    return {
      namespace: route.namespace,
      assumption: `namespace ${route.namespace}: ${route.kind ?? 'Ingress'} ${route.ingress} routes ${route.host}, which the alert mentions,${backend} there`,
      ...(route.service ? { entryService: route.service } : {}),
    };
  }
  // A name the reporter mentions only to say it looks fine ("is the login server up? it looks up") is the server they
  // checked, not the failing caller they report: the names of the other sentences come first.
  const objectNames = named.map((entry) => entry.name);
  // The same name in several namespaces (one app deployed per team): the one where pods are failing.
  const ownerOf = (object: string | undefined) =>
    named.filter((entry) => entry.name === object).sort((a, b) => trouble(b.namespace) - trouble(a.namespace))[0];
  const mentioning = (owner: { namespace: string; name: string }): NamespaceChoice => ({
    namespace: owner.namespace,
    assumption: `namespace ${owner.namespace}: it holds ${owner.name}, which the alert mentions`,
  });
  const owner = ownerOf(mentionedNames(pointedText(text), objectNames)[0]);
  if (owner) return mentioning(owner);
  // A name only the cleared sentences hold comes after the words of the others ("the viewer is broken … search still
  // works": the viewer's workload, not search's).
  const cleared = ownerOf(mentionedNames(text, objectNames)[0]);
  // The application's own name (`shop: checkout down`) names all of it, not the one component whose name carries it
  // (the database cluster `pg-shop`): it picks no component, and when no other word does, it points at where the
  // application's workloads run.
  const applications = applicationsNamed(text, named, trouble);
  const picked = nameWordMatches(
    text,
    named.map((entry) => entry.name),
    new Set(applications.keys()),
  );
  const votes = [...picked].flatMap(([name, words]) => {
    const homes = named.filter((entry) => entry.name === name).map((entry) => entry.namespace);
    const home = [...new Set(homes)].sort((a, b) => trouble(b) - trouble(a))[0];
    return home ? words.map(() => home) : [];
  });
  const byWords = mostVoted(votes, trouble);
  if (!byWords && cleared) return mentioning(cleared);
  if (byWords) {
    const names = [...picked.keys()].filter((name) =>
      named.some((entry) => entry.name === name && entry.namespace === byWords),
    );
    return {
      namespace: byWords,
      assumption: `namespace ${byWords}: it holds ${names.join(', ')}, whose name${names.length > 1 ? 's carry words' : ' carries a word'} of the alert`,
    };
  }
  const byApplication = votes.length === 0 ? mostVoted([...applications.values()], trouble) : undefined;
  if (byApplication) {
    const apps = [...applications].filter(([, home]) => home === byApplication).map(([app]) => app);
    return {
      namespace: byApplication,
      assumption: `namespace ${byApplication}: most workloads of ${apps.join(', ')}, which the alert names, run there`,
    };
  }
  const troubled = [...(candidates.currentSigns ?? candidates.troubleSigns ?? new Map<string, number>()).entries()]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  const busiest = troubled[0];
  if (busiest) {
    const tied = troubled.filter(([, count]) => count === busiest[1]).map(([namespace]) => namespace);
    const others = tied.length > 1 ? `; as many in ${tied.slice(1).join(', ')}, so this choice is a guess` : '';
    return {
      namespace: busiest[0],
      assumption: `namespace ${busiest[0]}: the alert names nothing in the cluster; it shows the most signs of trouble (${busiest[1]} failing pods, warning events and Services without ready endpoints)${others}`,
    };
  }
  const family = withinFamily(text, candidates.namespaces, named, trouble);
  if (family) return family;
  const standing = [...(candidates.standingSigns ?? new Map<string, number>()).entries()]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])[0];
  if (standing) {
    return {
      namespace: standing[0],
      guess: true,
      assumption: `namespace ${standing[0]}: a guess — the alert names nothing in the cluster, and the only trouble it shows is ${standing[0]}'s (${standing[1]} sign${standing[1] > 1 ? 's' : ''}), standing since days before the alert; name the namespace to investigate another`,
    };
  }
  const fallback = candidates.namespaces.includes('default') ? 'default' : (candidates.namespaces[0] ?? 'default');
  return {
    namespace: fallback,
    guess: true,
    assumption: `namespace ${fallback}: a guess — nothing in the alert or the cluster points to one of the ${candidates.namespaces.length} namespaces (the alert names nothing found and no namespace shows failing pods, warnings or Services without ready endpoints); name the namespace to investigate another`,
  };
}

/**
 * A word of the alert that picks out several names cluster-wide (`notification` of a worker and of a GitOps
 * controller) picks out one when only the names in the namespaces of the application the alert also names count: the
 * namespaces whose name starts with another word of the alert (`shop` → shop-api, shop-workers). The alert names the
 * application; its word names the part of it.
 */
function withinFamily(
  text: string,
  namespaces: string[],
  named: { namespace: string; name: string }[],
  trouble: (namespace: string) => number,
): NamespaceChoice | undefined {
  const words = alertWords(text);
  const family = new Set(
    namespaces.filter((namespace) => {
      const first = components(namespace)[0] ?? '';
      return namespace.includes('-') && words.has(first);
    }),
  );
  if (family.size === 0) return undefined;
  const prefixes = new Set([...family].map((namespace) => components(namespace)[0] ?? ''));
  const inFamily = named.filter((entry) => family.has(entry.namespace));
  const picked = nameWordMatches(
    text,
    inFamily.map((entry) => entry.name),
    prefixes,
  );
  const votes = [...picked].flatMap(([name, matched]) => {
    const homes = [...new Set(inFamily.filter((entry) => entry.name === name).map((entry) => entry.namespace))];
    const home = homes.sort((a, b) => trouble(b) - trouble(a))[0];
    return home ? matched.map(() => home) : [];
  });
  const chosen = mostVoted(votes, trouble);
  if (!chosen) return undefined;
  const names = [...picked.keys()].filter((name) => inFamily.some((e) => e.name === name && e.namespace === chosen));
  return {
    namespace: chosen,
    assumption: `namespace ${chosen}: the alert names ${[...prefixes].join(', ')}, whose namespaces ${[...family].join(', ')} are, and there ${names.join(', ')} carr${names.length > 1 ? 'y words' : 'ies a word'} of the alert`,
  };
}

/**
 * The namespace an application's name names is often one of a family (`ledger`, `ledger-billing`, `ledger-ingest`): when
 * the alert's other words describe exactly one member by what its name adds (`ledger-ingest` for "ingestion stalled"),
 * that member is the part of the application the alert is about (several described: the one its title describes).
 */
export function namedPart(
  text: string,
  named: string,
  namespaces: string[],
): { namespace: string; words: string[] } | undefined {
  const prefix = `${named.toLowerCase()}-`;
  const words = proseWords(text).filter((word) => !WORD_STOP.has(word) && !components(named).includes(word));
  const parts = namespaces.flatMap((namespace) => {
    if (!namespace.toLowerCase().startsWith(prefix)) return [];
    const added = components(namespace.slice(prefix.length)).flatMap(wordForms);
    const describing = [...new Set(words.filter((word) => wordForms(word).some((form) => added.includes(form))))];
    return describing.length > 0 ? [{ namespace, words: describing }] : [];
  });
  if (parts.length <= 1) return parts[0];
  // Several parts described: the one the first line (the alert's title) describes, if only one.
  const title = new Set(proseWords(text.split('\n')[0] ?? ''));
  const titled = parts.filter((part) => part.words.some((word) => title.has(word)));
  return titled.length === 1 ? titled[0] : undefined;
}

/**
 * Applications (`app.kubernetes.io/part-of` values) whose name is a word of the text, each with the namespace holding
 * most of its workloads and Services (ties: the one with more signs of trouble).
 */
function applicationsNamed(
  text: string,
  named: { namespace: string; name: string; application?: string }[],
  trouble: (namespace: string) => number,
): Map<string, string> {
  const words = new Set(text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []);
  const homes = new Map<string, string>();
  for (const application of new Set(named.flatMap((entry) => entry.application ?? []))) {
    if (!words.has(application.toLowerCase())) continue;
    const where = named.filter((entry) => entry.application === application).map((entry) => entry.namespace);
    const count = (namespace: string) => where.filter((n) => n === namespace).length;
    const described = wordsDescribing(text, named, application.toLowerCase());
    const home = [...new Set(where)].sort(
      (a, b) => count(b) - count(a) || trouble(b) - trouble(a) || described(b) - described(a),
    )[0];
    if (home) homes.set(application.toLowerCase(), home);
  }
  return homes;
}

/**
 * How many of the text's words are a component of some name in a namespace, the application's own name aside:
 * a word several names share (`relay` of `relay-intake` and `relay-publisher`) picks no component, but still says
 * which part of the application the alert is about. Without it, ties went to the namespace whose name sorts first.
 */
function wordsDescribing(
  text: string,
  named: { namespace: string; name: string }[],
  application: string,
): (namespace: string) => number {
  const words = proseWords(text).filter((word) => !WORD_STOP.has(word) && word !== application);
  const found = new Map<string, Set<string>>();
  for (const entry of named) {
    const parts = components(entry.name);
    for (const word of words) {
      if (!parts.includes(word) && !(word.endsWith('s') && parts.includes(word.slice(0, -1)))) continue;
      found.set(entry.namespace, (found.get(entry.namespace) ?? new Set()).add(word));
    }
  }
  return (namespace) => found.get(namespace)?.size ?? 0;
}

/** The value given most often, ties broken by signs of trouble; undefined when none, or when still tied. */
function mostVoted(values: string[], trouble: (namespace: string) => number): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || trouble(b[0]) - trouble(a[0]));
  const [first, second] = ranked;
  if (!first) return undefined;
  if (second && second[1] === first[1] && trouble(second[0]) === trouble(first[0])) return undefined;
  return first[0];
}

// `<deployment>-<pod-template-hash>-<suffix>`, `<statefulset>-<ordinal>`, `<daemonset|job>-<suffix>`.
const REPLICASET_POD = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/;
const HASHED_REPLICASET = /^(.+)-[a-z0-9]{5,10}$/;
const SUFFIXED_POD = /^(.+)-[a-z0-9]{5}$/;
const ORDINAL_POD = /^(.+)-\d+$/;

const namespacedName = (object: { metadata?: { name?: string; namespace?: string } }) =>
  `${object.metadata?.namespace}/${object.metadata?.name}`;

/** The controller a pod belongs to: ownerReferences when the pod is in the snapshot, else its name's shape. */
export function owningWorkload(podName: string, namespace: string, snapshot: ClusterSnapshot): EntityRef | null {
  const pod = groupedBy(snapshot.pods, 'name', namespacedName).get(`${namespace}/${podName}`)?.[0];
  if (pod) {
    const owner =
      pod.metadata?.ownerReferences?.find((reference) => reference.controller) ?? pod.metadata?.ownerReferences?.[0];
    if (!owner) return { kind: 'Pod', namespace, name: podName };
    if (owner.kind === 'ReplicaSet') {
      const replicaSet = groupedBy(snapshot.replicaSets, 'name', namespacedName).get(`${namespace}/${owner.name}`)?.[0];
      const deployment = replicaSet?.metadata?.ownerReferences?.find((reference) => reference.kind === 'Deployment');
      if (deployment) return { kind: 'Deployment', namespace, name: deployment.name };
      const byHash = HASHED_REPLICASET.exec(owner.name)?.[1];
      if (byHash && hasWorkload(snapshot, 'Deployment', namespace, byHash))
        return { kind: 'Deployment', namespace, name: byHash };
    }
    return { kind: owner.kind, namespace, name: owner.name };
  }
  const guesses: [RegExp, string[]][] = [
    [REPLICASET_POD, ['Deployment']],
    [ORDINAL_POD, ['StatefulSet']],
    [SUFFIXED_POD, ['DaemonSet', 'Job']],
  ];
  for (const [shape, kinds] of guesses) {
    const base = shape.exec(podName)?.[1];
    if (!base) continue;
    for (const kind of kinds) if (hasWorkload(snapshot, kind, namespace, base)) return { kind, namespace, name: base };
  }
  return null;
}

function namesOf(snapshot: ClusterSnapshot, kind: string, namespace: string): string[] {
  const lists: Record<string, { metadata?: { name?: string; namespace?: string } }[]> = {
    Deployment: snapshot.deployments,
    StatefulSet: snapshot.statefulSets,
    DaemonSet: snapshot.daemonSets,
    Job: snapshot.jobs,
    Service: snapshot.services,
    HorizontalPodAutoscaler: snapshot.horizontalPodAutoscalers,
  };
  return (lists[kind] ?? [])
    .filter((object) => object.metadata?.namespace === namespace)
    .map((object) => object.metadata?.name ?? '')
    .filter(Boolean);
}

const hasWorkload = (snapshot: ClusterSnapshot, kind: string, namespace: string, name: string): boolean =>
  namesOf(snapshot, kind, namespace).includes(name);

const SERVICE_FIRST = ['Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** A name the alert gives for a service: the Service if one has it, else the workload of that name. */
function serviceOrWorkload(name: string, namespace: string, snapshot: ClusterSnapshot): EntityRef | null {
  for (const kind of SERVICE_FIRST) if (hasWorkload(snapshot, kind, namespace, name)) return { kind, namespace, name };
  return null;
}

// Labels that carry an application's name when its objects are named otherwise (`tally` → Deployment `tally-svc`).
const APP_NAME_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance'];

/** The workload whose pods carry the application name `name` in a well-known label. */
function workloadByAppLabel(name: string, namespace: string, snapshot: ClusterSnapshot): EntityRef | null {
  const pod = snapshot.pods.find(
    (candidate) =>
      candidate.metadata?.namespace === namespace &&
      APP_NAME_LABELS.some((label) => candidate.metadata?.labels?.[label] === name),
  );
  return pod?.metadata?.name ? owningWorkload(pod.metadata.name, namespace, snapshot) : null;
}

// What people append to a component's name when naming its objects.
const NAME_SUFFIXES = ['', 'service', 'svc', 'api', 'server', 'srv', 'app', 'backend', 'worker', 'deployment'];
const STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'with',
  'from',
  'down',
  'error',
  'errors',
  'failing',
  'fails',
  'high',
]);

/**
 * A word that is the namespace's own name, singular or plural (`permit` and `permits` of namespace `permits`): it names
 * the application the namespace holds, whose components all carry it, never one of them.
 */
export function namesNamespace(word: string, namespace: string): boolean {
  const singular = (value: string) => value.toLowerCase().replace(/s$/, '');
  return namespace !== '' && singular(word) === singular(namespace);
}

/**
 * A word of the text that is the stem of exactly one name (`billing` → `billingservice`, `parcels` → `parcel-api`):
 * how people refer to components in free text. Ambiguous stems name nothing.
 */
export function stemMatch(text: string, names: string[], namespace = ''): string | undefined {
  const compact = (value: string) => value.toLowerCase().replace(/[-_.]/g, '');
  const words = new Set(
    (text.toLowerCase().match(/[a-z][a-z0-9-]{3,}/g) ?? []).filter(
      (word) => !STOP_WORDS.has(word) && !namesNamespace(word, namespace),
    ),
  );
  const stems = [...words].flatMap((word) => (word.endsWith('s') ? [word, word.slice(0, -1)] : [word])).map(compact);
  const matches = new Set(
    names.filter((name) => stems.some((stem) => NAME_SUFFIXES.some((suffix) => compact(name) === stem + suffix))),
  );
  return matches.size === 1 ? [...matches][0] : undefined;
}

/**
 * The one name of several words that the text writes as a phrase of its own, its words side by side in any order
 * (`web lens` for `lens-web`, `tile cache` for `cache-tile`, a plural too): the text names that component in its
 * own words. Words of the name scattered over the text name nothing. Ambiguous: none.
 */
export function wordsMatch(text: string, names: string[]): string | undefined {
  const singular = (part: string) => (part.endsWith('s') ? part.slice(0, -1) : part);
  // Phrases do not run across a line, a sentence or a clause (a title's last word and the text's first are apart).
  const phrases = text
    .toLowerCase()
    .split(/[\n.!?;:,()"']+/)
    .map((phrase) => (phrase.match(/[a-z][a-z0-9]*/g) ?? []).map(singular));
  const side = (words: string[], at: number, size: number) =>
    words
      .slice(at, at + size)
      .sort()
      .join(' ');
  const matches = names.filter((name) => {
    const parts = name.toLowerCase().split(/[-_.]/).map(singular);
    if (parts.length < 2 || parts.some((part) => part.length < 3)) return false;
    const wanted = [...parts].sort().join(' ');
    return phrases.some((words) => words.some((_, at) => side(words, at, parts.length) === wanted));
  });
  return new Set(matches).size === 1 ? matches[0] : undefined;
}

/**
 * The alerted entity in the chosen namespace: the one locating the namespace found (`located`: the consumer of the
 * queue, or the router's backend, that the alert points at from elsewhere) when the snapshot holds it; else from labels
 * (workload, pod, service) when they name something the snapshot holds, else from the longest Service or workload name
 * the alert's text mentions, else the Service through which the host the alert mentions enters the cluster
 * (`entryService`, from its Ingress).
 */
export function resolveSymptom(
  alert: Alert,
  namespace: string,
  snapshot: ClusterSnapshot,
  entryService?: string,
  located?: EntityRef,
): { symptom: EntityRef | null; assumptions: string[] } {
  const assumptions: string[] = [];
  if (located?.namespace === namespace && hasWorkload(snapshot, located.kind, namespace, located.name)) {
    return { symptom: located, assumptions };
  }
  for (const [label, kind] of WORKLOAD_LABELS) {
    const name = alert.labels[label];
    if (!name) continue;
    if (hasWorkload(snapshot, kind, namespace, name)) return { symptom: { kind, namespace, name }, assumptions };
    assumptions.push(`${kind} ${name} named by the alert does not exist in ${namespace}`);
  }
  for (const label of POD_LABELS) {
    const name = alert.labels[label];
    if (!name) continue;
    const owner = owningWorkload(name, namespace, snapshot);
    if (owner) return { symptom: owner, assumptions };
    assumptions.push(`pod ${name} named by the alert no longer exists and its owner could not be told from its name`);
  }
  for (const label of SERVICE_LABELS) {
    const name = alert.labels[label];
    if (!name) continue;
    const found = serviceOrWorkload(name, namespace, snapshot) ?? workloadByAppLabel(name, namespace, snapshot);
    if (found) return { symptom: found, assumptions };
  }
  // A node the labels name, and no workload, pod or Service: the node is what is failing (a drain, a scale-down).
  const node = nodeLabel(alert);
  if (node && snapshot.nodes.some((n) => n.metadata?.name === node)) {
    assumptions.push(`symptom Node ${node}: the alert's labels name it, and no workload or Service`);
    return { symptom: { kind: 'Node', name: node }, assumptions };
  }
  const names = [...new Set(SERVICE_FIRST.flatMap((kind) => namesOf(snapshot, kind, namespace)))];
  const text = alertText(alert);
  const mentioned = mentionedNames(text, names)[0];
  if (mentioned) {
    // The site the text names, then its part that fails: the Service the site's route sends that part's path to.
    const part = routedPartNamed(text, mentioned, snapshot, namespace);
    if (part && hasWorkload(snapshot, 'Service', namespace, part.service)) {
      assumptions.push(
        `symptom Service ${part.service}: the alert names ${mentioned} and its "${part.word}" part, which ${part.route.kind} ${part.route.name} routes (${part.path}) to it`,
      );
      return { symptom: { kind: 'Service', namespace, name: part.service }, assumptions };
    }
    const symptom = serviceOrWorkload(mentioned, namespace, snapshot);
    assumptions.push(`symptom ${symptom?.kind} ${mentioned}: the alert's text mentions it`);
    return { symptom, assumptions };
  }
  // A host the alert mentions, routed by an Ingress of the namespace, says where users enter: firmer than a near name.
  const entry =
    entryService ??
    ingressRoutes(
      text,
      snapshot.ingresses.filter((ingress) => ingress.metadata?.namespace === namespace),
    ).find((route) => route.service)?.service;
  if (entry && hasWorkload(snapshot, 'Service', namespace, entry)) {
    assumptions.push(`symptom Service ${entry}: the route for the host the alert mentions leads to it`);
    return { symptom: { kind: 'Service', namespace, name: entry }, assumptions };
  }
  const spelled = wordsMatch(text, names);
  if (spelled) {
    const symptom = serviceOrWorkload(spelled, namespace, snapshot);
    assumptions.push(`symptom ${symptom?.kind} ${spelled}: the alert's text writes the words of its name side by side`);
    return { symptom, assumptions };
  }
  const stem = stemMatch(text, names, namespace);
  if (stem) {
    const symptom = serviceOrWorkload(stem, namespace, snapshot);
    assumptions.push(`symptom ${symptom?.kind} ${stem}: the closest name to what the alert's text describes`);
    return { symptom, assumptions };
  }
  // Nothing named: what users reach first is what they see failing — the one Service exposed outside the cluster.
  const exposed = snapshot.services.filter(
    (service) =>
      service.metadata?.namespace === namespace &&
      (service.spec?.type === 'LoadBalancer' || service.spec?.type === 'NodePort'),
  );
  const exposedEntry = exposed.length === 1 ? exposed[0]?.metadata?.name : undefined;
  if (exposedEntry) {
    assumptions.push(
      `symptom Service ${exposedEntry}: the alert names nothing in ${namespace}, and ${exposedEntry} is its only Service exposed outside the cluster (${exposed[0]?.spec?.type})`,
    );
    return { symptom: { kind: 'Service', namespace, name: exposedEntry }, assumptions };
  }
  assumptions.push(`the alert names no workload or Service in ${namespace}; the whole namespace was examined`);
  return { symptom: null, assumptions };
}

/** Whether the alert's words hint at a name, a word of four letters or more that is a dash-separated part, prefix or suffix of it (ranking/symptom.ts hintedNodes). */
export function hintsAt(alertText: string, namespace: string): (name: string) => boolean {
  const words = new Set(
    (alertText.toLowerCase().match(/[a-z][a-z0-9]{3,}/g) ?? []).filter((w) => !namesNamespace(w, namespace)),
  );
  return (objectName) => {
    const name = objectName.toLowerCase();
    const parts = name.split('-');
    // A word's stem counts as a part too (`invoicing` of `invoice-builder`).
    return [...words].some(
      (word) => wordForms(word).some((form) => parts.includes(form)) || name.startsWith(word) || name.endsWith(word),
    );
  };
}

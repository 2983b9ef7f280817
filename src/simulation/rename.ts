import { type Scenario, parseScenario } from './scenario.ts';
import { shiftScenario } from './time-shift.ts';

/**
 * Metamorphic renaming: the same incident in an application that chose other names. The engine is judged on
 * applications it has never seen, so its answer must not depend on what an application calls its namespaces,
 * workloads, containers or hosts — only on what Kubernetes means. `renameScenario` replaces every
 * application-specific word consistently with an invented one and moves every time by a constant; an answer that
 * changes under it is reasoning from names (or a renaming bug, to be fixed here).
 *
 * THE RULE. Names are cut into words at every character that is not a letter or digit (`till-db.kiosk.svc` →
 * till, db, kiosk, svc). A word is the application's, and renamed, when it appears in an identifier the
 * application chose — a namespace, the name of an object in an application's namespace, a label value or
 * container name of such an object, a host name it declares, a node's name, a log's pod or container, a ground-truth
 * ref — and it is none of:
 * - vocabulary a real cluster keeps across applications (`KEPT_WORDS`): Kubernetes and system names (kube, system,
 *   default, coredns, kube-dns, kubernetes, svc, cluster, local), kinds and field words, product names of real
 *   software (postgres, redis, kafka, rabbitmq, nginx, envoy, istio…: `redis-till` is redis plus the app's till),
 *   cloud and registry words, and the plain words of error messages and roles that carry meaning in text (user,
 *   password, database, cache, queue, primary, replica, backend, worker…: renaming `user` would change what
 *   `password authentication failed for user` says);
 * - a word of 1–2 characters or one with a digit (v2, web-0, 7d8f9c, s3: versions, ordinals, hashes);
 * - a generated suffix: only characters of the alphabet Kubernetes draws pod and ReplicaSet suffixes from
 *   (`bcdfghjklmnpqrstvwxz2456789`, no vowels), 5 or more of them; or 4+ hex letters (a hash);
 * - a word a kind is served under (`xmatterdatabases` of kind XMatterDatabase: kinds are kept).
 * Objects of a namespace whose every word is kept (istio-system, ingress-nginx, cert-manager, monitoring, kafka) are
 * a product's installation: their names are not collected (an application word in them is still renamed).
 *
 * Where a word is renamed: everywhere it stands as a whole token (bounded by non-alphanumerics) in lower case,
 * UPPER case (env names: TILL_ADDR) or Capitalised (`Till`), or as a word of a camel-cased token (an alert rule's
 * `TillLedgerErrors`), a plural as its singular plus `s` — every string of the alert, the objects, the logs, the
 * metric labels and the ground truth, Secret values (base64 decoded when they are text, re-encoded), and the keys of
 * ConfigMap/Secret data and of managedFields (they name the same keys and containers as the values). Never inside
 * another word (`till` stays in `tiller` and in `tillservice`), never in `kind`/`apiVersion` values, metric
 * names (`__name__`), label or annotation keys — nor the label keys selectors name as values (a requirement's `key`,
 * a `topologyKey`) —, or other field names. A cloud load balancer's name cut from a Service's namespace and name
 * (`k8s-<ns>-<name>-<hash>`) is cut again from the renamed ones.
 *
 * Times: every time moves by whole weeks (`RENAME_SHIFT_SECONDS`), so that CronJob schedules (minute, hour,
 * weekday) still fire at the same wall-clock moments relative to the objects' times; a scenario whose schedule names
 * a day of the month or a month is not moved.
 */

/** Five weeks: crosses a month (and for late-year files a year) but keeps weekday, hour and minute. */
export const RENAME_SHIFT_SECONDS = 5 * 7 * 24 * 3600;

/** Words a cluster of any application would hold too (see the rule above). Lower case. */
export const KEPT_WORDS: ReadonlySet<string> = new Set(
  [
    // Kubernetes, its components and its vocabulary
    'kube kubernetes system default public node nodes lease coredns kubedns dns cluster local svc apiserver api' +
      ' pod pods namespace namespaces service services endpoints endpointslice deployment deployments statefulset' +
      ' daemonset replicaset job jobs cronjob cron ingress egress controller controllers manager operator webhook' +
      ' admission proxy sidecar init container containers metrics server events event storage volume volumes pvc pv' +
      ' csi cni provisioner scheduler autoscaler hpa vpa leader election kubelet kubectl secret secrets configmap' +
      ' config configs configuration conf settings env role rolebinding account serviceaccount token tokens cert' +
      ' certs certificate certificates issuer issuers ca tls ssl mtls key keys crd crds policy policies network' +
      ' networking class priority quota quotas limit limits range pdb disruption budget discovery core apps batch' +
      ' autoscaling io name status spec data image images label labels selector annotation annotations headless' +
      ' endpointslicemirroring mirroring control plane app apps application applications',
    // file extensions (kube-root-ca.crt, app.yaml)
    'crt pem der json yaml yml toml ini properties txt xml cfg csv',
    // Kubernetes and cloud-native products
    'istio istiod envoy linkerd traefik haproxy nginx kong konghq contour projectcontour cilium calico flannel' +
      ' canal hubble metallb longhorn ceph rook velero cainjector kyverno gatekeeper opa argo argocd argoproj' +
      ' rollouts flux fluxcd helm kustomize prometheus alertmanager grafana jaeger loki tempo fluentd fluent' +
      ' fluentbit otel opentelemetry keda knative crossplane upbound strimzi cnpg cloudnative zalando zalan spilo' +
      ' percona xtradb pxc crunchydata pgo pgbackrest keycloak minio sealed externalsecrets vault consul chaos' +
      ' mesh litmus agones nvidia triton onnx django strapi meilisearch meili nuxt erlang dnsmasq bitnami docker' +
      ' registry gcr ghcr quay ecr elastic elasticsearch kibana opensearch logstash beats filebeat bit' +
      ' gameserver gameservers imgproxy osrm hapi mongodump pgdata pguser rfr rfs tsdb' +
      ' openshift ocp karpenter tigera dragonfly redpanda dapr daprd harbor netshoot nacos rocketmq seata falco' +
      ' gitlab gitea gloo jenkins kubeflow coherence weblogic innodb innodbcluster tyk apisix ambassador emissary' +
      ' temporal tekton seldon topolvm kubevirt openfaas flink patroni confluent kraft vitess vtgate vttablet' +
      ' stackgres pgstac openebs mayastor flagger flagd jupyter jupyterhub openldap submariner trino pinot' +
      ' cockroach cockroachdb crdb zeebe sentry telegraf tika tidb tikv aerospike kuma zot cosign sidekiq kueue' +
      ' gvisor clamav flyway rclone vernemq buildkit buildkitd tileserv volcano kuberay ray laravel postfix' +
      ' reloader kapp tkg ambient waypoint spark',
    // data stores, brokers and servers
    'postgres postgresql pg pgbouncer pgpool mysql mysqld mariadb mongo mongodb mongod mongos redis sentinel' +
      ' memcached kafka zookeeper rabbitmq nats emqx mosquitto mqtt amqp cassandra scylla scylladb clickhouse' +
      ' timescale timescaledb etcd sqlite oracle mssql influxdb couchdb neo4j solr activemq pulsar celery gunicorn' +
      ' uwsgi tomcat jetty apache httpd caddy squid varnish java jvm spring node nodejs python ruby rails php fpm' +
      ' golang dotnet srv',
    // clouds and hosting
    'aws gcp gke eks aks azure gce ebs efs cos metal ec2 amazonaws googleapis cloud compute internal com net org' +
      ' example localhost dev elb www url uri amazon alb nlb rds sqs sns ses fargate cloudwatch iam kms google gcs' +
      ' gmp cnrm configconnector aliyun aliyuncs alicloud oci ocir vmware vsphere cosmosdb stripe adyen spot acr',
    // protocols and standards (sasl, smtp, fhir…: named by what they speak, not by the application)
    'sasl smtp sftp ftp sms mllp fhir hipaa mscons ocr drm ldap oidc oauth saml jwt dicom wado gtfs smpp opds',
    // words of error messages, roles and plumbing that carry meaning in text
    'user users password passwords auth authentication credentials creds login database databases db data cache' +
      ' queue queues broker brokers topic topics worker workers backup backups migrate migration migrations' +
      ' schema primary replica replicas master slave standby follower read write readonly ro rw http https grpc' +
      ' tcp udp port ports host hosts hostname gateway gateways route routes router backend upstream downstream' +
      ' client clients connection connections pool listener session sessions agent collector exporter monitoring' +
      ' logging log logs audit health healthz ready readiness liveness probe canary stable latest main prod' +
      ' production staging test internal external shared common core default enabled disabled true false on off' +
      ' allow deny all none only same root admin superuser memory cpu disk gpu ephemeral pressure path file files' +
      ' bucket object store message messages request requests response timeout error errors failed not found' +
      ' unknown unavailable refused denied forbidden invalid missing feature features flag flags toggle toggles' +
      ' wait sync setup bootstrap peer peers rule rules result results end start stop new old rate ratelimit' +
      ' replication failover allowed repo repos pull push',
    // English words that join the words of a name (wait-for-db, end-to-end)
    'and for from the with into onto via per off out',
  ]
    .join(' ')
    .split(/\s+/),
);

const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5,}$/;
const HEX_WORD = /^[a-f]{4,}$/;

/** Whether a lower-case word taken from an identifier is the application's own, by the rule above. */
export function isApplicationWord(word: string): boolean {
  return (
    word.length > 2 && !/\d/.test(word) && !KEPT_WORDS.has(word) && !GENERATED_SUFFIX.test(word) && !HEX_WORD.test(word)
  );
}

const WORD_SPLIT = /[^A-Za-z0-9]+/;
const TOKEN = /[A-Za-z0-9]+/g;

const wordsOf = (identifier: string): string[] =>
  identifier
    .split(WORD_SPLIT)
    .filter(Boolean)
    .map((word) => word.toLowerCase());

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const HOST_FIELDS = new Set(['host', 'hosts', 'hostname', 'hostnames', 'subdomain']);

/** Container names and declared host names anywhere in an object (pods, pod templates, Ingress rules, routes). */
function declaredNames(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) declaredNames(item, into);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(item)) {
      for (const container of item)
        if (isObject(container) && typeof container.name === 'string') into.push(container.name);
    }
    if (HOST_FIELDS.has(key)) {
      for (const host of Array.isArray(item) ? item : [item]) if (typeof host === 'string') into.push(host);
    }
    declaredNames(item, into);
  }
}

/** A namespace a product installed (every word kept) holds the product's objects; `default` holds applications. */
const isProductNamespace = (namespace: string): boolean =>
  namespace !== 'default' && wordsOf(namespace).every((word) => !isApplicationWord(word));

/** The identifiers the application chose (see the rule), before they are cut into words. */
function applicationIdentifiers(scenario: Scenario): string[] {
  const identifiers: string[] = [];
  for (const object of scenario.cluster.objects) {
    const { namespace, name, labels } = object.metadata as { namespace?: string; name: string; labels?: unknown };
    if (namespace === undefined ? object.kind === 'Namespace' || object.kind === 'Node' : true) {
      const scope = namespace ?? (object.kind === 'Namespace' ? name : undefined);
      if (scope !== undefined && isProductNamespace(scope)) continue;
      identifiers.push(name, ...(namespace ? [namespace] : []));
      // A node's labels are the cloud's (zone, instance type), not the application's.
      if (object.kind === 'Node') continue;
      if (isObject(labels))
        identifiers.push(...Object.values(labels).filter((v): v is string => typeof v === 'string'));
      declaredNames(object, identifiers);
    }
  }
  for (const log of scenario.cluster.logs ?? []) {
    if (!isProductNamespace(log.namespace)) identifiers.push(log.namespace, log.pod, log.container);
  }
  const truth = scenario.groundTruth;
  for (const ref of [...truth.rootCause, ...(truth.propagation ?? []), ...(truth.distractors ?? [])]) {
    if (ref.namespace === undefined || !isProductNamespace(ref.namespace)) {
      identifiers.push(ref.name, ...(ref.namespace ? [ref.namespace] : []));
    }
  }
  return identifiers;
}

// Invented words: consonant–vowel syllables without `o` (no `no`, `not`, `out`, `oom`) and without the fragments
// error matchers look for, so that an invented name never reads as a failure or as a kept word. Letters are in
// alphabetical order in these strings, so that syllables compare as their indexes do.
const CONSONANTS = 'bdfgklmprstvz';
const VOWELS = 'aeiu';
const SYLLABLES = [...CONSONANTS].flatMap((consonant) => [...VOWELS].map((vowel) => consonant + vowel));
/** First syllables no error word starts with (error, fail, panic, denied, timeout, killed…). */
const SAFE_FIRST = [...'gvz'].flatMap((consonant) => [...VOWELS].map((vowel) => consonant + vowel));
const RISKY_FRAGMENT = /err|fail|fat|pan|den|inv|dead|tim|kil|lim|mem|ref|mis|unab|deni|bad|sig|dump|exit|kube|pod/;

/**
 * The word standing `rank`th in alphabetical order among `count` invented words: `width` syllables (the first from
 * SAFE_FIRST) whose order is the rank's, so the caller decides how renamed names sort.
 */
function orderSyllables(rank: number, count: number): string {
  // Up to 156 words: a syllable and a consonant, so that a three-letter word is renamed to three letters.
  if (count > SAFE_FIRST.length && count <= SAFE_FIRST.length * CONSONANTS.length)
    return SAFE_FIRST[Math.floor(rank / CONSONANTS.length)]! + CONSONANTS[rank % CONSONANTS.length]!;
  let width = 1;
  while (SAFE_FIRST.length * SYLLABLES.length ** (width - 1) < count) width++;
  const parts: string[] = [];
  let rest = rank;
  for (let i = 1; i < width; i++) {
    parts.unshift(SYLLABLES[rest % SYLLABLES.length]!);
    rest = Math.floor(rest / SYLLABLES.length);
  }
  return SAFE_FIRST[rest]! + parts.join('');
}

/** `syllables` pseudo-random syllables from `seed`. */
function syllablesFrom(seed: number, syllables: number): string {
  let state = (seed + 1) * 2654435761;
  let word = '';
  for (let i = 0; i < syllables; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    word += SYLLABLES[(state >>> 8) % SYLLABLES.length]!;
  }
  return word;
}

/**
 * The words a kind is served under (`XMatterDatabase` → xmatterdatabase, xmatterdatabases: the resource a CRD and a
 * Composition are named after), for every kind the scenario holds or refers to: kinds are kept, so are these.
 */
function kindWords(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) kindWords(item, into);
  else if (isObject(value))
    for (const [key, item] of Object.entries(value)) {
      if (key === 'kind' && typeof item === 'string' && /^[A-Z]/.test(item)) {
        const lower = item.toLowerCase();
        for (const form of [lower, `${lower}s`, `${lower}es`, lower.replace(/y$/, 'ies')]) into.add(form);
      } else kindWords(item, into);
    }
  return into;
}

/** Every lower-case token anywhere in the scenario: an invented word must be none of them. */
function tokensIn(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') for (const token of value.match(TOKEN) ?? []) into.add(token.toLowerCase());
  else if (Array.isArray(value)) for (const item of value) tokensIn(item, into);
  else if (isObject(value))
    for (const [key, item] of Object.entries(value)) {
      tokensIn(key, into);
      tokensIn(item, into);
    }
  return into;
}

/** The split of `word` into the fewest shorter known words (`ledgerservice` → ledger, service), or null. */
function piecesOf(word: string, known: ReadonlySet<string>): string[] | null {
  const best: (string[] | null)[] = [[]];
  for (let end = 1; end <= word.length; end++) {
    best[end] = null;
    for (let start = 0; start < end; start++) {
      const piece = word.slice(start, end);
      const before = best[start];
      if (!before || piece === word || piece.length < 2 || !known.has(piece)) continue;
      if (!best[end] || before.length + 1 < best[end]!.length) best[end] = [...before, piece];
    }
  }
  return best[word.length] ?? null;
}

/** A plural's singular (`bags` → bag, `tills` → till; not `class` → clas). */
const singular = (word: string): string | undefined =>
  word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : undefined;

/**
 * The application's words, each with the word that replaces it. What people and code derive from a name keeps its
 * relation to the name: a plural is the renamed word plus `s` (`tills` ↔ `till`), and a word made of known words is
 * made of their renames (`ledgerservice` → renamed ledger + `service`, `front-end` and `frontend` → renamed front + `end`), the
 * part before a kept word at its end being an application word of its own (`till` of `tillservice`). Everything
 * else gets an invented word (the same file renames alike).
 */
export function applicationWords(scenario: Scenario): Map<string, string> {
  const kinds = kindWords(scenario, new Set());
  const found = new Set(
    applicationIdentifiers(scenario)
      .flatMap(wordsOf)
      .filter((word) => isApplicationWord(word) && !kinds.has(word)),
  );
  for (const word of [...found]) {
    for (const kept of KEPT_WORDS) {
      if (kept.length < 4 || word.length - kept.length < 3) continue;
      if (word.endsWith(kept)) found.add(word.slice(0, -kept.length));
    }
    const base = singular(word);
    if (base !== undefined) found.add(base);
  }
  const application = new Set([...found].filter((word) => isApplicationWord(word) && !kinds.has(word)));
  const known = new Set([...application, ...KEPT_WORDS]);
  const taken = tokensIn(scenario, new Set(KEPT_WORDS));
  // Words renamed from others (plurals, compounds) follow them; the rest are invented, in the reverse of their
  // alphabetical order: names that sorted first sort last, so that reasoning that lets list order (the API's name
  // order) decide shows as a changed answer.
  const derived = (word: string) => {
    const base = singular(word);
    return (base !== undefined && application.has(base)) || piecesOf(word, known) !== null;
  };
  const invented = [...application].filter((word) => !derived(word)).sort();
  const inventedFor = new Map<string, string>();
  invented.forEach((word, index) => {
    const order = orderSyllables(invented.length - 1 - index, invented.length);
    const tail = Math.max(0, Math.min(6, Math.ceil(word.length / 2)) - order.length / 2);
    // As long as the word it replaces where the order letters allow (`bag` → three letters, not four): what reads words
    // by their length (a three-letter word too short to name a component) reads both alike. Cut short, a word may be
    // taken whatever its tail: after a few tries it keeps its whole tail.
    const fit = (made: string, attempt: number) =>
      attempt < 50 && made.length > word.length && word.length >= order.length ? made.slice(0, word.length) : made;
    let made = fit(order + syllablesFrom(index, tail), 0);
    // Another tail while the word is taken or reads as an error (a fragment inside the order syllables themselves
    // cannot be re-rolled away: after a few tries only a taken word is refused).
    for (let attempt = 1; taken.has(made) || (attempt < 50 && RISKY_FRAGMENT.test(made)); attempt++) {
      made = fit(order + syllablesFrom(index + attempt * 7919, tail + 1), attempt);
    }
    taken.add(made);
    inventedFor.set(word, made);
  });
  const renames = new Map<string, string>();
  const renameOf = (word: string): string => {
    if (!application.has(word)) return word;
    const done = renames.get(word) ?? inventedFor.get(word);
    if (done !== undefined) {
      renames.set(word, done);
      return done;
    }
    const base = singular(word);
    const pieces = piecesOf(word, known);
    const renamed =
      base !== undefined && application.has(base) ? `${renameOf(base)}s` : (pieces ?? [word]).map(renameOf).join('');
    if (renamed !== word) renames.set(word, renamed);
    return renamed;
  };
  for (const word of [...application].sort()) renameOf(word);
  return renames;
}

/** The invented word for a whole token in its case (lower, UPPER, Capitalised or CamelCased as one), or undefined. */
function renameWord(token: string, renames: ReadonlyMap<string, string>): string | undefined {
  const lower = token.toLowerCase();
  const base = singular(lower);
  const plural = base !== undefined ? renames.get(base) : undefined;
  const invented = renames.get(lower) ?? (plural !== undefined ? `${plural}s` : undefined);
  if (invented === undefined) return undefined;
  if (token === lower) return invented;
  if (token === token.toUpperCase()) return invented.toUpperCase();
  if (/^[A-Z]/.test(token)) return invented[0]!.toUpperCase() + invented.slice(1);
  return undefined;
}

/** The words of a camel-cased token (`BagReconcileLag` → Bag, Reconcile, Lag; `HTTPBagErrors` → HTTP, Bag, Errors). */
const CAMEL_PART = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/**
 * Every whole-token occurrence of an application word in `text`, in its case (lower, UPPER, Capitalised), and, with
 * `camel`, every word of a camel-cased token (an alert rule's `BagReconcileLag`: the application that chose other
 * names would have named its rule with them). Only the alert's: in the cluster, camel case is the reasons Kubernetes
 * writes (`ImagePullBackOff` keeps its `Pull` whatever the application calls its pull secret).
 */
export function renameText(text: string, renames: ReadonlyMap<string, string>, camel = false): string {
  return text.replace(TOKEN, (token) => {
    const whole = renameWord(token, renames);
    if (whole !== undefined || !camel) return whole ?? token;
    const parts = token.match(CAMEL_PART) ?? [];
    if (parts.length < 2 || parts.join('') !== token) return token;
    return parts.map((part) => renameWord(part, renames) ?? part).join('');
  });
}

/** A control character other than tab, newline, carriage return: bytes, not text. */
const isBinaryControl = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 32 && char !== '\t' && char !== '\n' && char !== '\r';
};

/** A base64 value renamed as text when it decodes to text (a URL, a config file); other bytes stay as they are. */
function renameBase64(value: string, text: (value: string) => string): string {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== value.replace(/\s+/g, '').replace(/=+$/, '')) return value;
  const decoded = bytes.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(bytes) || [...decoded].some(isBinaryControl)) return value;
  const renamed = text(decoded);
  return renamed === decoded ? value : Buffer.from(renamed, 'utf8').toString('base64');
}

const UNRENAMED_VALUES = new Set(['kind', 'apiVersion', 'topologyKey']);
// Selector requirements name a label key (`{key: tidewater.io/tsdb, operator: Exists}`): label keys are not renamed, so
// neither is the key a requirement names (a node affinity must still find the nodes' label).
const LABEL_REQUIREMENTS = new Set(['matchExpressions', 'matchFields']);
// Maps whose keys are the application's data (ConfigMap/Secret keys) or name its fields and containers
// (managedFields' fieldsV1: `f:TILL_ADDR`, `k:{"name":"till"}`), so they are renamed like values.
const RENAMED_KEY_MAPS = new Set(['data', 'binaryData', 'stringData']);

interface Walk {
  /** How a string of the scenario reads renamed. */
  text: (value: string) => string;
  /** This map's keys are renamed: a data map, or anywhere inside managedFields' fieldsV1. */
  renameKeys: boolean;
  /** Inside fieldsV1, where keys are renamed at every depth. */
  inFieldsV1: boolean;
  /** Inside a Secret's `data`: values are base64. */
  base64: boolean;
  /** This map is a selector requirement: its `key` is a label key. */
  labelRequirement?: boolean;
}

function renameValue(value: Json, walk: Walk): Json {
  if (typeof value === 'string') return walk.base64 ? renameBase64(value, walk.text) : walk.text(value);
  if (Array.isArray(value)) return value.map((item) => renameValue(item, walk));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const renamedKey = walk.renameKeys ? walk.text(key) : key;
      const labelKey = walk.labelRequirement === true && key === 'key';
      if ((UNRENAMED_VALUES.has(key) || labelKey) && typeof item === 'string') return [renamedKey, item];
      const inFieldsV1 = walk.inFieldsV1 || key === 'fieldsV1';
      const inner: Walk = {
        ...walk,
        renameKeys: inFieldsV1 || RENAMED_KEY_MAPS.has(key),
        inFieldsV1,
        labelRequirement: LABEL_REQUIREMENTS.has(key),
      };
      return [renamedKey, renameValue(item, inner)];
    }),
  );
}

function renameObject(object: JsonObject, text: (value: string) => string): JsonObject {
  const walk: Walk = { text, renameKeys: false, inFieldsV1: false, base64: false };
  if (object.kind !== 'Secret' || !isObject(object.data)) return renameValue(object, walk) as JsonObject;
  const { data, ...rest } = object;
  return {
    ...(renameValue(rest, walk) as JsonObject),
    data: renameValue(data, { ...walk, renameKeys: true, base64: true }),
  };
}

/**
 * The names a cloud's load-balancer controller gives a Service's or an Ingress's balancer, cut from its namespace and
 * name (the AWS Load Balancer Controller's `k8s-<namespace>-<name>-<hash>`: each with non-alphanumerics dropped, cut to 8
 * characters): the prefix as written → the prefix the renamed objects would get. Its cut words are no tokens of their
 * own (`bidgatew` of `bid-gateway`), so they are renamed through the objects they come from.
 */
function loadBalancerNames(scenario: Scenario, renames: ReadonlyMap<string, string>): Map<string, string> {
  const cut = (value: string) => value.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  const prefix = (namespace: string, name: string) => `k8s-${cut(namespace)}-${cut(name)}-`;
  const names = new Map<string, string>();
  for (const object of scenario.cluster.objects) {
    const { namespace, name } = object.metadata as { namespace?: string; name: string };
    if ((object.kind !== 'Service' && object.kind !== 'Ingress') || namespace === undefined) continue;
    const renamed = prefix(renameText(namespace, renames), renameText(name, renames));
    if (renamed !== prefix(namespace, name)) names.set(prefix(namespace, name), renamed);
  }
  return names;
}

/** `text` with every load balancer's name (a prefix above, then its hash) as the renamed objects would have it. */
function renameLoadBalancers(text: string, balancers: ReadonlyMap<string, string>): string {
  if (!text.includes('k8s-')) return text;
  return text.replace(
    /k8s-[A-Za-z0-9]{1,8}-[A-Za-z0-9]{1,8}-(?=[A-Za-z0-9])/g,
    (found) => balancers.get(found) ?? found,
  );
}

export interface EntityRefLike {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/** A ref as it reads after renaming. */
export function renameRef<T extends EntityRefLike>(ref: T, renames: ReadonlyMap<string, string>): T {
  return {
    ...ref,
    name: renameText(ref.name, renames),
    ...(ref.namespace !== undefined ? { namespace: renameText(ref.namespace, renames) } : {}),
  };
}

/** A schedule that names a day of the month or a month would fire on other dates after a shift by weeks. */
function schedulesAllowShift(scenario: Scenario): boolean {
  return scenario.cluster.objects.every((object) => {
    const schedule = (object as { spec?: { schedule?: unknown } }).spec?.schedule;
    if (object.kind !== 'CronJob' || typeof schedule !== 'string') return true;
    const fields = schedule.trim().split(/\s+/);
    return fields.length !== 5 || (fields[2] === '*' && fields[3] === '*');
  });
}

export interface Renaming {
  /** The renamed scenario, validated by the scenario schema. */
  scenario: Scenario;
  /** Application word → invented word. */
  renames: ReadonlyMap<string, string>;
  /** How far every time moved. */
  shiftedSeconds: number;
}

/** The scenario with every application word renamed and every time shifted (the rule is at the top of this file). */
export function renameScenario(original: Scenario): Renaming {
  const renames = applicationWords(original);
  const shiftedSeconds = schedulesAllowShift(original) ? RENAME_SHIFT_SECONDS : 0;
  const shifted = shiftScenario(original, shiftedSeconds);
  const balancers = loadBalancerNames(original, renames);
  const text = (value: string) => renameText(renameLoadBalancers(value, balancers), renames);
  const alertText = (value: string) => renameText(renameLoadBalancers(value, balancers), renames, true);
  const { groundTruth } = shifted;
  const renamed = {
    ...shifted,
    title: text(shifted.title),
    ...(shifted.description !== undefined ? { description: text(shifted.description) } : {}),
    alert: renameValue(shifted.alert as Json, { text: alertText, renameKeys: false, inFieldsV1: false, base64: false }),
    cluster: {
      ...shifted.cluster,
      objects: shifted.cluster.objects.map((object) => renameObject(object as JsonObject, text)),
      ...(shifted.cluster.logs
        ? {
            logs: shifted.cluster.logs.map((log) => ({
              ...log,
              namespace: text(log.namespace),
              pod: text(log.pod),
              container: text(log.container),
              lines: log.lines.map(text),
            })),
          }
        : {}),
    },
    ...(shifted.metrics
      ? {
          metrics: shifted.metrics.map((series) => ({
            ...series,
            metric: Object.fromEntries(
              Object.entries(series.metric).map(([label, value]) => [
                label,
                label === '__name__' ? value : text(value),
              ]),
            ),
          })),
        }
      : {}),
    groundTruth: {
      ...groundTruth,
      rootCause: groundTruth.rootCause.map((ref) => renameRef(ref, renames)),
      ...(groundTruth.propagation
        ? { propagation: groundTruth.propagation.map((ref) => renameRef(ref, renames)) }
        : {}),
      ...(groundTruth.distractors
        ? { distractors: groundTruth.distractors.map((ref) => ({ ...renameRef(ref, renames), why: text(ref.why) })) }
        : {}),
    },
  };
  return { scenario: parseScenario(renamed, `${original.id} (renamed)`), renames, shiftedSeconds };
}

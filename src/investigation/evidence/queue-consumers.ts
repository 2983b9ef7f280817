import type { Alert } from '../../alert/alert.ts';
import { alertText, GENERIC_LABELS, SERVICE_LABELS } from '../focus.ts';
import type { EntityRef } from '../model.ts';
import { configuredHosts, serviceNameOf, tokens } from './hosts.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';

// Work waiting at a broker or queue: the consumer side is not keeping up. Read with CamelCase alert names split into
// words (`QueueBacklog` → `queue backlog`). Lag only of consumers and queues: a database replica's lag is its own. A
// consumer group is one word in Kafka exporters' metric and alert names (`kafka_consumergroup_lag`,
// `KafkaConsumergroupLagGrowing`): its lag is the group's, as `consumer group lag` is.
const BACKLOG =
  /\b(backlog|(consumer ?group|consumer|group|queue|topic|stream|partition|subscription|processing|ingest(ion)?) lag(ging)?|queue( is)? (growing|depth|length|size|full|high)|(growing|long) queue|no (active )?(subscribers?|consumers?|pollers?|workers? polling)|(0|zero) (subscribers?|consumers?|pollers?)|unconsumed|not (being )?consumed|(messages?|items?|jobs?|tasks?|events?) (dropped|waiting|ready|pending|piling|queued|stuck|unacked)|dropped (messages?|items?|events?)|dead[ -]?letter)\b/i;

/** Whether the alert says work piles up (or is dropped) at a broker or queue, rather than that something fails. */
export function isBacklogAlert(alert: Alert): boolean {
  // Metric names the alert quotes are snake_case (`kafka_consumergroup_lag`): their parts are words too.
  const text = [alert.labels.alertname ?? '', alertText(alert)]
    .join('\n')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ');
  return BACKLOG.test(text);
}

/**
 * The queue, topic, list or consumer group the alert is about: its other label values that look like names
 * (`queue=orders.created`, `topic=payments`, `consumergroup=ledger`), which the consumers' configuration repeats.
 */
export function queueNames(alert: Alert): string[] {
  return Object.entries(alert.labels)
    .filter(
      ([label, value]) =>
        !GENERIC_LABELS.has(label) && !SERVICE_LABELS.includes(label) && /^[a-z0-9][a-z0-9._:-]{2,}$/i.test(value),
    )
    .map(([, value]) => value.toLowerCase());
}

type Workload = ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number];
type ConfigMap = ClusterSnapshot['configMaps'][number];
type Autoscaler = ClusterSnapshot['horizontalPodAutoscalers'][number];

/** What a consumer's configuration may say about the queue besides its own settings. */
export interface ConsumerConfiguration {
  /** ConfigMaps, of which each workload's own (mounted, or taken as environment) are read with its settings. */
  configMaps?: ConfigMap[];
  /** Autoscalers: one scaling its workload on a metric of the queue (KEDA's, `…-<queue>`) names that workload. */
  autoscalers?: Autoscaler[];
}

export interface Consumer {
  ref: EntityRef;
  /** Its configuration names the queue the alert is about (not only the broker). */
  namesQueue: boolean;
  /** How many of the alert's queue-like label values its configuration names (the queue and the broker's own names). */
  queuesNamed: number;
  /** Its configuration names the broker's own Service (not only another Service of the broker's namespace). */
  namesService: boolean;
  /** Fewer pods ready than it asks for. */
  short: boolean;
  /** What shows it, for the thread (`its configuration names …`). */
  because: string;
}

/** The broker the alert points at: the alert's namespace and, when it names one, the broker's Service. */
export interface Broker {
  namespace: string;
  service?: string;
}

/**
 * The workloads that consume from the broker: those whose settings (env values, command, arguments, and the
 * ConfigMaps they read when given) name the queue the alert is about, or that an autoscaler scales on a metric of
 * that queue, or whose settings name a host of the broker (`svc.<its namespace>`, or its Service's short name from
 * its own namespace). The broker's own workloads are not its consumers. Those naming
 * the queue first, then those naming the broker's Service itself, then those short of ready pods (a consumer that is
 * not running consumes nothing).
 */
export function consumersOf(
  workloads: { kind: 'Deployment' | 'StatefulSet'; object: Workload }[],
  broker: Broker,
  queues: string[],
  { configMaps = [], autoscalers = [] }: ConsumerConfiguration = {},
): Consumer[] {
  const files = new Map(configMaps.map((c) => [`${c.metadata?.namespace}/${c.metadata?.name}`, configPieces(c)]));
  const scaledOn = queueMetrics(autoscalers, queues);
  const found: Consumer[] = [];
  for (const { kind, object } of workloads) {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    if (!name || (namespace === broker.namespace && name === broker.service)) continue;
    const read = [...podReferences([], [object.spec?.template?.spec]).configMaps].flatMap(
      (configMap) => files.get(`${namespace}/${configMap}`) ?? [],
    );
    const values = [...settings(object), ...read];
    // The setting naming the queue the alert is about: its first label value named (`queue`), not a shared one after it.
    const naming = (value: string) => tokens(value.toLowerCase()).filter((token) => queues.includes(token));
    const named = values
      .filter((value) => naming(value).length > 0)
      .sort((a, b) => queues.indexOf(naming(a)[0] ?? '') - queues.indexOf(naming(b)[0] ?? ''))[0];
    const said = new Set(values.flatMap((value) => tokens(value.toLowerCase())));
    const queuesNamed = queues.filter((queue) => said.has(queue)).length;
    const queue = named ? `its configuration names ${named}` : scaledOn.get(`${namespace}/${kind}/${name}`);
    const hosts = values.flatMap((value) =>
      brokerServices(value, namespace, broker).map((service) => ({ value, service })),
    );
    const own = hosts.find(({ service }) => service === broker.service);
    if (!queue && hosts.length === 0) continue;
    found.push({
      ref: { kind, namespace, name },
      namesQueue: queue !== undefined,
      queuesNamed,
      namesService: own !== undefined,
      short: (object.status?.readyReplicas ?? 0) < (object.spec?.replicas ?? 1),
      because: queue ?? `its configuration names ${(own ?? hosts[0])?.value}`,
    });
  }
  const rank = (c: Consumer) => Number(c.namesQueue) * 4 + Number(c.namesService) * 2 + Number(c.short);
  // A healthy workload that only calls some other Service of the broker's namespace says nothing about the queue.
  // Of those naming queues, the one naming more of the alert's (the queue besides a namespace every worker names).
  return found.filter((c) => rank(c) > 0).sort((a, b) => rank(b) - rank(a) || b.queuesNamed - a.queuesNamed);
}

const containersOf = (object: Workload) => {
  const spec = object.spec?.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
};

function settings(object: Workload): string[] {
  return containersOf(object).flatMap((container) => [
    ...(container.env ?? []).flatMap((env) => (env.value ? [env.value] : [])),
    ...(container.command ?? []),
    ...(container.args ?? []),
  ]);
}

/**
 * The workloads autoscalers scale on a metric of one of the queues (an External metric whose name ends in it, as
 * KEDA names them, `s0-redis-<list>`, or whose selector's label values name it), by `namespace/kind/name`, with what
 * shows it.
 */
function queueMetrics(autoscalers: Autoscaler[], queues: string[]): Map<string, string> {
  const scaled = new Map<string, string>();
  for (const hpa of autoscalers) {
    const target = hpa.spec?.scaleTargetRef;
    const metric = (hpa.spec?.metrics ?? [])
      .flatMap((m) => (m.external?.metric ? [m.external.metric] : []))
      .find(({ name, selector }) => {
        const said = [name, ...Object.values(selector?.matchLabels ?? {})].map((value) => value.toLowerCase());
        return queues.some((queue) => said.some((value) => value === queue || value.endsWith(`-${queue}`)));
      });
    if (!target || !metric) continue;
    const key = `${hpa.metadata?.namespace}/${target.kind}/${target.name}`;
    scaled.set(key, `HorizontalPodAutoscaler ${hpa.metadata?.name} scales it on ${metric.name}`);
  }
  return scaled;
}

/** A ConfigMap's values cut into the pieces a host or a queue name can be (`host: mq.bus.svc`, `QUEUE=jobs`). */
const configPieces = (configMap: ConfigMap): string[] =>
  Object.values(configMap.data ?? {}).flatMap((value) => value.split(/[\s"'=,;]+/).filter(Boolean));

/** The Services of the broker's namespace a setting names: any from another namespace; from its own, the broker's. */
function brokerServices(value: string, from: string, broker: Broker): string[] {
  return configuredHosts(value).flatMap(({ host }) => {
    const service = serviceNameOf(host, from);
    if (!service || service.namespace !== broker.namespace) return [];
    return from !== broker.namespace || service.name === broker.service ? [service.name] : [];
  });
}

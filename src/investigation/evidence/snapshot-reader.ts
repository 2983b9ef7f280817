import type { Alert } from '../../alert/alert.ts';
import { errorMessage } from '../../observability/error-message.ts';
import { alertText, type Focus, resolveSymptom } from '../focus.ts';
import type { EntityRef } from '../model.ts';
import { discoverApis } from '../tools/discover-apis.ts';
import { getObject } from '../tools/get-object.ts';
import type { ObjectKind, ObjectList, ObjectOf } from '../tools/kinds.ts';
import { clusterUnavailable, isNamespaced, KIND_KEYS, LIST_BUDGET, statusOf } from '../tools/kinds.ts';
import { listCustomObjects } from '../tools/list-custom-objects.ts';
import { listObjects } from '../tools/list-objects.ts';
import { podLogs } from '../tools/pod-logs.ts';
import { type SecretChange, secretChanges } from '../tools/secret-changes.ts';
import { MAX_SERIES, prometheusQuery } from '../tools/prometheus-query.ts';
import type { MetricBatch } from './metric-queries.ts';
import type { ToolContext } from '../tools/tool.ts';
import { describeIncomplete, whyStopped } from './completeness.ts';
import { type EvidenceState, evidenceState, sameEvidence } from './evidence-state.ts';
import { fieldSelectorTest } from './field-selector.ts';
import type { CustomObject } from './custom-object.ts';
import { listedAlready, listKey } from './custom-read-plan.ts';
import type { Located, LogRead } from './locate-namespace.ts';
import type { LogTarget } from './log-targets.ts';
import { type ClusterSnapshot, emptySnapshot, type IncompleteRead } from './snapshot.ts';

export interface CollectRequest {
  alert: Alert;
  /** What locating the namespace found and spent: the namespace, assumptions, requests, objects already read. */
  located: Located;
  /** The evidence an earlier look read in this namespace, which this one continues (the last look): none is re-read. */
  snapshot?: ClusterSnapshot;
}

export interface CollectListener {
  step?(message: string): void | Promise<void>;
  /** After each wave, with everything read so far: lets the caller diagnose partial evidence. */
  wave?(snapshot: ClusterSnapshot, focus: Focus, wave: number): void | Promise<void>;
  /**
   * Whether what was read so far leaves the symptom unexplained (no root cause): the collection then reads what acts on
   * the symptom's path from beyond its namespace before it stops.
   */
  unexplained?(snapshot: ClusterSnapshot, focus: Focus): boolean;
}

export type ToolBase = Omit<ToolContext, 'reason'>;

/** Where and how narrowly one list reads; without a namespace, cluster-wide. */
export interface ListOptions {
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** The API version of a custom resource, as discovery found it served. */
  version?: string;
}

/** One list to read: its kind, why (audited with the request), and where. */
export type Read = [kind: ObjectKind, why: string, options: ListOptions];

/**
 * The snapshot being collected and the reads that fill it: each read counts its requests, and a read that fails
 * becomes an assumption (or an incomplete read) instead of an error — except an unreachable API server, which fails
 * the attempt. Which reads to make, and in which order, is `collect.ts`'s business.
 */
export class SnapshotReader {
  readonly alert: Alert;
  readonly namespace: string;
  readonly snapshot: ClusterSnapshot;
  readonly assumptions: string[];
  /** Requests spent, including those spent before collection began. */
  requests: number;
  /**
   * Requests on top of the budget: discovery, the routing layer, and a look locating made at where trouble began —
   * they must not cost an incident a peer or a log.
   */
  routingSpent = 0;
  /**
   * Lists read to their end, by request (listRequestKey), this look's and an earlier look's: the same request is never
   * sent twice.
   */
  readonly listed: Map<string, ObjectOf<ObjectKind>[]>;
  /** Metric queries a batch's probe showed to hold no series (metric-queries.ts: MetricBatch.probes): never sent. */
  readonly answersNothing = new Set<string>();
  /** Secrets asked for by name (`namespace/name`), so that a later wave never asks twice. */
  readonly secretsAsked = new Set<string>();
  /** Namespaces whose Secrets' changes were asked (secretChanges), with the answer: a later step never asks twice. */
  private readonly secretChangesAsked = new Map<string, SecretChange[]>();
  /**
   * Custom-resource lists read (custom-read-plan.ts keys) and the objects each held, this look's and an earlier look's:
   * none is asked twice.
   */
  readonly customListed: Map<string, CustomObject[]>;

  private readonly located: Located;
  /**
   * The symptom focus() last resolved, and the evidence it was resolved from. An investigation asks for the focus a
   * dozen times or more (each wave, each judgement, most choices of what to read next), mostly of evidence no read has
   * added to since, and resolveSymptom is pure in the evidence (a snapshot only grows: evidence-state.ts) and in what
   * locating found.
   */
  private resolved:
    | {
        state: EvidenceState;
        entryService: string | undefined;
        located: EntityRef | undefined;
        symptom: EntityRef | null;
        assumptions: string[];
      }
    | undefined;

  constructor(
    { alert, located, snapshot }: CollectRequest,
    readonly base: ToolBase,
    private readonly listener: CollectListener,
  ) {
    this.alert = alert;
    this.located = located;
    this.namespace = located.namespace;
    this.snapshot = snapshot ?? emptySnapshot((base.now ?? new Date()).toISOString());
    if (!snapshot) {
      this.snapshot.namespaces.push(...(located.namespaces ?? []));
      this.snapshot.ingresses.push(...(located.ingresses ?? []));
      this.snapshot.events.push(...(located.refusals ?? []));
    }
    this.assumptions = [...located.assumptions];
    this.requests = located.requests;
    this.routingSpent = located.unbudgeted ?? 0;
    this.saved = located.saved ?? 0;
    this.customListed = new Map(located.customRead ?? []);
    this.listed = new Map(located.listed ?? []);
    this.logsRead = new Map(located.logsRead ?? []);
  }

  /**
   * Requests the budget plans on that a batch saved (several metric queries in one): counted as spent, so that what
   * is read after them, here and in a second look, stays what it was, and the saving is a request fewer.
   */
  saved = 0;

  /** Requests spent that count against the budget. */
  spent(): number {
    return this.requests - this.routingSpent + this.saved;
  }

  /**
   * Runs reads that go on top of the budget (only for what would otherwise be an empty answer): whatever they send
   * counts with the routing layer's requests, never against the incident's budget.
   */
  async beyondBudget(reads: () => Promise<void>): Promise<void> {
    const before = this.requests;
    try {
      await reads();
    } finally {
      this.routingSpent += this.requests - before;
    }
  }

  /** Whether `cost` more requests keep what counts against the budget within `limit`. */
  affords(cost: number, limit: number): boolean {
    return this.spent() + cost <= limit;
  }

  /** How many requests are left before what counts against the budget reaches `limit` (below none once past it). */
  leftWithin(limit: number): number {
    return limit - this.spent();
  }

  /** Whether the namespace's Ingresses were read while locating it. */
  get ingressesRead(): boolean {
    return this.located.ingresses !== undefined;
  }

  /** The focus as the evidence read so far shows it: the symptom, and everything assumed. */
  focus(): Focus {
    const { alert, namespace, snapshot } = this;
    const { entryService, symptom: located } = this.located;
    const state = evidenceState(snapshot);
    let resolved = this.resolved;
    if (
      !resolved ||
      resolved.entryService !== entryService ||
      resolved.located !== located ||
      !sameEvidence(resolved.state, state)
    ) {
      resolved = { state, entryService, located, ...resolveSymptom(alert, namespace, snapshot, entryService, located) };
      this.resolved = resolved;
    }
    const focus: Focus = {
      namespace,
      symptom: resolved.symptom,
      alertText: alertText(alert),
      assumptions: [...this.assumptions, ...resolved.assumptions],
    };
    if (alert.startsAt) focus.startedAt = alert.startsAt;
    return focus;
  }

  step(message: string): void | Promise<void> {
    return this.listener.step?.(message);
  }

  /** Says what a wave reads, waits for its reads, then shows the listener what was read so far. */
  async wave(number: number, message: string, reads: Promise<void>[]): Promise<void> {
    await this.step(message);
    await Promise.all(reads);
    await this.waveDone(number);
  }

  /** Whether the evidence read so far leaves the symptom unexplained, as the listener judges it (never, without one). */
  unexplained(): boolean {
    return this.listener.unexplained?.(this.snapshot, this.focus()) ?? false;
  }

  /** Shows the listener the snapshot and focus as they stand after wave `number` (running hypotheses). */
  async waveDone(number: number): Promise<void> {
    await this.listener.wave?.(this.snapshot, this.focus(), number);
  }

  /** Lists one kind into the snapshot (or `into`), unless the namespace's whole list was already read. */
  async list<K extends ObjectKind>(
    kind: K,
    reason: string,
    options: ListOptions = { namespace: this.namespace },
    into: ClusterSnapshot = this.snapshot,
  ): Promise<void> {
    const already = this.answered(kind, options);
    if (already) {
      absorb(into[KIND_KEYS[kind]], already);
      return;
    }
    const instead = this.answeredInstead(kind, options);
    if (instead) {
      // The request is not sent, and counts as the request the budget planned on: what is read after it stays the same.
      this.listed.set(listRequestKey(kind, options), instead);
      this.saved++;
      absorb(into[KIND_KEYS[kind]], instead);
      return;
    }
    const secret = kind === 'Secret' && /^metadata\.name=(.+)$/.exec(options.fieldSelector ?? '')?.[1];
    if (secret) this.secretsAsked.add(`${options.namespace}/${secret}`);
    this.requests++;
    try {
      const result = (await listObjects.run({ kind, ...options }, { ...this.base, reason })) as ObjectList<K>;
      this.requests += result.requests - 1;
      absorb(into[KIND_KEYS[kind]], result.items);
      // Read to its end, it answers the same request later (a later wave, a second look) without asking again.
      if (result.complete) this.listed.set(listRequestKey(kind, options), result.items);
      if (!result.complete) {
        const stopped = whyStopped(result.stoppedBy, this.base.listBudget ?? LIST_BUDGET);
        const read = incompleteRead(kind, options, result.items.length, stopped, result.unread);
        this.snapshot.incomplete.push(read);
        this.assumptions.push(describeIncomplete(read));
      }
    } catch (error) {
      // An unreachable API server fails the attempt (retried with backoff) instead of an answer from no evidence.
      if (clusterUnavailable(error)) throw error;
      // A list answered 404 is of a resource the cluster does not serve (a custom resource of a served group whose
      // definition is not installed): none of it exists, which is an answer, not a gap.
      if (statusOf(error) === 404) {
        this.listed.set(listRequestKey(kind, options), []);
        return;
      }
      this.snapshot.incomplete.push(incompleteRead(kind, options, 0, describe(error)));
      this.assumptions.push(`${kind} could not be read (${describe(error)}); nothing was concluded from them`);
    }
  }

  /**
   * When each Secret of a namespace was written and by whom (tools/secret-changes.ts: metadata only), one request; kept
   * out of the snapshot, which holds only Secrets read by name. Unreadable (no permission to list Secrets): noted, none.
   */
  async secretChanges(namespace: string, reason: string): Promise<SecretChange[]> {
    const asked = this.secretChangesAsked.get(namespace);
    if (asked) return asked;
    this.requests++;
    let changes: SecretChange[] = [];
    try {
      changes = (await secretChanges.run({ namespace }, { ...this.base, reason })).items;
    } catch (error) {
      if (clusterUnavailable(error)) throw error;
      this.assumptions.push(`when the Secrets of ${namespace} changed could not be read (${describe(error)})`);
    }
    this.secretChangesAsked.set(namespace, changes);
    return changes;
  }

  /**
   * One kind's whole lists in several namespaces. Two or more not read yet are one cluster-wide list (its first page
   * only): each namespace's part of it answers that namespace's list, and the rest waits for a later read of another
   * namespace rather than entering the snapshot. A cluster too large for one page gets the namespaces' own lists after
   * all. The budget counts the lists it planned on (saved), so what is read after them stays what it was.
   */
  async listIn(kind: ObjectKind, namespaces: string[], reason: (namespace: string) => string): Promise<void> {
    const unread = namespaces.filter(
      (namespace) =>
        !this.listedBefore(kind, { namespace }) &&
        !this.readAlready(kind, namespace, false) &&
        !this.answeredInstead(kind, { namespace }),
    );
    if (unread.length >= 2) {
      this.requests++;
      try {
        const result = await listObjects.run(
          { kind, limit: ACROSS_NAMESPACES_PAGE },
          { ...this.base, reason: `${reason(unread.join(', '))} (one list across namespaces)` },
        );
        this.requests += result.requests - 1;
        if (result.complete) {
          this.listed.set(listRequestKey(kind, {}), result.items);
          this.saved += Math.max(0, unread.length - result.requests);
        }
      } catch (error) {
        if (clusterUnavailable(error)) throw error;
      }
    }
    await Promise.all(namespaces.map((namespace) => this.list(kind, reason(namespace), { namespace })));
  }

  /** Whether a list would be answered from what was read already (no request sent). */
  holds(kind: ObjectKind, options: ListOptions): boolean {
    return this.answered(kind, options) !== undefined;
  }

  /** What answers a list without asking: the same request before, or a whole list locating read. */
  private answered(kind: ObjectKind, options: ListOptions): ObjectOf<ObjectKind>[] | undefined {
    const clusterWide = options.namespace === undefined && !isNamespaced(kind);
    // A custom resource's list read while locating was read at the version discovery found, as it would be here.
    const whole = !options.labelSelector && !options.fieldSelector;
    return (
      this.listedBefore(kind, options) ?? (whole ? this.readAlready(kind, options.namespace, clusterWide) : undefined)
    );
  }

  /**
   * A list answered by a cluster-wide list that locating read whole in place of a narrowed one (Located.wholeInstead):
   * a namespace's part of it, narrowed by the request's field selector as the API server would narrow it.
   */
  private answeredInstead(kind: ObjectKind, options: ListOptions): ObjectOf<ObjectKind>[] | undefined {
    if (options.labelSelector || options.version) return undefined;
    const own = this.located.readInstead?.find((read) => read.kind === kind && read.namespace === options.namespace);
    if (own && !options.fieldSelector) return own.items;
    const whole = this.located.wholeInstead?.[kind];
    if (!whole) return undefined;
    const selects = options.fieldSelector ? fieldSelectorTest(options.fieldSelector) : () => true;
    if (!selects) return undefined;
    const { namespace } = options;
    return whole.filter(
      (object) => (namespace === undefined || object.metadata?.namespace === namespace) && selects(object),
    );
  }

  /**
   * What the same request answered before, in this look or an earlier one (none is sent twice); for a whole list of a
   * namespace, its part of the whole list of every namespace read before.
   */
  private listedBefore(kind: ObjectKind, options: ListOptions): ObjectOf<ObjectKind>[] | undefined {
    const same = this.listed.get(listRequestKey(kind, options));
    if (same || options.namespace === undefined || options.labelSelector || options.fieldSelector) return same;
    const { namespace, ...everywhere } = options;
    return this.listed
      .get(listRequestKey(kind, everywhere))
      ?.filter((object) => object.metadata?.namespace === namespace);
  }

  /**
   * A whole list that locating read already: a cluster-scoped kind's, the chosen namespace's, or any namespace's part
   * of a cluster-wide list read to its end.
   */
  private readAlready(kind: ObjectKind, namespace: string | undefined, clusterWide: boolean) {
    if (clusterWide) return this.located.clusterRead?.[kind];
    if (namespace === undefined) return this.located.everywhere?.[kind];
    if (namespace === this.namespace && this.located.read?.[kind]) return this.located.read[kind];
    return this.located.everywhere?.[kind]?.filter((object) => object.metadata?.namespace === namespace);
  }

  /** Once per investigation: which routing APIs (service mesh, Gateway API) the cluster serves, never assumed. */
  async discover(): Promise<void> {
    if (this.located.apiGroups) {
      this.snapshot.apiGroups = this.located.apiGroups;
      return;
    }
    this.requests++;
    this.routingSpent++;
    try {
      this.snapshot.apiGroups = await discoverApis.run(
        {},
        {
          ...this.base,
          reason: 'which routing layers (service mesh, Gateway API) the cluster serves in front of Services',
        },
      );
    } catch (error) {
      this.assumptions.push(
        `the served APIs could not be discovered (${describe(error)}); mesh and Gateway API routes were not read`,
      );
    }
  }

  /**
   * The custom resources of one kind discovery named, in one namespace or (none) all of them (one request) — unless
   * that list, or the kind's list in all namespaces, was read already: what it holds is in the snapshot.
   */
  async listCustom(
    resource: { group: string; version: string; plural: string },
    namespace: string | undefined,
    reason: string,
  ) {
    if (listedAlready(this.customListed, resource, namespace)) {
      this.absorbListed(resource, namespace);
      return;
    }
    const held: CustomObject[] = [];
    this.customListed.set(listKey(resource, namespace), held);
    this.requests++;
    try {
      const where = namespace ? { ...resource, namespace } : resource;
      const result = await listCustomObjects.run(where, { ...this.base, reason });
      held.push(...result.items);
      absorb(this.snapshot.customObjects, result.items);
      if (!result.complete) {
        const read: IncompleteRead = {
          kind: resource.plural,
          ...(namespace ? { namespace } : {}),
          read: result.items.length,
          why: 'one page',
        };
        this.snapshot.incomplete.push(read);
        this.assumptions.push(describeIncomplete(read));
      }
    } catch (error) {
      if (clusterUnavailable(error)) throw error;
      if (statusOf(error) === 404) return;
      this.assumptions.push(
        `${resource.plural}.${resource.group} in ${namespace} could not be read (${describe(error)})`,
      );
    }
  }

  /** What a list read before held (the namespace's part of a list of all namespaces), into this look's snapshot. */
  private absorbListed(resource: { group: string; plural: string }, namespace: string | undefined): void {
    const own = this.customListed.get(listKey(resource, namespace));
    const everywhere = this.customListed.get(listKey(resource)) ?? [];
    absorb(
      this.snapshot.customObjects,
      own ?? everywhere.filter((object) => namespace === undefined || object.metadata?.namespace === namespace),
    );
  }

  /**
   * A container that ran once and ended by its own exit (a Job's pod, a batch step's, finished): its log is its
   * last words. One killed from outside (evicted, lost with its node) said nothing about why it ended.
   */
  private endedForGood(target: LogTarget): boolean {
    const pod = this.snapshot.pods.find(
      (p) => p.metadata?.namespace === target.namespace && p.metadata?.name === target.pod,
    );
    const phase = pod?.status?.phase;
    if ((phase !== 'Failed' && phase !== 'Succeeded') || pod?.status?.reason) return false;
    const ended = pod?.status?.containerStatuses?.find((s) => s.name === target.container)?.state?.terminated;
    return ended?.reason === 'Error' || ended?.reason === 'Completed';
  }

  /** Logs read, by container instance: one chosen again for another reason is not asked for twice. */
  readonly logsRead: Map<string, LogRead>;

  async readLog(target: LogTarget): Promise<void> {
    const args = { ...target, terminated: !target.previous && this.endedForGood(target) };
    const key = [args.namespace, args.pod, args.container, args.previous, args.terminated].join('/');
    let read = this.logsRead.get(key);
    if (read) {
      // Counted as the request it was planned at, so that what is read after it stays the same.
      this.saved++;
    } else {
      this.requests++;
      read = podLogs.run(args, { ...this.base, reason: `log of ${target.pod}: ${target.why}` });
      this.logsRead.set(key, read);
    }
    try {
      const result = await read;
      this.snapshot.logs.push({
        ...target,
        lines: result.lines,
        ...('readFrom' in result && result.readFrom ? { readFrom: result.readFrom } : {}),
        ...(result.matched > result.lines.length ? { cut: true } : {}),
      });
    } catch (error) {
      this.assumptions.push(`log of ${target.pod}/${target.container} could not be read (${describe(error)})`);
    }
  }

  /**
   * Several signals' queries in one request (metric-queries.ts): each series goes in under the signal and query it
   * would have had asked alone, at most MAX_SERIES of each, and the budget counts the requests saved as spent.
   */
  async queryMetricBatch(batch: MetricBatch): Promise<void> {
    if (batch.signals.length === 1) {
      const [only] = batch.signals;
      if (only) await this.queryMetric(only.signal, only.query);
      return;
    }
    this.requests++;
    this.saved += batch.planned - 1;
    const signals = batch.signals.map((q) => q.signal);
    try {
      const result = await prometheusQuery.run(
        { query: batch.query, maxSeries: MAX_SERIES * batch.signals.length },
        { ...this.base, reason: `${signals.join(' and ')} of the workloads in ${this.namespace}` },
      );
      const kept = new Map<string, number>();
      let probed = false;
      for (const series of result.series) {
        if (batch.probeFound?.(series.labels)) {
          probed = true;
          continue;
        }
        const { signal, query } = batch.signalOf(series.labels);
        const count = kept.get(signal) ?? 0;
        if (count >= MAX_SERIES) continue;
        kept.set(signal, count + 1);
        this.snapshot.metrics.push({ ...series, query, signal });
      }
      // A whole answer without the probe's count: the range query it probes holds no series to answer with.
      if (batch.probes && !probed && !result.truncated) this.answersNothing.add(batch.probes.query);
    } catch (error) {
      for (const signal of signals) this.assumptions.push(`metric ${signal} could not be read (${describe(error)})`);
    }
  }

  async queryMetric(signal: string, query: string): Promise<void> {
    if (this.answersNothing.has(query)) {
      // Not sent, and counted as the request it was planned at, so that what is read after it stays the same.
      this.saved++;
      return;
    }
    this.requests++;
    try {
      const result = await prometheusQuery.run(
        { query },
        { ...this.base, reason: `${signal} of the workloads in ${this.namespace}` },
      );
      this.snapshot.metrics.push(...result.series.map((series) => ({ ...series, signal })));
    } catch (error) {
      this.assumptions.push(`metric ${signal} could not be read (${describe(error)})`);
    }
  }

  /** One ConfigMap by its name (never a whole namespace's). */
  async getConfigMap(namespace: string, name: string, reason: string): Promise<void> {
    this.requests++;
    try {
      const read = await getObject.run({ kind: 'ConfigMap', namespace, name }, { ...this.base, reason });
      if (read.found) absorb(this.snapshot.configMaps, [read.object as ClusterSnapshot['configMaps'][number]]);
    } catch (error) {
      if (clusterUnavailable(error)) throw error;
      this.assumptions.push(`ConfigMap ${namespace}/${name} could not be read (${describe(error)})`);
    }
  }
}

/** Objects one list across namespaces reads at most (one page): more, and the namespaces' own lists are read instead. */
const ACROSS_NAMESPACES_PAGE = 1_000;

/** A list request's identity: its kind, where, how narrowed, and at which version. */
const listRequestKey = (kind: ObjectKind, { namespace, labelSelector, fieldSelector, version }: ListOptions): string =>
  [kind, namespace ?? '*', labelSelector ?? '', fieldSelector ?? '', version ?? ''].join('|');

function incompleteRead(
  kind: ObjectKind,
  options: ListOptions,
  read: number,
  why: string,
  unread?: number,
): IncompleteRead {
  return {
    kind,
    ...(options.namespace && isNamespaced(kind) ? { namespace: options.namespace } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    read,
    ...(unread !== undefined ? { unread } : {}),
    why,
  };
}

/**
 * Adds what was read to what is held, once: the same object can come from two reads (node events, the DNS namespace).
 * Appends only, never edits what is held: graphOf's graph of the snapshot stays right while no list changes length.
 */
export function absorb(held: { metadata?: { uid?: string } }[], items: { metadata?: { uid?: string } }[]): void {
  const uids = new Set(held.map((object) => object.metadata?.uid).filter(Boolean));
  held.push(...items.filter((item) => !item.metadata?.uid || !uids.has(item.metadata.uid)));
}

const describe = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return `HTTP ${code}`;
  return errorMessage(error);
};

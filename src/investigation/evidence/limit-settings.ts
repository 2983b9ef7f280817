import type { CustomObject } from './custom-object.ts';
import { type CustomOwnerRead, customControllerOf, customKind, isCustomOwner } from './custom-owners.ts';
import type { EvidenceGraph } from './graph.ts';
import { looksLikeError } from './log-line.ts';
import { controllerOf } from './owner-references.ts';
import { type Measure, measuresIn, parseMeasure } from './measure.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A server run by an operator refuses or degrades at a limit it was configured with (a memory cap, a disk watermark, a
 * message size, a quota), and the configuration is the operator's custom resource: the operator renders its spec into
 * the server's configuration. What the victims (or the server) print names the setting in words (`'maxmemory'`,
 * `flood stage disk watermark`, `quota`) and often its value or the measured amount over it; the spec holds a field
 * whose name says the same and whose value, compared on one scale (evidence/measure.ts), explains it. Fields are found
 * by walking the spec generically — by their names and values, never by a list of operators.
 */

/**
 * An error that speaks of a limit reached: exceeded, over, not allowed, too large, full, a quota, a watermark — or a
 * time limit named by its setting's key (`query_wait_timeout`, `client.idle.timeout`): a server that ends a wait so
 * reports the setting that ended it.
 */
const LIMIT_SPOKEN =
  /\bexceed(?:s|ed|ing)?\b|\blimit\b|\btoo (?:large|big|many)\b|\bnot allowed\b|\bfull\b|\breached\b|\bquota\b|\bwatermark\b|\bover (?:the )?(?:limit|max)|\bmax[a-z_]*\b|\bblock(?:ed)?\b|[a-z][_.]timeout\b/i;

/** Whether an error line speaks of a limit reached. */
export const speaksOfLimit = (line: string): boolean => looksLikeError(line) && LIMIT_SPOKEN.test(line);

/** One setting of a spec: where it is, its name's words, its value as written. */
export interface Setting {
  path: string;
  words: string[];
  value: string;
  measure: Measure;
}

/** Words of a setting's name that say nothing of which limit it is. */
const GENERIC_WORD =
  /^(?:max|min|maximum|minimum|size|limit|limits|value|values|config|configs|settings?|spec|cluster|custom|bytes?|count|total|enabled?|the|of|per|default|routing|allocation|node|nodes|storage|resources?|data|server)$/;

/** The words of a name (`flood_stage`, `maxSize`, `max.message.bytes`), lower-case, a plural's `s` dropped. */
export const wordsOf = (name: string): string[] =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 2)
    .map((word) => (word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word));

/**
 * The distinctive words of a setting: those of its name's last segment (`flood_stage`, `maxmemory`), generic ones left
 * out, or of the segment before when the last says nothing of which limit (`quotas.maxSize`, `max.message.bytes`).
 */
function distinctive(path: string): string[] {
  const segments = path.split(/(?<=\w)\.(?=[a-zA-Z_])|\[\d+\]\.?/).filter(Boolean);
  for (const segment of segments.slice(-2).reverse()) {
    const words = wordsOf(segment).filter((word) => !GENERIC_WORD.test(word) && !/^\d+$/.test(word));
    if (words.length > 0) return [...new Set(words)];
  }
  return [];
}

/** `key value` or `key=value` as a configuration line in a list (`maxmemory 64mb`). */
const CONFIG_LINE = /^\s*([A-Za-z][\w.-]*)\s*(?:=|:|\s)\s*(\S+)\s*$/;

/** Every setting of a spec whose value is an amount (bytes, a percentage, a number), walking it generically. */
export function settingsOf(object: CustomObject): Setting[] {
  const found: Setting[] = [];
  const add = (path: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const measure = parseMeasure(value);
    const words = distinctive(path);
    if (measure && words.length > 0) found.push({ path, words, value: String(value), measure });
  };
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        const line = typeof item === 'string' ? CONFIG_LINE.exec(item) : null;
        if (line) add(`${path}.${line[1]}`, line[2]);
        else walk(item, `${path}[${index}]`);
      }
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${path}.${key}`);
      return;
    }
    add(path, value);
  };
  walk(object.spec, 'spec');
  return found;
}

/** Whether a line names the setting: every distinctive word of its name among the line's words. */
export function namesSetting(setting: Setting, line: string): boolean {
  const words = new Set(wordsOf(line));
  return setting.words.some((word) => word.length >= 5) && setting.words.every((word) => words.has(word));
}

/** What a line says of a setting's value: it quotes it, or it measured more than it (same unit). */
export function againstSetting(setting: Setting, line: string): 'quotes' | 'exceeds' | undefined {
  const measures = measuresIn(line);
  const set = setting.measure;
  if (measures.some((m) => m.unit === set.unit && Math.abs(m.value - set.value) <= Math.abs(set.value) * 0.01))
    return 'quotes';
  if (set.unit !== 'count' && measures.some((m) => m.unit === set.unit && m.value > set.value)) return 'exceeds';
  return undefined;
}

/**
 * The controller of the workload a server pod belongs to, when its ReplicaSet was not read (a peer namespace is read
 * without them): the graph knows the Deployment by the pod-template-hash, and the Deployment names its own owner.
 */
function workloadController(graph: EvidenceGraph, pod: Parameters<EvidenceGraph['workloadOf']>[0]) {
  return controllerOf(graph.workload(graph.workloadOf(pod))?.metadata);
}

/** Owner kinds of limiting servers read, at most. */
const MAX_LIMIT_OWNERS = 1;

/**
 * Workloads whose error lines speak of a limit reached, and the servers they call (the graph's dependencies, their
 * Services' pods) are made by a custom resource not read: that resource's kind, where the server runs — the limit
 * is set there.
 */
export function limitingServerOwners(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  tried: ReadonlySet<string>,
): CustomOwnerRead[] {
  const reads = new Map<string, CustomOwnerRead>();
  for (const log of snapshot.logs) {
    if (!log.lines.some(speaksOfLimit)) continue;
    const pod = graph.pod(log.namespace, log.pod);
    if (!pod) continue;
    for (const edge of graph.dependenciesOf(graph.workloadOf(pod))) {
      const service = edge.to.kind === 'Service' ? graph.service(edge.to.namespace ?? '', edge.to.name) : undefined;
      for (const server of service ? graph.podsSelectedBy(service) : []) {
        const owner =
          customControllerOf(snapshot, server as Parameters<typeof customControllerOf>[1]).owner ??
          workloadController(graph, server);
        const namespace = server.metadata?.namespace ?? '';
        if (!owner || !isCustomOwner(owner)) continue;
        if (snapshot.customObjects.some((o) => o.kind === owner.kind && o.metadata?.namespace === namespace)) continue;
        const kind = { ...customKind(snapshot, owner), namespace };
        const key = `${namespace}/${kind.group}/${kind.kind}`;
        if (!tried.has(key)) reads.set(key, kind);
      }
    }
  }
  return [...reads.values()].slice(0, MAX_LIMIT_OWNERS);
}

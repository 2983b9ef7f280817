import { changeEvidence, configChangedAt, restoreProposal } from '../evidence/config-change.ts';
import { literal, namesIdentifier, quotesSetting, type Setting, settingsOf } from '../evidence/config-mentions.ts';
import { refOf } from '../evidence/graph.ts';
import {
  errorsBeganAfter,
  lastDistinct,
  logEvidence,
  logLinesOf,
  logsRead,
  type PodLogLine,
} from '../evidence/logs.ts';
import { restartedAfter } from '../evidence/restarted-after.ts';
import { revisions } from '../evidence/revisions.ts';
import { toMs, snapshotNow } from '../evidence/time.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

const FLAG_NAME = /enable|disable|flag|feature|toggle|experiment|rollout|kill.?switch/i;
const BOOLEAN_VALUE = /^\s*"?(true|false|on|off|yes|no|enabled|disabled|0|1)"?\s*$/i;
const KEY_BEFORE_VALUE = /"?([A-Za-z_][\w.-]{3,})"?\s*[:=]/g;
const GENERIC_KEYS = new Set([
  'enabled',
  'disabled',
  'flags',
  'features',
  'value',
  'values',
  'default',
  'name',
  'type',
  'description',
]);

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Errors quote its settings and it changed shortly before. Below a crash-looping reader's bad-config finding (0.92)
   * even with a restart: a crash on the data is that fault.
   */
  quotedAndRecent: 0.88,
  /** Errors quote its settings, but it did not change recently. */
  quoted: 0.75,
  /** Errors that only began after it changed, naming none of its settings: the timing alone, below errors quoting it. */
  woken: 0.7,
  /** Its reader's logs were not read; it changed shortly before: a weak suspicion. */
  unread: 0.45,
  /** The reader only relays an upstream's failure: the change it read does not explain it. */
  relayed: 0.5,
  /**
   * No error anywhere, but the reader's log says it took the change, quoting a switched flag at its new value
   * (`flags reloaded … new_rule=true`): what it does from then on is what the flag says — a change of behaviour (more
   * declines, another route) that logs no error. Above the walk's leads, below any error a finding quotes.
   */
  acknowledged: 0.6,
  /** Added when the reader was restarted after the change, to pick it up. */
  restartedBonus: 0.02,
} as const;

/** A flag or setting switched in a ConfigMap shortly before a workload that reads it started logging errors quoting it. */
export const featureFlag: Detector = {
  id: 'feature-flag',
  faultTypes: ['feature-flag'],
  detect(snapshot, graph, alert) {
    const now = snapshotNow(snapshot);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const configMap of snapshot.configMaps) {
      const change = switchesIn(configMap, onset);
      if (!change) continue;
      for (const workload of graph.workloadsReferencing(change.ref)) {
        const failing = readerFailures(change, workload, snapshot, graph, now);
        if (failing) findings.push(flagFinding(change, workload, failing, snapshot, graph));
      }
    }
    return findings;
  },
};

/** A ConfigMap that may hold a switch, and when it changed. */
interface Switches {
  configMap: ClusterSnapshot['configMaps'][number];
  ref: EntityRef;
  changedAt: string | undefined;
  /** `changedAt` in ms; set whenever `recent` is. */
  changed: number | undefined;
  /** Changed within the suspect window. When the change time is unknown or old, only errors naming a flag count. */
  recent: boolean;
  /** Keys named like flags (enable…, feature…) or set to a boolean. */
  flagKeys: Set<string>;
  flagLike: boolean;
  /** Any setting of a recently changed ConfigMap can be the switch: its readers' errors quoting it say which. */
  settings: Setting[];
}

/** The ConfigMap's switches; `recent` when it changed shortly before the onset (never without one). */
function switchesIn(configMap: ClusterSnapshot['configMaps'][number], onset: Onset | undefined): Switches | undefined {
  const changedAt = configChangedAt(configMap);
  const changed = toMs(changedAt);
  const recent = onset !== undefined && changedBeforeOnset(changed, onset);
  const data = Object.entries(configMap.data ?? {});
  const flagKeys = new Set<string>();
  for (const [key, value] of data) {
    if (FLAG_NAME.test(key) && (BOOLEAN_VALUE.test(value) || value.length < 200)) flagKeys.add(key);
    for (const match of value.matchAll(KEY_BEFORE_VALUE)) {
      const name = match[1] as string;
      if (
        !GENERIC_KEYS.has(name.toLowerCase()) &&
        (FLAG_NAME.test(name) ||
          /\b(true|false|on|off)\b/i.test(value.slice(match.index ?? 0, (match.index ?? 0) + name.length + 80)))
      )
        flagKeys.add(name);
    }
  }
  const flagLike =
    flagKeys.size > 0 &&
    (data.some(([key]) => FLAG_NAME.test(key)) ||
      [...flagKeys].some((k) => FLAG_NAME.test(k)) ||
      data.some(([, v]) => /\b(true|false)\b/.test(v)));
  // Beside flags, every key set to true or false is one too (`indexer.use_versioned_alias: "true"`), however named.
  if (flagLike) for (const [key, value] of data) if (/^\s*"?(true|false)"?\s*$/i.test(value)) flagKeys.add(key);
  const settings = recent ? settingsOf(configMap.data ?? {}).filter((s) => !GENERIC_KEYS.has(s.key.toLowerCase())) : [];
  if (!flagLike && settings.length === 0) return undefined;
  const ref = refOf('ConfigMap', configMap.metadata);
  return { configMap, ref, changedAt, changed, recent, flagKeys, flagLike, settings };
}

/** Whether a ConfigMap holds switches: keys named like flags, or set to booleans, beside flag-named keys or values. */
export const holdsSwitches = (configMap: ClusterSnapshot['configMaps'][number]): boolean =>
  switchesIn(configMap, undefined)?.flagLike === true;

const SWITCH_WORD = /^(?:enable|enabled|disable|disabled|use|feature|features|flag|toggle|experiment|is|allow)$/i;

/**
 * What a flag switches, without the words that only say it is a switch (`enable_split_tender` → `split_tender`): the
 * code path it turns on goes by that name in the errors (`splitTender`). Only a subject of two words or more, which
 * says something on its own; '' otherwise.
 */
function switchedSubject(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter((word) => word !== '');
  const subject = words.filter(
    (word, index) => !(SWITCH_WORD.test(word) && (index === 0 || index === words.length - 1)),
  );
  return subject.length >= 2 && subject.length < words.length ? subject.join('_') : '';
}

const namesSubject = (text: string, subject: string): boolean => subject !== '' && namesIdentifier(text, subject);

/** A process saying it took new configuration (a file watcher's `flags reloaded`, `config updated`). */
const TOOK_CONFIGURATION =
  /\breload(?:ed|ing)?\b|\b(?:config(?:uration)?|flags?|settings|rules)\b[^.]{0,40}\b(?:changed|updated|loaded|applied|refreshed)\b/i;

/**
 * Whether a line quotes a flag key with the value the ConfigMap holds now (`velocity_rule_v2=true`), or its switch to it
 * (`use_versioned_alias false -> true`) — a process logging the transition says it took the change.
 */
function quotesFlagAtValue(text: string, settings: Setting[], flagKeys: Set<string>, transition = false): boolean {
  const before = transition ? `[:=]?\\s*["']?[\\w.-]+["']?\\s*(?:->|→|=>)\\s*` : `[:=]\\s*`;
  return settings.some(
    (s) =>
      flagKeys.has(s.key) &&
      s.value !== '' &&
      new RegExp(`(?<![\\w.-])${literal(s.key)}["']?\\s*${before}["']?${literal(s.value)}(?![\\w-])`, 'i').test(text),
  );
}

/** What ties a reader's failures to the change. */
interface ReaderFailures {
  /** Error lines (since the change, when recent) that quote a setting or name a flag. */
  telling: PodLogLine[];
  /** The setting the telling lines quote, if any. */
  implicated: Setting | undefined;
  /** Error lines that began only after the change, naming none of its settings. */
  woken: PodLogLine[];
  /** Lines since the change in which the reader says it took it, quoting a flag at its value now (no error read). */
  acknowledged: PodLogLine[];
  /** When the reader was restarted after the change with unchanged containers, to pick it up. */
  restarted: string | undefined;
}

/**
 * Why the reader's failures may be the change's: errors quoting it; or errors that began only after it, in a reader
 * that picks it up live (a flag file) or was restarted to; or, its logs never read, a recent change of flags (or one
 * it was restarted to pick up) as a weak suspicion. Logs that were read and say nothing about it clear it.
 */
function readerFailures(
  { recent, changed, settings, flagLike, flagKeys }: Switches,
  workload: EntityRef,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  now: number,
): ReaderFailures | undefined {
  const pods = graph.podsOf(workload).map((p) => p.metadata?.name ?? '');
  const lines = logLinesOf(snapshot, workload.namespace ?? '', pods).filter(
    (l) => !recent || (toMs(l.at) ?? now) >= (changed as number),
  );
  const quoted = (text: string) => settings.find((s) => quotesSetting(text, s));
  // A setting that has stood unchanged is a flag only by its name (enable…, feature…): a key that merely holds a boolean
  // somewhere below it (a product's config section) is named by every line of that product's log.
  const namesFlag = (text: string) =>
    flagLike &&
    [...flagKeys].some(
      (k) =>
        (recent || FLAG_NAME.test(k)) &&
        (text.includes(k) || namesIdentifier(text, k) || namesSubject(text, switchedSubject(k))),
    );
  const mentions = (text: string) =>
    namesFlag(text) || quoted(text) !== undefined || (recent && flagLike && /\bflag|feature|toggle/i.test(text));
  const telling = lastDistinct(
    lines,
    (t) => mentions(t) && /error|fail|warn|disabled|unavailable|exception|refus/i.test(t),
    2,
  );
  const implicated = telling.map((l) => quoted(l.text)).find((s) => s !== undefined);
  const restarted = recent ? restartedAfter(snapshot, graph, workload, changed as number) : undefined;
  const unread = !logsRead(snapshot, workload.namespace, pods);
  const woken =
    telling.length === 0 && !unread && recent && (flagLike || restarted)
      ? wokenErrors(snapshot, graph, workload, changed as number, restarted !== undefined)
      : [];
  const acknowledged =
    telling.length === 0 && woken.length === 0 && !unread && recent && flagLike
      ? lastDistinct(
          lines,
          (t) =>
            (TOOK_CONFIGURATION.test(t) && quotesFlagAtValue(t, settings, flagKeys)) ||
            quotesFlagAtValue(t, settings, flagKeys, true),
          1,
        )
      : [];
  if (
    telling.length === 0 &&
    woken.length === 0 &&
    acknowledged.length === 0 &&
    !(unread && recent && (flagLike || restarted))
  )
    return undefined;
  return { telling, implicated, woken, acknowledged, restarted };
}

function flagFinding(
  { configMap, ref, changedAt, recent, flagKeys }: Switches,
  workload: EntityRef,
  { telling, implicated, woken, acknowledged, restarted }: ReaderFailures,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): Finding {
  const shown = telling.length > 0 ? telling : woken.length > 0 ? woken : acknowledged;
  // The reader only relays an upstream's failure when its errors name a dependency that logs errors of its own:
  // the change it read does not explain them (unless they quote one of its settings).
  const relayed = implicated
    ? undefined
    : failingUpstream(
        shown.map((l) => l.text),
        workload,
        snapshot,
        graph,
      );
  const flags = implicated
    ? implicated.value
      ? `${implicated.key}=${implicated.value.slice(0, 60)}`
      : implicated.key
    : `flags ${[...(flagKeys.size > 0 ? flagKeys : changedKeys(configMap))].slice(0, 4).join(', ')}`;
  const found: Finding = finding(featureFlag, {
    entity: ref,
    affects: [workload],
    strength: relayed
      ? STRENGTH.relayed
      : (telling.length > 0
          ? recent
            ? STRENGTH.quotedAndRecent
            : STRENGTH.quoted
          : woken.length > 0
            ? STRENGTH.woken
            : acknowledged.length > 0
              ? STRENGTH.acknowledged
              : STRENGTH.unread) + (restarted ? STRENGTH.restartedBonus : 0),
    summary:
      telling.length > 0
        ? `ConfigMap ${ref.name} (${flags})${recent ? ` changed at ${changedAt};` : ':'} ${workload.name} reads it and fails: "${telling[0]?.text.slice(0, 140)}"${relayed ? ` — though the errors name ${relayed}, which fails on its own` : ''}`
        : woken.length > 0
          ? `ConfigMap ${ref.name} (${flags}) changed at ${changedAt}; ${workload.name} reads it${restarted ? '' : ' live'} and its errors began after the change, none before, with nothing of its own changed since: "${woken[0]?.text.slice(0, 140)}"${relayed ? ` — though the errors name ${relayed}, which fails on its own` : ''}`
          : acknowledged.length > 0
            ? `ConfigMap ${ref.name} (${flags}) changed at ${changedAt}, shortly before the symptom; ${workload.name} reads it and says it took the switch, logging no error: what it does since is what the flag says: "${acknowledged[0]?.text.slice(0, 140)}"`
            : `ConfigMap ${ref.name} (${flags}) changed at ${changedAt}, shortly before the symptom; ${workload.name} reads it (its logs were not read)`,
    evidence: [
      ...(recent && changedAt ? [changeEvidence(ref, changedAt)] : []),
      ...shown.map(logEvidence),
      { source: 'graph', ref: workload, text: `${workload.name} reads ConfigMap ${ref.name}` },
      ...(restarted
        ? [
            {
              source: 'change' as const,
              ref: workload,
              text: `${workload.name} was restarted at ${restarted} with unchanged containers, right after the ConfigMap changed`,
              at: restarted,
            },
          ]
        : []),
    ],
  });
  if (recent && changedAt) found.changedAt = changedAt;
  const remediation = restoreProposal(configMap, implicated?.key);
  if (remediation) found.remediation = remediation;
  return found;
}

/** A dependency the lines name whose own pods log errors: the reader's errors relay its failure. */
function failingUpstream(
  lines: string[],
  workload: EntityRef,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): string | undefined {
  if (lines.length === 0) return undefined;
  for (const edge of graph.dependenciesOf(workload)) {
    if (!lines.every((line) => line.includes(edge.to.name))) continue;
    const service = graph.service(edge.to.namespace ?? '', edge.to.name);
    const failing = (service ? graph.workloadsBehind(service) : []).some((behind) =>
      logLinesOf(
        snapshot,
        behind.namespace ?? '',
        graph.podsOf(behind).map((p) => p.metadata?.name ?? ''),
      ).some((l) => looksLikeError(l.text)),
    );
    if (failing) return edge.to.name;
  }
  return undefined;
}

/**
 * The reader's error lines when the logs read prove they all began after `changed` (errorsBeganAfter) and the reader
 * was not rolled out since — a new revision of its own would be the likelier cause (a restart to re-read the change is
 * not one).
 */
function wokenErrors(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  changed: number,
  restarted: boolean,
): PodLogLine[] {
  const pods = graph.podsOf(workload).map((p) => p.metadata?.name ?? '');
  if (!errorsBeganAfter(snapshot, workload.namespace ?? '', pods, changed, restarted)) return [];
  const [current] = workload.kind === 'Deployment' ? revisions(snapshot, workload) : [];
  if (!restarted && (toMs(current?.metadata?.creationTimestamp) ?? 0) > changed) return [];
  const errors = logLinesOf(snapshot, workload.namespace ?? '', pods).filter((l) => looksLikeError(l.text));
  return lastDistinct(errors, () => true, 2);
}

/** The data keys the ConfigMap's last change wrote (its managedFields), when no key is named like a flag. */
function changedKeys(configMap: ClusterSnapshot['configMaps'][number]): string[] {
  const entries = configMap.metadata?.managedFields ?? [];
  const last = [...entries].sort((a, b) => (toMs(b.time) ?? 0) - (toMs(a.time) ?? 0))[0];
  const data = (last?.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:data'] ?? {};
  return Object.keys(data).map((key) => key.replace(/^f:/, ''));
}

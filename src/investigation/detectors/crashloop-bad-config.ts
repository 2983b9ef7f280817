import { configReadThroughApi } from '../evidence/api-config.ts';
import { anyOf, CONNECT_TIMEOUT, GAVE_UP, REFUSED, UNREACHABLE } from '../evidence/connection-failures.ts';
import { quotesSetting, settingsOf } from '../evidence/config-mentions.ts';
import {
  changeEvidence,
  configChangedAt,
  configObject,
  restoreProposal,
  type ConfigMap,
} from '../evidence/config-change.ts';
import { lastDistinct, logEvidence, logLinesOf, logsRead } from '../evidence/logs.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { malformedKeys } from '../evidence/malformed.ts';
import { stateEvidence } from '../evidence/pod-state.ts';
import { toMs, snapshotNow } from '../evidence/time.ts';
import { type Finding, refKey } from '../model.ts';
import { envChanges, quotesEnvChange } from '../evidence/env-changes.ts';
import { envRollouts } from './changed-env.ts';
import { crashingWorkloads } from './crashing.ts';
import { AUTH_FAILURE } from '../evidence/auth-refusal.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

const CONFIG_WORDS =
  /pars(e|ing)|config|yaml|json|toml|ini\b|unmarshal|decode|syntax|unexpected (end|token|eof|character)|malformed|invalid|missing (required )?(key|field|value|setting)|no such file|cannot (open|read|load)|failed to (load|read)/i;

// A crash while reaching a peer is that peer's story, whatever else the line says.
const PEER_FAILURE = anyOf(
  REFUSED,
  CONNECT_TIMEOUT,
  UNREACHABLE,
  GAVE_UP,
  'no such host|deadline exceeded|unavailable',
);

/** Whether the text holds the name without its extension, when that stem is long enough to name something. */
const stemNamedIn = (name: string, text: string): boolean => {
  const stem = name.replace(/\.[a-z]+$/, '');
  return stem.length >= 3 && text.includes(stem);
};

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The crash lines quote it, and it changed recently or holds a malformed value: the change and the crash agree. */
  quotedAndChanged: 0.92,
  /** The crash lines quote it (its name or a key), but it neither changed recently nor is malformed. */
  quoted: 0.75,
  /** The crash logs were not read, but it holds a malformed value: the spec alone shows the fault. */
  malformedUnread: 0.8,
  /** The crash logs were not read; it changed just before the crashes began. */
  changedUnread: 0.65,
} as const;

/** A crashing workload whose ConfigMap or Secret changed shortly before, with a log line about reading it: the data is the fault. */
export const crashloopBadConfig: Detector = {
  id: 'crashloop-bad-config',
  faultTypes: ['crashloop-bad-config'],
  detect(snapshot, graph, alert) {
    const now = snapshotNow(snapshot);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const crash of crashingWorkloads(snapshot, graph)) {
      const pods = [...new Set(crash.states.map((s) => s.pod.metadata?.name ?? ''))];
      const lines = logLinesOf(snapshot, crash.workload.namespace ?? '', pods);
      // A crashed instance whose log, read, held no line (the API kept none, or it died before printing) says no more
      // about why it crashes than a log left unread.
      const unread = lines.length === 0;
      const ownNames = new Set([crash.workload.name, ...crash.states.map((s) => s.status.name)]);
      // Crash lines that quote an env variable the workload's newest revision set (its name or new value) tell of that
      // setting (changed-env judges it): their words about parsing are not about a file read beside it, which must
      // then be named by an error line to be blamed (a file loaded fine just before the crash is no suspect).
      const envChanged = envRollouts(snapshot, graph)
        .filter((rollout) => refKey(rollout.workload.ref) === refKey(crash.workload))
        .flatMap((rollout) => envChanges(rollout.before, rollout.after));
      const quotesEnv = lines.some((line) => envChanged.some((change) => quotesEnvChange(line.text, change)));
      const templateReferences = graph.referencesOf(crash.workload);
      // What the program loads itself (no volume, no env) breaks it as surely, with no new revision to blame.
      const throughApi = configReadThroughApi(
        snapshot,
        graph.workload(crash.workload),
        crash.workload,
        lines.map((l) => l.text),
        templateReferences,
      );
      // A crash on a refused login is the credential's value (bad-secret-value judges the Secret), not a file it parses.
      const loginRefused = lines.some((line) => AUTH_FAILURE.test(line.text));
      const candidates = [...templateReferences, ...throughApi]
        .filter((r) => r.target.kind === 'ConfigMap' || (r.target.kind === 'Secret' && !loginRefused))
        .map((r) => {
          const object = configObject(snapshot, r.target);
          const changedAt = configChangedAt(object);
          const changedMs = toMs(changedAt);
          const firstCrash = toMs(crash.firstCrashAt) ?? now;
          const recent =
            changedMs !== undefined && changedBeforeOnset(changedMs, onset) && changedMs <= firstCrash + 5 * 60_000;
          const keys = Object.keys((object as ConfigMap | undefined)?.data ?? {}).concat(
            (object as { keys?: string[] } | undefined)?.keys ?? [],
          );
          // The program's own name says nothing: every line it logs may carry it (a config file named after it).
          const names = [r.target.name, r.mountPath, r.key, ...keys]
            .filter((n): n is string => !!n && n.length > 2)
            .filter((n) => !ownNames.has(n.replace(/\.[a-z]+$/, '')));
          // A validation error quotes the setting it refuses (`curtailment.mode`, input_value='grid-code-2025'), not
          // the file: a value or key the ConfigMap holds, quoted in the crash, names it as surely as its name.
          const settings = settingsOf((object as ConfigMap | undefined)?.data ?? {});
          // A name without its extension (`ca.crt` → `ca`) shorter than three letters is part of too many words
          // (`tomcat`, `local`) to name anything.
          const mentions = (text: string) =>
            names.some((n) => text.includes(n) || stemNamedIn(n, text)) ||
            settings.some((setting) => quotesSetting(text, setting));
          const telling = lastDistinct(
            lines,
            (text) =>
              !PEER_FAILURE.test(text) &&
              (quotesEnv ? mentions(text) && looksLikeError(text) : CONFIG_WORDS.test(text) || mentions(text)),
            2,
          );
          const malformed = malformedKeys((object as ConfigMap | undefined)?.data);
          return { r, object, changedAt, recent, telling, malformed, named: telling.some((l) => mentions(l.text)) };
        })
        // No log of the crashing pods was read: a change right before the crashes is still a (weaker) lead. Content
        // that does not even parse is wrong whenever it changed.
        .filter(
          (c) =>
            c.object &&
            (((c.recent || c.named || c.malformed.length > 0) && c.telling.length > 0) ||
              ((c.recent || c.malformed.length > 0) && unread)),
        )
        .sort(
          (a, b) =>
            b.malformed.length - a.malformed.length ||
            Number(b.recent) - Number(a.recent) ||
            Number(b.named) - Number(a.named) ||
            (b.changedAt ?? '').localeCompare(a.changedAt ?? ''),
        );
      const best = candidates[0];
      if (!best) continue;
      const found: Finding = finding(crashloopBadConfig, {
        entity: best.r.target,
        affects: [crash.workload],
        strength:
          best.telling.length === 0
            ? best.malformed.length > 0
              ? STRENGTH.malformedUnread
              : STRENGTH.changedUnread
            : best.recent || best.malformed.length > 0
              ? STRENGTH.quotedAndChanged
              : STRENGTH.quoted,
        summary:
          best.telling.length === 0
            ? `${crash.workload.kind} ${crash.workload.name} crashes since ${best.r.target.kind} ${best.r.target.name} changed at ${best.changedAt} (${logsRead(snapshot, crash.workload.namespace, pods) ? 'its crash logs read hold no line' : 'its logs were not read'})`
            : `${best.r.target.kind} ${best.r.target.name}${best.recent ? ` changed at ${best.changedAt} and` : ''} breaks ${crash.workload.kind} ${crash.workload.name}: "${best.telling[0]?.text.slice(0, 160)}"`,
        evidence: [
          ...best.telling.map(logEvidence),
          ...crash.states.slice(0, 2).map(stateEvidence),
          ...(best.changedAt ? [changeEvidence(best.r.target, best.changedAt)] : []),
          ...best.malformed.map((key) => ({
            source: 'spec' as const,
            ref: best.r.target,
            text: `key ${key} does not parse`,
          })),
          {
            source: 'graph',
            ref: crash.workload,
            text: `${crash.workload.name} reads ${best.r.target.kind} ${best.r.target.name}`,
          },
        ],
      });
      if (best.changedAt) found.changedAt = best.changedAt;
      if (best.r.target.kind === 'ConfigMap') {
        const remediation = restoreProposal(best.object as ConfigMap);
        if (remediation) found.remediation = remediation;
      }
      findings.push(found);
    }
    return findings;
  },
};

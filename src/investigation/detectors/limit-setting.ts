import { changeEvidence } from '../evidence/config-change.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { refOf } from '../evidence/graph.ts';
import { againstSetting, namesSetting, type Setting, settingsOf, speaksOfLimit } from '../evidence/limit-settings.ts';
import { lastChange } from '../evidence/time.ts';
import { type EntityRef, type Evidence, type Finding, LOG_TEXT_LIMIT, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The errors name the setting and quote its value or measure past it, and it changed shortly before. */
  explainsChanged: 0.9,
  /** The same, unchanged for long: the load grew into the limit; the setting still is where it is raised. */
  explains: 0.8,
  /** The errors name the setting, without a number to compare, and it changed shortly before. */
  namedChanged: 0.72,
} as const;

/** One error line that speaks of the setting, where it was read. */
interface Spoken {
  setting: Setting;
  line: string;
  pod: EntityRef;
  against?: 'quotes' | 'exceeds';
}

/**
 * The errors read speak of a limit reached and name a setting of a custom resource read — in words (`'maxmemory'`,
 * `flood stage disk watermark`, `quota`) — and quote its value or a measured amount past it, compared on one scale
 * (evidence/limit-settings.ts, evidence/measure.ts): the limit is set there, in the resource the operator renders the
 * server's configuration from; the workloads that hit it are victims, as is the server that enforces it. The catalogue
 * has no type for it: other.
 */
export const limitSetting: Detector = {
  id: 'limit-setting',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const lines = snapshot.logs.flatMap((log) =>
      log.lines
        .filter(speaksOfLimit)
        .map((line) => ({ line, pod: { kind: 'Pod', namespace: log.namespace, name: log.pod } })),
    );
    const eventLines = snapshot.events
      .filter((event) => event.type === 'Warning' || /full|exceed|quota/i.test(event.message ?? ''))
      .map((event) => ({
        line: `${event.reason ?? ''}: ${event.message ?? ''}`,
        pod: refOf(event.involvedObject?.kind ?? '', {
          name: event.involvedObject?.name ?? '',
          namespace: event.involvedObject?.namespace,
        }),
      }));
    const said = [...lines, ...eventLines.filter(({ line }) => LIMIT_EVENT.test(line))];
    if (said.length === 0) return [];
    const findings: Finding[] = [];
    for (const object of snapshot.customObjects) {
      const spoken = settingsOf(object).flatMap((setting) =>
        said
          .filter(({ line }) => namesSetting(setting, line))
          .map(({ line, pod }) => ({ setting, line, pod, against: againstSetting(setting, line) })),
      );
      if (spoken.length === 0) continue;
      const found = judge(onset, object, spoken, (pod) =>
        pod.kind === 'Pod' && graph.pod(pod.namespace ?? '', pod.name)
          ? graph.workloadOf(graph.pod(pod.namespace ?? '', pod.name) as never)
          : pod,
      );
      if (found) findings.push(found);
    }
    return findings;
  },
};

/** An event that speaks of a limit reached (a pool full, a quota reached). */
const LIMIT_EVENT = /\bfull\b|\bexceed|\bquota\b|\breached\b|\bwatermark\b/i;

function judge(
  onset: Onset,
  object: CustomObject,
  spoken: Spoken[],
  workloadOf: (pod: EntityRef) => EntityRef,
): Finding | undefined {
  const entity = refOf(object.kind, object.metadata);
  const changedAt = lastChange(object.metadata);
  const recent = changedBeforeOnset(changedAt, onset);
  // The setting the errors say most of: one whose every word they name (`client_wait_timeout`) before one they name
  // a word of by chance (`maxClients`).
  const closest = [...spoken].sort((a, b) => b.setting.words.length - a.setting.words.length)[0];
  const best = spoken.find((s) => s.against === 'quotes') ?? spoken.find((s) => s.against) ?? closest;
  if (!best) return undefined;
  const strength = best.against
    ? recent
      ? STRENGTH.explainsChanged
      : STRENGTH.explains
    : recent
      ? STRENGTH.namedChanged
      : undefined;
  if (strength === undefined) return undefined;
  const affects = [...new Map(spoken.map((s) => workloadOf(s.pod)).map((ref) => [refKey(ref), ref])).values()].filter(
    (ref) => refKey(ref) !== refKey(entity),
  );
  const { setting } = best;
  const how =
    best.against === 'quotes'
      ? `and quote its value ${setting.value}`
      : best.against === 'exceeds'
        ? `and measure past its value ${setting.value}`
        : `(set to ${setting.value})`;
  const evidence: Evidence[] = [
    ...(recent && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
    { source: 'spec', ref: entity, text: `${object.kind} ${entity.name} ${setting.path}: ${setting.value}` },
    ...spoken.slice(0, 2).map((s) => ({ source: 'log' as const, ref: s.pod, text: s.line.slice(0, LOG_TEXT_LIMIT) })),
  ];
  return finding(limitSetting, {
    entity,
    affects,
    strength,
    summary: `${object.kind} ${entity.name} sets ${setting.path} = ${setting.value}${recent ? `, changed at ${changedAt}` : ''}; the errors of ${affects.map((a) => a.name).join(', ')} name that limit ${how}: it is reached. Its operator renders the server's configuration from this resource: change the setting there`,
    evidence,
    ...(recent && changedAt ? { changedAt } : {}),
  });
}

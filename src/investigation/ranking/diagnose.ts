import { DETECTORS, type DetectorRegistry } from '../detectors/index.ts';
import { errorMessage } from '../../observability/error-message.ts';
import { graphOf, type EvidenceGraph } from '../evidence/graph.ts';
import { errorsBeganAfter } from '../evidence/logs.ts';
import { toMs } from '../evidence/time.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { type Focus, hintsAt } from '../focus.ts';
import type { EntityRef, Evidence, Finding, Hypothesis, RuledOut } from '../model.ts';
import { LOG_TEXT_LIMIT, refKey } from '../model.ts';
import type { Candidate, Ranked } from './candidate.ts';
import { isFaultInjection } from './fault-injection.ts';
import { NAMED_DEPENDENCY, namedDependency } from './named-dependency.ts';
import { atOperatorResource } from './operator-owner.ts';
import { type Reached, reachFrom } from './reach.ts';
import { standingFailure } from './standing-failure.ts';
import { SUSPECT_WALK, type Walk, walkSuspects } from './suspects.ts';
import { incidentStart, timeFactor } from './recency.ts';
import { hintedNodes, symptomNodes } from './symptom.ts';
import { lowerForUnread } from './unread.ts';
import { explainedBy, type Onset, SYMPTOMATIC } from './victims.ts';
import {
  MAX_CONFIDENCE,
  MIN_CONFIDENCE,
  PER_HOP,
  RIVAL_PENALTY,
  RUNNER_UP_SHARE,
  SPECIFIC_FAULT_BONUS,
  UNCONNECTED_CONFIDENCE,
  UNCONNECTED_TO_HINT,
  UNCONNECTED_TO_SYMPTOM,
} from './weights.ts';

export type Diagnosis = Ranked & {
  /** Detectors that threw, by id: their failure modes went unchecked, which the answer must say. */
  failedDetectors: DetectorFailure[];
};

export interface DetectorFailure {
  detector: string;
  error: string;
}

const MAX_HYPOTHESES = 5;
/** Findings of the fallback walk: ranking them never walks again. */
const LEADS = new Set([NAMED_DEPENDENCY, SUSPECT_WALK]);

/** Runs every detector, connects the findings to the symptom and names the deepest abnormal entity that explains it. */
export function diagnose(snapshot: ClusterSnapshot, focus: Focus, detectors: DetectorRegistry = DETECTORS): Diagnosis {
  const graph = graphOf(snapshot);
  // One detector tripping over an object shape it did not expect must not cost the whole answer, nor go unsaid.
  const findings: Finding[] = [];
  const failedDetectors: DetectorFailure[] = [];
  const alert = { text: focus.alertText, ...(focus.startedAt ? { startsAt: focus.startedAt } : {}) };
  for (const [id, detector] of Object.entries(detectors)) {
    try {
      findings.push(...detector.detect(snapshot, graph, alert));
    } catch (error) {
      failedDetectors.push({ detector: id, error: errorMessage(error) });
    }
  }
  return { ...lowerForUnread(rank(findings, snapshot, graph, focus), snapshot), failedDetectors };
}

/**
 * Ranks findings into an answer, in steps: set aside fault-injection machinery, connect each finding to the symptom,
 * set aside history and standing failures off the symptom's path, then victims (what another finding explains), rule out what does not connect; when nothing
 * stands, rank the leads of a walk along the symptom's dependencies instead; else the strongest standing finding
 * is the root cause and the next ones are the alternatives.
 */
export function rank(findings: Finding[], snapshot: ClusterSnapshot, graph: EvidenceGraph, focus: Focus): Ranked {
  const ruled = new RuledOutList();
  const real = setAsideFaultInjection(findings, snapshot, graph, focus, ruled);
  const start = incidentStart(focus, snapshot);
  const { starts, unconnected } = symptomStarts(focus, graph);
  const reach = reachFrom(starts, graph);
  const candidates = merge(real).map((candidate) => connect(candidate, reach, starts.length > 0));
  const score = (candidate: Candidate) => scoreOf(candidate, timeFactor(candidate.finding, start).factor, unconnected);
  const reached = (candidate: Candidate) => starts.length > 0 && candidate.connected;
  const live = setAsideStanding(
    setAsideHistory(candidates, start, score, ruled),
    snapshot,
    start.at,
    reached,
    focus,
    ruled,
  );
  const onset: Onset = {
    start: start.at,
    beganAfter: (workload, at) =>
      errorsBeganAfter(
        snapshot,
        workload.namespace ?? '',
        graph.podsOf(workload).map((p) => p.metadata?.name ?? ''),
        at,
      ),
  };
  const standing = setAsideVictims(live, graph, onset, score, ruled);
  ruleOutUnconnected(standing, ruled);

  const top = standing[0];
  // Nothing stands: a walk along the symptom's dependencies names the best-supported suspect (a recent change, a False
  // condition, a Warning event, the deepest errors of their own) or the dependency its own errors name — weak leads,
  // better than no answer. Once, not again for the leads themselves.
  const walk =
    top || findings.some((f) => LEADS.has(f.detector))
      ? null
      : walkAround(reach, focus, (from) => walkSuspects(from, snapshot, graph, start.at, focus.alertText), graph);
  const led = walk ? rankLeads(walk, starts, snapshot, graph, focus) : undefined;
  if (led?.rootCause) {
    const root = led.rootCause;
    return { ...led, ruledOut: [...led.ruledOut, ...ruled.entries.filter((r) => refKey(r.entity) !== refKey(root))] };
  }
  if (!top) return noRootCause(focus, walk?.checked ?? [], ruled.entries);
  if (focus.symptom && refKey(starts[0] ?? focus.symptom) !== refKey(top.finding.entity) && top.connected) {
    ruled.rule(
      starts[0] ?? focus.symptom,
      `the alerted symptom: it fails because of ${top.finding.entity.kind} ${top.finding.entity.name}`,
    );
  }
  ruleOutHealthy(reach, candidates, graph, ruled.rule);
  return answer(standing, graph, ruled.entries);
}

/**
 * Where the fallback walk goes: along the symptom's dependencies; when the alert points at nothing in the namespace (no
 * symptom, no hinted workload), every workload of the namespace stands where users enter — a namespace with something
 * abnormal in it is not "nothing abnormal".
 */
function walkedFrom(reach: Map<string, Reached>, focus: Focus, graph: EvidenceGraph): Map<string, Reached> {
  if (reach.size > 0) return reach;
  return reachFrom(
    graph.workloads.filter((w) => w.ref.namespace === focus.namespace && w.ref.kind !== 'Pod').map((w) => w.ref),
    graph,
  );
}

/**
 * The walk from the symptom; when no symptom was resolved and the workloads the alert's words hint at hold no suspect,
 * from every workload of the namespace too — a hint is a guess at where to start, not the boundary of the incident.
 */
function walkAround(
  reach: Map<string, Reached>,
  focus: Focus,
  walk: (from: Map<string, Reached>) => Walk,
  graph: EvidenceGraph,
): Walk {
  const first = walk(walkedFrom(reach, focus, graph));
  if (first.suspects.length > 0 || focus.symptom || reach.size === 0) return first;
  const whole = walk(walkedFrom(new Map(), focus, graph));
  return { suspects: whole.suspects, checked: [...new Set([...first.checked, ...whole.checked])] };
}

/** What was ruled out and why, once per entity: the first reason given stands. */
class RuledOutList {
  readonly entries: RuledOut[] = [];
  readonly rule = (entity: EntityRef, reason: string): void => {
    if (!this.entries.some((r) => refKey(r.entity) === refKey(entity))) this.entries.push({ entity, reason });
  };
}

/** Findings about fault-injection machinery are ruled out (it injects faults on purpose); the rest move to operators' resources. */
function setAsideFaultInjection(
  findings: Finding[],
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  focus: Focus,
  ruled: RuledOutList,
): Finding[] {
  return findings
    .filter((finding) => {
      if (!isFaultInjection(finding.entity, snapshot, graph, focus.namespace)) return true;
      ruled.rule(
        finding.entity,
        `fault-injection machinery (${finding.summary}); it injects faults on purpose and is not what to repair`,
      );
      return false;
    })
    .map((finding) => atOperatorResource(finding, snapshot));
}

/**
 * Where the walk from the symptom starts, and how much a finding that does not connect to it keeps. No symptom
 * resolved: workloads the alert's words hint at stand in for it, as a softer guess.
 */
function symptomStarts(focus: Focus, graph: EvidenceGraph): { starts: EntityRef[]; unconnected: number } {
  const named = symptomNodes(focus.symptom, graph);
  if (named.length > 0) return { starts: named, unconnected: UNCONNECTED_TO_SYMPTOM };
  return { starts: hintedNodes(focus.alertText, focus.namespace, graph), unconnected: UNCONNECTED_TO_HINT };
}

/** Findings last seen long before the incident began are history, not this incident; the rest are scored. */
function setAsideHistory(
  candidates: Candidate[],
  start: ReturnType<typeof incidentStart>,
  score: (candidate: Candidate) => number,
  ruled: RuledOutList,
): Candidate[] {
  const live: Candidate[] = [];
  for (const candidate of candidates) {
    const time = timeFactor(candidate.finding, start);
    if (time.history) {
      ruled.rule(
        candidate.finding.entity,
        time.recovered
          ? `${candidate.finding.summary} — over since ${time.lastSeen}: its pods came back and have run ready since, before the incident began (${new Date(start.at).toISOString()}): history, not this incident`
          : `${candidate.finding.summary} — last seen ${time.lastSeen}, long before the incident began (${new Date(start.at).toISOString()}): history, not this incident`,
      );
      continue;
    }
    candidate.score = score(candidate);
    live.push(candidate);
  }
  return live;
}

/** Standing failures off the symptom's path (standing-failure.ts) are set aside, with the reason. */
function setAsideStanding(
  live: Candidate[],
  snapshot: ClusterSnapshot,
  start: number,
  reached: (candidate: Candidate) => boolean,
  focus: Focus,
  ruled: RuledOutList,
): Candidate[] {
  const named = hintsAt(focus.alertText, focus.namespace);
  return live.filter((candidate) => {
    const standing = standingFailure(candidate, snapshot, start, { reached: reached(candidate), named });
    if (standing) ruled.rule(candidate.finding.entity, standing);
    return !standing;
  });
}

/**
 * Strongest first, a candidate another one explains is its victim, and a victim explains nothing: two weak findings
 * that point at each other keep one standing. Returns those standing, strongest first.
 */
function setAsideVictims(
  live: Candidate[],
  graph: EvidenceGraph,
  onset: Onset,
  score: (candidate: Candidate) => number,
  ruled: RuledOutList,
): Candidate[] {
  const standing: Candidate[] = [];
  const victims = new Set<Candidate>();
  const strongerFirst = strongestFirst(onset.start);
  for (const candidate of [...live].sort(strongerFirst)) {
    const cause = live.find(
      (other) => other !== candidate && !victims.has(other) && explainedBy(candidate, other, graph, onset),
    );
    if (!cause) {
      standing.push(candidate);
      continue;
    }
    victims.add(candidate);
    ruled.rule(
      candidate.finding.entity,
      `${candidate.finding.summary} — a consequence of ${cause.finding.entity.kind} ${cause.finding.entity.name} (${cause.finding.faultType})`,
    );
    // The cause inherits the path through its victim when it had none of its own.
    if (!cause.connected && candidate.connected) {
      cause.connected = true;
      cause.path = [cause.finding.entity, ...candidate.path];
      cause.score = score(cause);
    }
  }
  return standing.sort(strongerFirst);
}

/**
 * Highest score first; between equal scores, the finding whose change lies nearest the incident's start (a Job that
 * failed this morning before one that failed last week), then those with no time. The order findings were listed in
 * is the API's name order, which says nothing about the incident: it must never decide.
 */
function strongestFirst(start: number): (a: Candidate, b: Candidate) => number {
  const distance = (candidate: Candidate) => {
    const changed = toMs(candidate.finding.changedAt);
    return changed === undefined ? Number.POSITIVE_INFINITY : Math.abs(start - changed);
  };
  const nearer = (a: Candidate, b: Candidate) => {
    const [da, db] = [distance(a), distance(b)];
    return da === db ? 0 : da < db ? -1 : 1;
  };
  return (a, b) => b.score - a.score || nearer(a, b);
}

/** When the best standing finding connects to the symptom, those that do not are ruled out. */
function ruleOutUnconnected(standing: Candidate[], ruled: RuledOutList): void {
  for (const candidate of standing) {
    if (!candidate.connected && standing[0]?.connected) {
      ruled.rule(candidate.finding.entity, `${candidate.finding.summary} — does not connect to the alerted symptom`);
    }
  }
}

/** The walk's suspects and the dependency the symptom's own errors name, ranked like findings. */
function rankLeads(
  walk: Walk,
  starts: EntityRef[],
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  focus: Focus,
): Ranked | undefined {
  const lead = namedDependency(starts, graph);
  const leads = [...walk.suspects, ...(lead ? [lead] : [])];
  return leads.length > 0 ? rank(leads, snapshot, graph, focus) : undefined;
}

/** Nothing on the symptom's path is abnormal: say what was checked. */
function noRootCause(focus: Focus, checked: string[], ruledOut: RuledOut[]): Ranked {
  const what = focus.symptom ? `${focus.symptom.kind} ${focus.symptom.name}` : `namespace ${focus.namespace}`;
  return {
    rootCause: null,
    faultType: null,
    confidence: 0,
    summary: `No abnormality found that explains ${what}${checked.length > 0 ? `. Checked on its path: ${checked.slice(0, 12).join(', ')}${checked.length > 12 ? ` and ${checked.length - 12} more` : ''} — no change shortly before it began, no failing condition, no Warning event, no errors of their own` : ''}`,
    hypotheses: [],
    ruledOut,
    remediation: null,
  };
}

/** The strongest standing finding is the root cause; the next ones (connected, when it is) are the alternatives. */
function answer(standing: Candidate[], graph: EvidenceGraph, ruledOut: RuledOut[]): Ranked {
  const top = standing[0] as Candidate;
  const shown = standing.filter((c) => c.connected || !top.connected).slice(0, MAX_HYPOTHESES);
  // An alternative is never shown as likelier than the answer (on a tie the answer's rival penalty is larger than
  // the runner-up's share).
  const topConfidence = confidenceOf(top, shown[1], true);
  const hypotheses = shown.map((candidate, index) =>
    toHypothesis(
      candidate,
      index === 0 ? topConfidence : Math.min(topConfidence, confidenceOf(candidate, top, false)),
      graph,
    ),
  );
  const best = hypotheses[0] as Hypothesis;
  const remediation = top.finding.remediation ?? top.support.find((f) => f.remediation)?.remediation ?? null;
  return {
    rootCause: best.entity,
    faultType: best.faultType,
    confidence: best.confidence,
    summary: top.finding.summary,
    hypotheses,
    ruledOut: ruledOut.filter((r) => !hypotheses.some((h) => refKey(h.entity) === refKey(r.entity))),
    remediation,
  };
}

function merge(findings: Finding[]): Candidate[] {
  const byEntity = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = refKey(finding.entity);
    byEntity.set(key, [...(byEntity.get(key) ?? []), finding]);
  }
  return [...byEntity.values()].map((group) => {
    // The most specific account of the entity leads: "its probe fails" over "its new revision fails".
    const weight = (f: Finding) => f.strength + (SYMPTOMATIC.has(f.faultType) ? 0 : SPECIFIC_FAULT_BONUS);
    const [finding, ...support] = [...group].sort((a, b) => weight(b) - weight(a));
    const merged: Finding = {
      ...(finding as Finding),
      strength: Math.max(...group.map((f) => f.strength)),
      affects: dedupe(group.flatMap((f) => f.affects)),
    };
    return { finding: merged, support, path: [merged.entity], connected: false, score: 0 };
  });
}

function connect(candidate: Candidate, reach: ReturnType<typeof reachFrom>, hasSymptom: boolean): Candidate {
  if (!hasSymptom) return { ...candidate, connected: true };
  const { finding } = candidate;
  const via = [finding.entity, ...finding.affects]
    .map((ref) => reach.get(refKey(ref)))
    .filter((r) => r !== undefined)
    .sort((a, b) => a.path.length - b.path.length);
  // The entity itself when the symptom reaches it, else the nearest thing it breaks: the most direct story.
  const contact = via.find((r) => refKey(r.ref) === refKey(finding.entity)) ?? via[0];
  if (!contact) return candidate;
  const fromSymptom = contact.path;
  const path = [...fromSymptom].reverse();
  if (refKey(path[0] as EntityRef) !== refKey(finding.entity)) path.unshift(finding.entity);
  return { ...candidate, connected: true, path };
}

/**
 * The one score formula (weights.ts says why each factor): strength, time, whether it connects to the symptom, and a
 * small bonus per hop of its path. `path` always holds the entity itself, so hops = length - 1.
 */
function scoreOf(candidate: Candidate, timeFactor: number, unconnected: number): number {
  return (
    candidate.finding.strength *
    timeFactor *
    (candidate.connected ? 1 : unconnected) *
    (1 + PER_HOP * Math.max(0, candidate.path.length - 1))
  );
}

function confidenceOf(candidate: Candidate, rival: Candidate | undefined, isTop: boolean): number {
  const base = Math.min(
    MAX_CONFIDENCE,
    candidate.finding.strength * (candidate.connected ? 1 : UNCONNECTED_CONFIDENCE),
  );
  if (!isTop) {
    const share = Math.min(1, candidate.score / Math.max(rival?.score ?? candidate.score, 1e-9));
    return round(Math.max(MIN_CONFIDENCE, base * share * RUNNER_UP_SHARE));
  }
  const ratio = rival ? Math.min(1, rival.score / candidate.score) : 0;
  return round(Math.max(MIN_CONFIDENCE, base * (1 - RIVAL_PENALTY * ratio)));
}

function toHypothesis(candidate: Candidate, confidence: number, graph: EvidenceGraph): Hypothesis {
  const own = [...candidate.finding.evidence, ...candidate.support.flatMap((f) => f.evidence)];
  const evidence: Evidence[] = [...own.slice(0, 7), ...pathEvidence(candidate.path, graph), ...own.slice(7)];
  return {
    entity: candidate.finding.entity,
    faultType: candidate.finding.namedAs ?? candidate.finding.faultType,
    confidence,
    summary: candidate.finding.summary,
    evidence: dedupeEvidence(evidence).slice(0, 10),
    path: candidate.path,
  };
}

/** Why each hop of the path holds: the configuration or log line that shows the caller depends on the callee. */
function pathEvidence(path: EntityRef[], graph: EvidenceGraph): Evidence[] {
  const evidence: Evidence[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const callee = path[i] as EntityRef;
    const caller = path[i + 1] as EntityRef;
    const edge = graph.dependenciesOf(caller).find((e) => refKey(e.to) === refKey(callee));
    const proof = edge?.evidence[0];
    if (proof)
      evidence.push({
        ...proof,
        source: 'graph',
        text: `${caller.name} calls ${callee.name}: ${proof.text}`.slice(0, LOG_TEXT_LIMIT),
      });
  }
  return evidence.slice(0, 3);
}

/** Workloads the symptom depends on that look healthy: named so the thread shows they were checked. */
function ruleOutHealthy(
  reach: ReturnType<typeof reachFrom>,
  candidates: Candidate[],
  graph: EvidenceGraph,
  rule: (entity: EntityRef, reason: string) => void,
): void {
  // A finding's entity and what it breaks are not "nothing abnormal".
  const abnormal = new Set(candidates.flatMap((c) => [c.finding.entity, ...c.finding.affects].map(refKey)));
  let named = 0;
  for (const { ref, path } of reach.values()) {
    // The symptom itself (the start, or the workload behind an alerted Service) is not a dependency.
    const symptomItself = path.length < 2 || (path.length === 2 && path[0]?.kind === 'Service');
    if (named >= 4 || symptomItself || ref.kind === 'Service' || abnormal.has(refKey(ref))) continue;
    const pods = graph.podsOf(ref);
    if (pods.length === 0 || !pods.every(isPodReady)) continue;
    rule(
      ref,
      `checked on the symptom's dependency path: ${pods.length}/${pods.length} pods ready, nothing abnormal found`,
    );
    named++;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

function dedupe(refs: EntityRef[]): EntityRef[] {
  return [...new Map(refs.map((r) => [refKey(r), r])).values()];
}

function dedupeEvidence(evidence: Evidence[]): Evidence[] {
  return [...new Map(evidence.map((e) => [`${refKey(e.ref)}|${e.text}`, e])).values()];
}

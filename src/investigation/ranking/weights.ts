/**
 * The numbers the ranking weighs findings with, in one place, each with its reason. A detector's own `strength` says
 * how sure it is of its finding; these say how the ranking adjusts that for the symptom, time and rivals.
 *
 * A candidate's score (see `scoreOf` in diagnose.ts):
 *   strength × time factor × (1 when it connects to the symptom, else UNCONNECTED_*) × (1 + PER_HOP × hops)
 */

// --- Score: connection to the symptom ---

/**
 * A finding that does not connect to the resolved symptom keeps about a third of its score: it may be a second,
 * unrelated fault, or the link to the symptom was not read — either way a connected finding should win.
 */
export const UNCONNECTED_TO_SYMPTOM = 0.35;

/**
 * With no symptom resolved, the workloads the alert's words hint at stand in for it; that is a softer guess, so a
 * finding they do not reach loses less.
 */
export const UNCONNECTED_TO_HINT = 0.8;

/**
 * Each hop from the symptom to the finding adds 3%: of two equally strong findings on one path, the deeper one explains
 * the other (a tie-breaker, small enough never to outweigh a difference in strength).
 */
export const PER_HOP = 0.03;

/** Of several findings about one entity, a specific one (not SYMPTOMATIC) leads: "its probe fails" over "its new revision fails". */
export const SPECIFIC_FAULT_BONUS = 0.1;

// --- Score: time (recency.ts) ---

/** Evidence that all dates from long before the incident: history, ruled out (the factor is reported, not ranked). */
export const HISTORY_FACTOR = 0.2;

/**
 * A change up to the change window before the symptom began raises its finding by up to 20%, most when it came just
 * before: changes are the commonest cause of incidents.
 */
export const RECENT_CHANGE_BONUS = 0.2;

/**
 * A change well after the alert's own start cannot have caused it: lowered a little. Not when the start was only
 * estimated from the logs — then the change may well be earlier than the symptom.
 */
export const CHANGE_AFTER_START_FACTOR = 0.95;

// --- Victims (victims.ts) ---

/** A finding weaker than this can be a victim of a stronger one upstream, whatever its fault type. */
export const WEAK_FINDING = 0.7;

/**
 * A change that wakes a standing condition must itself fit the errors (a detector's finding, e.g. a flag whose switch
 * the errors began after), not be any change nearby: the walk's weak leads (≤ 0.45) never do.
 */
export const FITTING_CHANGE = 0.6;

// --- Confidence (diagnose.ts confidenceOf) ---

/** No answer is certain: what was not read may hold a better explanation. */
export const MAX_CONFIDENCE = 0.97;

/** A hypothesis not connected to the symptom is worth half its strength as a confidence. */
export const UNCONNECTED_CONFIDENCE = 0.5;

/** Every hypothesis named keeps at least this much: it was found abnormal, after all. */
export const MIN_CONFIDENCE = 0.05;

/** The root cause loses up to 45% of its confidence to a rival as strong as itself (rival/top score ratio). */
export const RIVAL_PENALTY = 0.45;

/** A runner-up gets at most 60% of its base confidence, scaled by its score against the top's: it did not win. */
export const RUNNER_UP_SHARE = 0.6;

/** How much of its confidence an answer keeps when part of what it listed was left unread (unread.ts). */
export const UNREAD_FACTOR = 0.75;

// --- Leads of the fallback walk (suspects.ts, named-dependency.ts): all weaker than a detector's finding ---

export const LEAD_STRENGTH = {
  /** A change shortly before the symptom that the victims' errors fit (or whose pods restarted to read it). */
  fittingChange: 0.45,
  /** A controller condition (ReplicaFailure, Progressing False) that turned shortly before the symptom. */
  failingCondition: 0.4,
  /** A change shortly before the symptom, with nothing in the errors that ties it to them. */
  change: 0.35,
  /**
   * A rollout whose new pods all run ready and never restarted, with nothing of its own in the errors: its health is
   * seen, unlike a change that has no status of its own, so of two such changes it is the bystander.
   */
  healthyRollout: 0.33,
  /** Warning events about the workload, its ReplicaSets or pods, shortly before the symptom. */
  warningEvents: 0.35,
  /** The deepest workload on the path with errors of its own that its dependencies do not explain. */
  ownErrors: 0.3,
  /** A rollout of a workload whose errors relay a callee failing on its own: they point past it, below ownErrors. */
  relayingChange: 0.25,
  /** The dependency the symptom's own error lines name most: only a pointer to where to look. */
  namedDependency: 0.3,
} as const;

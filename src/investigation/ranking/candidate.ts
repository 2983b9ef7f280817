import type { EntityRef, Finding, InvestigationResult } from '../model.ts';

/** A finding as the ranking sees it: merged per entity, connected (or not) to the symptom, scored. */
export interface Candidate {
  finding: Finding;
  /** Other findings about the same entity, weaker. */
  support: Finding[];
  path: EntityRef[];
  connected: boolean;
  score: number;
}

/** What ranking concludes from the findings: the answer but for the assumptions the investigation adds. */
export type Ranked = Omit<InvestigationResult, 'assumptions'>;

import type { ClusterSnapshot } from './snapshot.ts';

/**
 * What a snapshot holds at one moment, cheaply told apart from what it held before: its fields (its lists) and their
 * lengths. A snapshot only grows while it is read (reads append to its lists and never change what they hold), so the
 * same lists at the same lengths are the same evidence; any list longer, or replaced, is new evidence. Comparing two
 * states costs one step per field, whatever the number of objects read (serializing the snapshot to compare it cost
 * seconds and hundreds of MB in a namespace of 10,000 pods).
 */
export interface EvidenceState {
  fields: unknown[];
  lengths: number[];
}

const lengthOf = (field: unknown) => (Array.isArray(field) ? field.length : -1);

export function evidenceState(snapshot: ClusterSnapshot): EvidenceState {
  const fields = Object.values(snapshot);
  return { fields, lengths: fields.map(lengthOf) };
}

export const sameEvidence = (a: EvidenceState, b: EvidenceState): boolean =>
  a.fields.length === b.fields.length &&
  a.fields.every((field, index) => field === b.fields[index] && a.lengths[index] === b.lengths[index]);

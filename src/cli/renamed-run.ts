import { type EntityRef, refKey } from '../investigation/model.ts';
import { renameRef } from '../simulation/rename.ts';

/** What one run answered: the entity and the fault type. */
export interface Answer {
  predicted: EntityRef | null;
  faultType: { predicted: string | null };
}

/** A file whose answer under renaming is not the as-written answer renamed. */
export interface ChangedAnswer {
  id: string;
  /** The as-written answer, renamed: what the renamed run should have said. */
  asWritten: { predicted: EntityRef | null; faultType: string | null };
  renamed: { predicted: EntityRef | null; faultType: string | null };
}

/**
 * The metamorphic relation: renaming the application's words and moving the clock must rename the answer and change
 * nothing else. The as-written entity is renamed with the same words before the two are compared.
 */
export function changedUnderRenaming(
  id: string,
  asWritten: Answer,
  renamed: Answer,
  renames: ReadonlyMap<string, string>,
): ChangedAnswer | null {
  const expected = asWritten.predicted ? renameRef(asWritten.predicted, renames) : null;
  const sameEntity = (expected ? refKey(expected) : null) === (renamed.predicted ? refKey(renamed.predicted) : null);
  const sameFault = asWritten.faultType.predicted === renamed.faultType.predicted;
  if (sameEntity && sameFault) return null;
  return {
    id,
    asWritten: { predicted: expected, faultType: asWritten.faultType.predicted },
    renamed: { predicted: renamed.predicted, faultType: renamed.faultType.predicted },
  };
}

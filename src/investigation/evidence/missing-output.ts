import type { Alert } from '../../alert/alert.ts';
import { alertText } from '../focus.ts';

// An alert that something was not produced by its time (a report not published, an export missing): the run that should
// have produced it may have failed hours before the alert, at its scheduled time, and stopped — or never started.
const MISSING_OUTPUT =
  /\bnot (?:been )?(?:published|generated|produced|delivered|exported|created|written|uploaded|received|refreshed|updated|arrived|run)\b|\b(?:missing|stale|overdue|late)\b|\b(?:don'?t|doesn'?t|do not|does not|not|never)\s+(?:show(?:s|ing)?\s+up|appear(?:s|ing)?)\b/i;

/** Whether the alert says output is missing; an alert name's words count apart (`LedgerCloseMissing`). */
export function saysOutputMissing(alert: Alert): boolean {
  return MISSING_OUTPUT.test(alertText(alert).replace(/([a-z0-9])([A-Z])/g, '$1 $2'));
}

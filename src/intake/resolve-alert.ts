import type { Alert } from '../alert/alert.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { resolveAlert } from '../store/incidents.ts';
import type { IntakeDeps } from './open-investigation.ts';

export interface AlertResolution {
  /** The alert's incident; null when the source never reported the alert to us. */
  incidentId: string | null;
  /** Alerts of that incident still firing: the incident resolves when none is. */
  stillFiring: number;
}

/**
 * A source resolved one alert: its line in the storm's related-alerts message changes, and the incident is
 * resolved (status, audit event, "Resolved" reply — VisibleState) when it was the last of its alerts still firing.
 */
export async function resolveSourceAlert(
  deps: IntakeDeps & { visible: Pick<VisibleState, 'resolveIncident'> },
  source: Alert['source'],
  externalId: string,
): Promise<AlertResolution> {
  const resolved = await resolveAlert(deps.db, source, externalId);
  if (!resolved) return { incidentId: null, stillFiring: 0 };
  const { incident, stillFiring } = resolved;
  if (stillFiring === 0) await deps.visible.resolveIncident(incident.id, source);
  deps.showRelatedAlerts?.(incident.id);
  return { incidentId: incident.id, stillFiring };
}

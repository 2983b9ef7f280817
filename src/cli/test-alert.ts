import type { Alert } from '../alert/alert.ts';
import type { AlertmanagerWebhook } from '../intake/alertmanager.ts';

/**
 * A scenario's alert as Alertmanager would POST it to /webhooks/alertmanager: the door that carries labels, so the
 * running bot receives the same title, text, labels and start time that `investigate` gives the engine (the
 * summary and description annotations are where Alertmanager keeps the title and text). `run` makes the group key,
 * and so the incident, new for each simulation.
 */
export function alertmanagerWebhook(alert: Alert, run: string): AlertmanagerWebhook {
  const annotations = {
    ...alert.annotations,
    summary: alert.title,
    ...(alert.text ? { description: alert.text } : {}),
  };
  return {
    version: '4',
    groupKey: `{}:{incident-bot-simulate="${run}"}`,
    status: 'firing',
    receiver: 'incident-bot',
    groupLabels: {},
    commonLabels: alert.labels,
    commonAnnotations: annotations,
    alerts: [
      {
        status: 'firing',
        labels: alert.labels,
        annotations,
        ...(alert.startsAt ? { startsAt: alert.startsAt } : {}),
      },
    ],
  };
}

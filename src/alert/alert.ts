import { z } from 'zod';

/**
 * The one shape every door (PagerDuty, Alertmanager, Slack, the CLI, a replayed scenario) is
 * normalised to before anything else sees it. It names a symptom, never a cause.
 */
export const AlertSchema = z.object({
  source: z.enum(['pagerduty', 'alertmanager', 'slack']),
  title: z.string().min(1),
  text: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  /** Stable id at the source (PagerDuty incident id, Alertmanager group key, Slack message ts). */
  externalId: z.string().optional(),
  /** Link back to the source (PagerDuty incident page, Alertmanager URL). */
  url: z.string().optional(),
  /** Alertmanager's group labels (the route's `group_by`): alerts sharing them join one incident during a storm. */
  groupLabels: z.record(z.string(), z.string()).optional(),
  /** What intake had to replace in the text to store it (NUL bytes, unpaired surrogates), shown with the incident. */
  cleaned: z.string().optional(),
});

export type Alert = z.infer<typeof AlertSchema>;

import { eventsFor } from './events-for.ts';
import { getObject } from './get-object.ts';
import { listObjects } from './list-objects.ts';
import { podLogs } from './pod-logs.ts';
import { prometheusQuery } from './prometheus-query.ts';
import { rolloutHistory } from './rollout-history.ts';
import type { InvestigationTool } from './tool.ts';

/** Every read-only tool the engine and the LLM agent may call. None writes. */
export const investigationTools: readonly InvestigationTool[] = [
  listObjects,
  getObject,
  eventsFor,
  podLogs,
  rolloutHistory,
  prometheusQuery,
];

/** The tools usable with this configuration (Prometheus only when a URL is set). */
export const availableTools = (prometheusUrl: string | undefined): InvestigationTool[] =>
  investigationTools.filter((tool) => tool.name !== prometheusQuery.name || Boolean(prometheusUrl));

import type { Alert } from './alert.ts';

/** The clusters this deployment serves (CLUSTERS_FILE), by name; `fallback` takes alerts that name none. */
export interface ClusterNames {
  names: readonly string[];
  fallback?: string;
}

export type ClusterRoute = { cluster: string | null } | { refused: string };

/** The label an alert names its cluster with: Alertmanager's `cluster` label, `/diagnose … cluster=name`. */
export const CLUSTER_LABEL = 'cluster';

/**
 * Which cluster an alert is about. Zero-config (no CLUSTERS_FILE): the one cluster the bot can reach, whatever
 * the alert says (null). With clusters configured: the one its `cluster` label names, or the configured default
 * when it names none — and a refusal, never a guess, when it names one not configured or there is no default.
 */
export function routeCluster(clusters: ClusterNames | undefined, alert: Alert): ClusterRoute {
  if (!clusters) return { cluster: null };
  const named = alert.labels[CLUSTER_LABEL]?.trim();
  const configured = clusters.names.join(', ');
  if (named) {
    if (clusters.names.includes(named)) return { cluster: named };
    return {
      refused: `unknown cluster "${named}": this bot serves ${configured} (CLUSTERS_FILE); not investigated`,
    };
  }
  if (clusters.fallback) return { cluster: clusters.fallback };
  return {
    refused: `the alert names no cluster (label "${CLUSTER_LABEL}") and CLUSTERS_FILE sets no default; it serves ${configured}`,
  };
}

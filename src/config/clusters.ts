import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ClusterNames } from '../alert/route-cluster.ts';
import { errorMessage } from '../observability/error-message.ts';

const path = z.string().min(1, 'must be a path');

const ClusterSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be lower-case letters, digits, "-" and "." (e.g. prod-eu)'),
    /** The investigator's read-only kubeconfig; unset → the process's own (KUBECONFIG, or the pod's ServiceAccount). */
    kubeconfig: path.optional(),
    /** A context of that kubeconfig (default: its current-context). */
    context: z.string().min(1).optional(),
    /**
     * The executor's write kubeconfig. Unset: the home cluster (no `kubeconfig`) uses the executor's own
     * (EXECUTOR_KUBECONFIG or its pod's ServiceAccount); any other cluster then has no executor (plans fail, nothing changes).
     */
    executorKubeconfig: path.optional(),
    executorContext: z.string().min(1).optional(),
    prometheusUrl: z.url('must be a URL').optional(),
  })
  .strict();

const ClustersFileSchema = z
  .object({
    /** The cluster of alerts that name none; unset → such alerts are refused. */
    default: z.string().min(1).optional(),
    clusters: z.array(ClusterSchema).min(1, 'must name at least one cluster'),
  })
  .strict()
  .superRefine((file, ctx) => {
    const names = file.clusters.map((cluster) => cluster.name);
    for (const [index, name] of names.entries())
      if (names.indexOf(name) !== index)
        ctx.addIssue({ code: 'custom', path: ['clusters', index, 'name'], message: `"${name}" is named twice` });
    if (file.default && !names.includes(file.default))
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `"${file.default}" is not one of ${names.join(', ')}`,
      });
    // Two clusters on the process's own credentials would be one cluster read under two names.
    const home = file.clusters.filter((cluster) => !cluster.kubeconfig).map((cluster) => cluster.name);
    if (home.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: `${home.join(' and ')} both leave kubeconfig unset (the process's own credentials): at most one cluster may`,
      });
  });

export type ClusterSpec = z.infer<typeof ClusterSchema>;
export type ClustersFile = z.infer<typeof ClustersFileSchema>;

/** CLUSTERS_FILE is missing, unreadable or wrong: says which file, which field and what is expected. */
export class ClustersFileError extends Error {
  override readonly name = 'ClustersFileError';
}

/** Parses a clusters file's text (YAML, or JSON — YAML reads both). */
export function parseClustersFile(text: string, source: string): ClustersFile {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ClustersFileError(`CLUSTERS_FILE ${source} is not YAML or JSON: ${errorMessage(error)}`);
  }
  const parsed = ClustersFileSchema.safeParse(value);
  if (!parsed.success)
    throw new ClustersFileError(
      `CLUSTERS_FILE ${source} is invalid:\n${z.prettifyError(parsed.error)}\n` +
        'Expected e.g.\n  default: prod-eu\n  clusters:\n    - name: prod-eu\n      kubeconfig: /etc/incident-bot/clusters/prod-eu/reader.kubeconfig\n' +
        '      executorKubeconfig: /etc/incident-bot/clusters/prod-eu/executor.kubeconfig\n      prometheusUrl: http://prometheus.prod-eu:9090',
    );
  return parsed.data;
}

export function readClustersFile(file: string): ClustersFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClustersFileError(`CLUSTERS_FILE ${file} cannot be read: ${errorMessage(error)}`);
  }
  return parseClustersFile(text, file);
}

/** What intake routes by: the names, and the default for alerts that name none. */
export const clusterNames = (file: ClustersFile): ClusterNames => ({
  names: file.clusters.map((cluster) => cluster.name),
  ...(file.default ? { fallback: file.default } : {}),
});

/**
 * One credential of one cluster: its kubeconfig file (or `fallback`, the process's own) at `context`. A context the
 * file does not have is an error naming the ones it has, not a silent current-context.
 */
export function loadClusterKubeConfig(
  cluster: string,
  file: string | undefined,
  context: string | undefined,
  fallback: () => KubeConfig,
): KubeConfig {
  let kubeConfig: KubeConfig;
  try {
    if (file) {
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(file);
    } else kubeConfig = fallback();
  } catch (error) {
    throw new ClustersFileError(`cluster ${cluster}: cannot load ${file ?? 'its credentials'}: ${errorMessage(error)}`);
  }
  if (context) {
    if (!kubeConfig.getContextObject(context))
      throw new ClustersFileError(
        `cluster ${cluster}: context "${context}" is not in ${file ?? 'the kubeconfig'} (it has ${kubeConfig.contexts.map((c) => c.name).join(', ') || 'none'})`,
      );
    kubeConfig.setCurrentContext(context);
  }
  return kubeConfig;
}

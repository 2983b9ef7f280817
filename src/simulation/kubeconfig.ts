import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const CLUSTER = 'simulation';
const USER = 'simulation-user';
const CONTEXT = 'simulation';
/** The simulated server accepts any token; one is sent so that clients behave as against a real cluster. */
const TOKEN = 'simulated-cluster-token';

/** A KubeConfig for the simulated API server at `server` (http, loopback). */
export function simulationKubeConfig(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: CLUSTER, server, skipTLSVerify: true }],
    users: [{ name: USER, token: TOKEN }],
    contexts: [{ name: CONTEXT, cluster: CLUSTER, user: USER, namespace: 'default' }],
    currentContext: CONTEXT,
  });
  return kubeConfig;
}

/** The same configuration as a kubeconfig file, for `simulate --kubeconfig-out` (kubectl and KUBECONFIG read it). */
export function toKubeconfigYaml(server: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: USER, user: { token: TOKEN } }],
    contexts: [{ name: CONTEXT, context: { cluster: CLUSTER, user: USER, namespace: 'default' } }],
    'current-context': CONTEXT,
  });
}

/** The name the CLI uses. */
export const kubeconfigYaml = toKubeconfigYaml;

import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { createControllers } from './controllers.ts';
import { type KubeApiServerOptions, type KubeRequest, startKubeApiServer } from './kube-api/server.ts';
import { simulationKubeConfig } from './kubeconfig.ts';
import { type PrometheusRequest, startPrometheusSimulator } from './prometheus/server.ts';
import type { Scenario } from './scenario.ts';

export type SimRequest = (KubeRequest & { server: 'kube' }) | (PrometheusRequest & { server: 'prometheus' });

export interface Simulation {
  kubeApiUrl: string;
  prometheusUrl: string;
  kubeConfig: KubeConfig;
  /** Every request both simulated servers have answered, Kubernetes first. */
  requests(): SimRequest[];
  close(): Promise<void>;
}

export interface SimulationOptions {
  /** Port of the Kubernetes API server; 0 or absent: any free port. */
  kubePort?: number;
  /** Same as kubePort (the CLI's `--port`). */
  port?: number;
  prometheusPort?: number;
  /** An API server that does each request but answers late or never (see KubeApiServerOptions.hold). */
  hold?: KubeApiServerOptions['hold'];
}

/** Serves a scenario's cluster and metrics on loopback, as a real cluster's API server and Prometheus would. */
export async function startSimulation(scenario: Scenario, options: SimulationOptions = {}): Promise<Simulation> {
  const now = new Date(scenario.now);
  const kube = await startKubeApiServer({
    objects: scenario.cluster.objects,
    logs: scenario.cluster.logs,
    now,
    port: options.kubePort ?? options.port,
    onWrite: createControllers(scenario),
    hold: options.hold,
    // As Prometheus's below: what requests() counts was sent by whoever was given kubeApiUrl (or a kubeconfig of it).
    routePrefix: `/sim-${randomBytes(6).toString('hex')}`,
  });
  const prometheus = await startPrometheusSimulator(scenario.metrics ?? [], {
    now,
    port: options.prometheusPort,
    // A path no other process knows: what requests() counts was sent by whoever was given prometheusUrl.
    routePrefix: `/sim-${randomBytes(6).toString('hex')}`,
  }).catch(async (error: unknown) => {
    await kube.close();
    throw error;
  });
  return {
    kubeApiUrl: kube.url,
    prometheusUrl: prometheus.url,
    kubeConfig: simulationKubeConfig(kube.url),
    requests: () => [
      ...kube.requests().map((request) => ({ ...request, server: 'kube' as const })),
      ...prometheus.requests().map((request) => ({ ...request, server: 'prometheus' as const })),
    ],
    close: async () => {
      await Promise.all([kube.close(), prometheus.close()]);
    },
  };
}

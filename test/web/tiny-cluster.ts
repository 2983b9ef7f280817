import { parseScenario, type Scenario } from '../../src/simulation/scenario.ts';

/** A one-pod cluster for the pipeline tests: what the investigation concludes is the engine's business, not theirs. */
export const TINY_CLUSTER: Scenario = parseScenario(
  {
    apiVersion: 'scenario/v1',
    id: 'web-pipeline-tiny',
    title: 'One pod that cannot pull its image',
    now: '2026-11-20T10:30:00Z',
    alert: { source: 'pagerduty', title: 'High error rate on checkout' },
    cluster: {
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'shop', uid: 'ns-shop' },
          status: { phase: 'Active' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'checkout-0',
            namespace: 'shop',
            uid: 'pod-checkout-0',
            labels: { app: 'checkout' },
            creationTimestamp: '2026-11-20T10:00:00Z',
          },
          spec: { containers: [{ name: 'checkout', image: 'registry.example/checkout:missing' }] },
          status: {
            phase: 'Pending',
            containerStatuses: [
              {
                name: 'checkout',
                ready: false,
                restartCount: 0,
                image: 'registry.example/checkout:missing',
                imageID: '',
                state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
              },
            ],
          },
        },
      ],
      logs: [],
    },
    groundTruth: { rootCause: [{ kind: 'Pod', namespace: 'shop', name: 'checkout-0' }], faultType: 'bad-image' },
  },
  'test/web/tiny-cluster.ts',
);

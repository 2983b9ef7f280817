/** A tiny valid scenario: one namespace whose only pod cannot pull its image. Written by tests as YAML or JSON. */
export const NOW = '2026-01-01T12:00:00Z';

export const SMALL_SCENARIO = {
  apiVersion: 'scenario/v1',
  id: 'tiny-bad-image',
  title: 'A pod that cannot pull its image',
  now: NOW,
  alert: {
    source: 'alertmanager',
    title: 'KubePodNotReady',
    labels: { alertname: 'KubePodNotReady', namespace: 'tiny' },
  },
  cluster: {
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tiny', uid: 'ns-uid' }, status: { phase: 'Active' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'web-0',
          namespace: 'tiny',
          uid: 'pod-uid',
          labels: { app: 'web' },
          creationTimestamp: '2026-01-01T11:50:00Z',
        },
        spec: { containers: [{ name: 'web', image: 'registry.example/web:does-not-exist' }] },
        status: {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'web',
              ready: false,
              restartCount: 0,
              image: 'registry.example/web:does-not-exist',
              imageID: '',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
            },
          ],
        },
      },
    ],
    logs: [],
  },
  metrics: [
    {
      metric: { __name__: 'kube_pod_container_status_ready', namespace: 'tiny', pod: 'web-0', container: 'web' },
      values: [
        [1767268740, '0'],
        [1767268800, '0'],
      ],
    },
  ],
  groundTruth: { rootCause: [{ kind: 'Pod', namespace: 'tiny', name: 'web-0' }], faultType: 'bad-image' },
};

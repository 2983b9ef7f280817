import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceSelector } from '../../src/investigation/detectors/service-selector.ts';
import { servicesSelectingNoTemplate } from '../../src/investigation/evidence/selector-templates.ts';
import { app, cluster, NS, OLD, service } from './support/cluster.ts';
import { detect } from './support/detect.ts';

// A Service that selects no pod read is judged broken only once every template that could carry its selector was
// read: the first reads list Deployments and StatefulSets, not the DaemonSets a router's or agent's Service selects.
test('a Service that no pod or Deployment template matches asks for the DaemonSets; one a Deployment serves does not', () => {
  const snapshot = cluster((s) => {
    app(s, 'till');
    service(s, 'edge-proxy', { selector: { app: 'edge-proxy' }, port: 8080 });
  });
  assert.deepEqual(servicesSelectingNoTemplate(snapshot, NS), ['edge-proxy']);
});

test("a Service whose selector a DaemonSet's template carries, its pods unread, is no selector fault", () => {
  const snapshot = cluster((s) => {
    app(s, 'till');
    service(s, 'edge-proxy', { selector: { app: 'edge-proxy' }, port: 8080 });
    s.daemonSets.push({
      metadata: { namespace: NS, name: 'edge-proxy', creationTimestamp: OLD },
      spec: {
        selector: { matchLabels: { app: 'edge-proxy' } },
        template: { metadata: { labels: { app: 'edge-proxy' } }, spec: { containers: [{ name: 'proxy' }] } },
      },
      status: { desiredNumberScheduled: 3, numberReady: 3, currentNumberScheduled: 3, numberMisscheduled: 0 },
    });
  });
  assert.deepEqual(detect(serviceSelector, snapshot), []);
});

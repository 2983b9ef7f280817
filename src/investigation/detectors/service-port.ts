import { refOf } from '../evidence/graph.ts';
import { lastChange, toMs, snapshotNow, SUSPECT_CHANGE_WINDOW } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** A Service whose targetPort is no port its selected pods' containers expose. */
export const servicePort: Detector = {
  id: 'service-port',
  faultTypes: ['service-port'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const now = snapshotNow(snapshot);
    for (const service of snapshot.services) {
      const pods = graph.podsSelectedBy(service);
      if (pods.length === 0) continue;
      const containers = pods.flatMap((p) => p.spec?.containers ?? []);
      // A container that declares no port may still listen on any: only a pod whose every container declares its
      // ports can prove the targetPort wrong.
      if (containers.length === 0 || containers.some((c) => (c.ports ?? []).length === 0)) continue;
      const declared = containers.flatMap((c) => c.ports ?? []);
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const numeric = typeof target === 'number' || /^\d+$/.test(String(target));
        const served = numeric
          ? declared.some((p) => p.containerPort === Number(target))
          : declared.some((p) => p.name === target);
        if (served) continue;
        // Declared container ports are informational: traffic to an undeclared numeric port still reaches the pod.
        // Such a port is a fault only when it is all the Service carries or the Service changed recently; a second,
        // long-standing port (metrics, a management UI) merely undeclared is not evidence of anything.
        const changed = lastChange(service.metadata);
        const recentlyChanged = changed !== undefined && now - (toMs(changed) ?? 0) <= SUSPECT_CHANGE_WINDOW;
        if (numeric && (service.spec?.ports ?? []).length > 1 && !recentlyChanged) continue;
        const ref = refOf('Service', service.metadata);
        const candidates = [
          ...new Set(
            declared.filter((p) => !p.protocol || p.protocol === (port.protocol ?? 'TCP')).map((p) => p.containerPort),
          ),
        ];
        const fix = candidates.length === 1 ? candidates[0] : undefined;
        const found: Finding = finding(servicePort, {
          entity: ref,
          affects: [...new Map(pods.map((p) => graph.workloadOf(p)).map((w) => [w.name, w])).values()],
          strength: 0.92,
          summary: `Service ${service.metadata?.name} sends port ${port.port} to targetPort ${target}, which its pods do not expose (they expose ${candidates.join(', ')})`,
          evidence: [
            {
              source: 'spec',
              ref,
              text: `port ${port.port} → targetPort ${target}; containers expose ${declared.map((p) => (p.name ? `${p.name}:${p.containerPort}` : p.containerPort)).join(', ')}`,
            },
          ],
        });
        if (changed) found.changedAt = changed;
        if (fix !== undefined) {
          found.remediation = {
            summary: `Point Service ${service.metadata?.name} port ${port.port} at targetPort ${fix}`,
            action: {
              type: 'set-service-port',
              namespace: service.metadata?.namespace ?? '',
              name: service.metadata?.name ?? '',
              port: port.port,
              targetPort: fix,
            },
          };
        }
        findings.push(found);
      }
    }
    return findings;
  },
};

import { refOf } from '../evidence/graph.ts';
import type { Evidence, Finding } from '../model.ts';
import type { Detector } from './detector.ts';

/** An autoscaler pinned at maxReplicas while its metric stays above target: it can scale no further. */
export const hpaLimit: Detector = {
  id: 'hpa-limit',
  faultTypes: ['hpa-limit'],
  detect(snapshot) {
    return snapshot.horizontalPodAutoscalers.flatMap((hpa): Finding[] => {
      const max = hpa.spec?.maxReplicas;
      const current = hpa.status?.currentReplicas ?? 0;
      const limited = (hpa.status?.conditions ?? []).find((c) => c.type === 'ScalingLimited' && c.status === 'True');
      if (max === undefined || (current < max && !limited)) return [];
      const ref = refOf('HorizontalPodAutoscaler', hpa.metadata);
      const evidence: Evidence[] = [
        {
          source: 'status',
          ref,
          text: `currentReplicas ${current}, desiredReplicas ${hpa.status?.desiredReplicas ?? '?'}, maxReplicas ${max}`,
        },
      ];
      let over = false;
      for (const metric of hpa.status?.currentMetrics ?? []) {
        const observed = metric.resource?.current?.averageUtilization;
        const name = metric.resource?.name;
        const target = hpa.spec?.metrics?.find((m) => m.resource?.name === name)?.resource?.target?.averageUtilization;
        if (observed !== undefined && target !== undefined) {
          evidence.push({
            source: 'metric',
            ref,
            text: `${name} utilization ${observed}% against a target of ${target}%`,
          });
          if (observed > target) over = true;
        }
      }
      if (limited)
        evidence.push({
          source: 'status',
          ref,
          text: `ScalingLimited=True ${limited.reason ?? ''}: ${limited.message ?? ''}`,
          at: limited.lastTransitionTime ?? undefined,
        });
      if (!over && !(limited && /TooManyReplicas/i.test(limited.reason ?? ''))) return [];
      const target = hpa.spec?.scaleTargetRef;
      return [
        {
          detector: 'hpa-limit',
          faultType: 'hpa-limit',
          entity: ref,
          affects: target ? [{ kind: target.kind, namespace: ref.namespace ?? '', name: target.name }] : [],
          strength: over ? 0.85 : 0.7,
          summary: `HorizontalPodAutoscaler ${ref.name} is at maxReplicas ${max}${over ? ' with utilization above target' : ''}: ${target?.name ?? 'its target'} cannot scale out`,
          evidence,
          changedAt: limited?.lastTransitionTime ?? undefined,
        },
      ];
    });
  },
};

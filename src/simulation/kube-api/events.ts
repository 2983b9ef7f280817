import type { KubeObject } from './object.ts';

/**
 * The real API server keeps one set of events and serves it both as core/v1 Event and as events.k8s.io/v1
 * Event. A scenario gives each event in one of the two shapes; this is its twin in the other, so that an
 * investigation finds it whichever API it lists.
 */
export function mirroredEvent(event: KubeObject): KubeObject | undefined {
  if (event.kind !== 'Event') return undefined;
  if (event.apiVersion === 'v1') return toEventsV1(event);
  if (event.apiVersion === 'events.k8s.io/v1') return toCoreV1(event);
  return undefined;
}

const defined = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

function toEventsV1(event: KubeObject): KubeObject {
  const source = event.source as { component?: string; host?: string } | undefined;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: structuredClone(event.metadata),
    ...defined({
      eventTime: event.eventTime ?? null,
      series: event.series,
      reportingController: event.reportingComponent ?? source?.component,
      reportingInstance: event.reportingInstance ?? source?.host,
      action: event.action,
      reason: event.reason,
      regarding: event.involvedObject,
      related: event.related,
      note: event.message,
      type: event.type,
      deprecatedSource: event.source,
      deprecatedFirstTimestamp: event.firstTimestamp,
      deprecatedLastTimestamp: event.lastTimestamp,
      deprecatedCount: event.count,
    }),
  };
}

function toCoreV1(event: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: structuredClone(event.metadata),
    ...defined({
      involvedObject: event.regarding ?? {},
      reason: event.reason,
      message: event.note,
      source:
        event.deprecatedSource ?? defined({ component: event.reportingController, host: event.reportingInstance }),
      firstTimestamp: event.deprecatedFirstTimestamp ?? event.eventTime,
      lastTimestamp: event.deprecatedLastTimestamp ?? event.eventTime,
      count: event.deprecatedCount,
      type: event.type,
      eventTime: event.eventTime,
      series: event.series,
      action: event.action,
      related: event.related,
      reportingComponent: event.reportingController,
      reportingInstance: event.reportingInstance,
    }),
  };
}

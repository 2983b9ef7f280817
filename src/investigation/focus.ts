import type { EntityRef } from './model.ts';

/** Where the investigation starts: what the alert points at, resolved against what the cluster holds. */
export interface Focus {
  namespace: string;
  /** The alerted workload, Service or Pod when the alert names one that exists; null when it names nothing findable. */
  symptom: EntityRef | null;
  /** RFC 3339 time the symptom began (the alert's startsAt), when known. */
  startedAt?: string;
  alertText: string;
  /** What had to be assumed to get here (which namespace, which workload…). */
  assumptions: string[];
}

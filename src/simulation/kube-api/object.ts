import type { KubeObjectJson, ObjectMetaJson } from '../../kube/object-json.ts';

/** A Kubernetes object as the simulated API server stores it: the one JSON shape, with what a stored object always has. */
export type KubeObject = KubeObjectJson & { apiVersion: string; kind: string; metadata: ObjectMeta };

export type ObjectMeta = ObjectMetaJson & { name: string };

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads a dotted path (`spec.nodeName`) from a JSON value. */
export function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

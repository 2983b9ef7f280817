import { fieldAt, isRecord, type KubeObject } from './object.ts';

/** The label selector of a workload as the Scale subresource reports it (`app=web,tier in (a,b)`). */
export function selectorString(selector: unknown): string {
  if (!isRecord(selector)) return '';
  const terms = Object.entries(isRecord(selector.matchLabels) ? selector.matchLabels : {}).map(
    ([key, value]) => `${key}=${value}`,
  );
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const expression of expressions as { key: string; operator: string; values?: string[] }[]) {
    const values = `(${(expression.values ?? []).join(',')})`;
    if (expression.operator === 'In') terms.push(`${expression.key} in ${values}`);
    if (expression.operator === 'NotIn') terms.push(`${expression.key} notin ${values}`);
    if (expression.operator === 'Exists') terms.push(expression.key);
    if (expression.operator === 'DoesNotExist') terms.push(`!${expression.key}`);
  }
  return terms.join(',');
}

/** The autoscaling/v1 Scale of a Deployment, StatefulSet, ReplicaSet or ReplicationController. */
export function scaleOf(object: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const selector = fieldAt(object, 'spec.selector');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: (fieldAt(object, 'spec.replicas') as number | undefined) ?? 1 },
    status: {
      replicas: (fieldAt(object, 'status.replicas') as number | undefined) ?? 0,
      // A ReplicationController's selector is a plain map.
      selector:
        object.kind === 'ReplicationController' ? selectorString({ matchLabels: selector }) : selectorString(selector),
    },
  };
}

import { z } from 'zod';
import { isNamespaced, listKind, OBJECT_KINDS } from './kinds.ts';
import { defineTool } from './tool.ts';

export const listObjects = defineTool({
  name: 'list_objects',
  description:
    'List Kubernetes objects of one kind, narrowed by namespace and label/field selectors. Secrets come with key names only. ' +
    'Prefer a namespace and selectors; a namespaced kind without namespace lists across the cluster and is capped by limit.',
  args: z.object({
    kind: z.enum(OBJECT_KINDS),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe('Namespace to list in; omit for cluster-scoped kinds (Node, Namespace)'),
    labelSelector: z.string().optional().describe('e.g. "app=web,tier!=cache"'),
    fieldSelector: z.string().optional().describe('e.g. "status.phase!=Running" or "spec.nodeName=node-1"'),
    limit: z.number().int().min(1).max(5000).default(500),
  }),
  target: (args) => (args.namespace && isNamespaced(args.kind) ? `${args.kind}/${args.namespace}` : args.kind),
  execute: (args, ctx) =>
    listKind(ctx.kubeConfig, args.kind, {
      namespace: isNamespaced(args.kind) ? args.namespace : undefined,
      labelSelector: args.labelSelector,
      fieldSelector: args.fieldSelector,
      limit: args.limit,
    }),
});

import { z } from 'zod';
import { isNamespaced, LIST_BUDGET, listKind, OBJECT_KINDS } from './kinds.ts';
import { defineTool } from './tool.ts';

export const listObjects = defineTool({
  name: 'list_objects',
  description:
    'List Kubernetes objects of one kind, narrowed by namespace and label/field selectors. Secrets are not listed ' +
    '(get_object reads one, key names only). ' +
    'Pages through the whole list within a read budget; complete=false says objects were left unread (unread: how many), ' +
    'so an object missing from a partial list may still exist. Prefer a namespace and selectors.',
  args: z
    .object({
      kind: z.enum(OBJECT_KINDS),
      namespace: z
        .string()
        .min(1)
        .optional()
        .describe('Namespace to list in; omit for cluster-scoped kinds (Node, Namespace)'),
      labelSelector: z.string().optional().describe('e.g. "app=web,tier!=cache"'),
      fieldSelector: z.string().optional().describe('e.g. "status.phase!=Running" or "spec.nodeName=node-1"'),
      limit: z.number().int().min(1).max(50_000).optional().describe('At most this many objects; default: all of them'),
      version: z
        .string()
        .regex(/^v\d+((alpha|beta)\d+)?$/)
        .optional()
        .describe('For VirtualService, DestinationRule, HTTPRoute: the served version of their API group (default v1)'),
    })
    // A list of Secrets carries every value of the namespace: Secrets are read one by one, by the name evidence gives.
    .refine((args) => args.kind !== 'Secret' || /^metadata\.name=[^,]+$/.test(args.fieldSelector ?? ''), {
      message: 'Secrets are not listed: read the one the evidence names with get_object',
    }),
  target: (args) => (args.namespace && isNamespaced(args.kind) ? `${args.kind}/${args.namespace}` : args.kind),
  execute: (args, ctx) =>
    listKind(
      ctx.kubeConfig,
      args.kind,
      {
        namespace: isNamespaced(args.kind) ? args.namespace : undefined,
        labelSelector: args.labelSelector,
        fieldSelector: args.fieldSelector,
        version: args.version,
      },
      { ...(ctx.listBudget ?? LIST_BUDGET), ...(args.limit === undefined ? {} : { objects: args.limit }) },
    ),
});

import { z } from 'zod';
import type { CustomObject } from '../evidence/custom-object.ts';
import { listCustomObjects as listCustom } from './kinds.ts';
import { defineTool } from './tool.ts';

export const listCustomObjects = defineTool({
  name: 'list_custom_objects',
  description:
    'List the custom resources of one kind in a namespace (or cluster-wide for a cluster-scoped kind), at the group, version and plural API discovery gave ' +
    '(spec and status as the server holds them): what an operator or a policy engine reconciles from.',
  args: z.object({
    group: z.string().min(1),
    // Any DNS-1035 label, as a CustomResourceDefinition may name its versions (`v1api20230131`), not only `v1beta1`.
    version: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/),
    plural: z.string().min(1),
    namespace: z.string().min(1).optional().describe('Omit for a cluster-scoped kind'),
  }),
  target: (args) => `${args.plural}.${args.group}${args.namespace ? `/${args.namespace}` : ''}`,
  execute: (args, ctx): Promise<{ items: CustomObject[]; complete: boolean }> => listCustom(ctx.kubeConfig, args),
});

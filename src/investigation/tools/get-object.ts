import { z } from 'zod';
import { isNamespaced, OBJECT_KINDS, readKind } from './kinds.ts';
import { defineTool } from './tool.ts';

export const getObject = defineTool({
  name: 'get_object',
  description:
    'Read one Kubernetes object by kind, namespace and name (full spec and status). Answers {found:false} when it does not ' +
    'exist, which is itself evidence (e.g. a Secret a pod references). Secrets come with key names only.',
  args: z.object({
    kind: z.enum(OBJECT_KINDS),
    namespace: z.string().min(1).optional().describe('Required for namespaced kinds'),
    name: z.string().min(1),
  }),
  target: (args) => [args.kind, args.namespace, args.name].filter(Boolean).join('/'),
  async execute(args, ctx) {
    if (isNamespaced(args.kind) && !args.namespace) throw new Error(`${args.kind} is namespaced: give a namespace`);
    const object = await readKind(ctx.kubeConfig, args.kind, args.namespace ?? '', args.name);
    return object ? { found: true as const, object } : { found: false as const };
  },
});

import { z } from 'zod';
import { listKind } from './kinds.ts';
import { defineTool } from './tool.ts';

export const eventsFor = defineTool({
  name: 'events_for',
  description:
    'Events about one object (involvedObject), e.g. FailedScheduling, BackOff, Unhealthy, FailedMount for a Pod, or ' +
    'NodeNotReady for a Node. Node events live outside any namespace: omit namespace for them.',
  args: z.object({
    kind: z.string().min(1).describe('Kind of the involved object, e.g. Pod, Deployment, Node'),
    namespace: z.string().min(1).optional(),
    name: z.string().min(1),
  }),
  target: (args) => [args.kind, args.namespace, args.name].filter(Boolean).join('/'),
  async execute(args, ctx) {
    const fieldSelector = `involvedObject.kind=${args.kind},involvedObject.name=${args.name}`;
    const { items } = await listKind(ctx.kubeConfig, 'Event', { namespace: args.namespace, fieldSelector });
    return { items };
  },
});

import { z } from 'zod';
import { servedGroups } from './kinds.ts';
import { defineTool } from './tool.ts';

export const discoverApis = defineTool({
  name: 'discover_apis',
  description:
    'The API groups the cluster serves, each with its preferred version (GET /apis): whether it runs a service mesh ' +
    '(networking.istio.io) or the Gateway API (gateway.networking.k8s.io) before reading their routes.',
  args: z.object({}),
  target: () => 'apis',
  execute: (_args, ctx) => servedGroups(ctx.kubeConfig),
});

import { z } from 'zod';
import { errorLines, LAST_WORDS } from './error-lines.ts';
import { getText } from '../../kube/shared-connections.ts';
import { withTimeout } from '../../kube/timeout.ts';
import { statusOf } from './kinds.ts';
import { defineTool } from './tool.ts';

const JSON_MEDIA = /^application\/(.+\+)?json$/;

export const podLogs = defineTool({
  name: 'pod_logs',
  description:
    'Error-looking lines (error, fail, refused, timeout, not found, OOM, panic…) of a container log, newest kept, each ' +
    'prefixed with its RFC 3339 time. previous=true reads the last terminated instance (why a restarting container died) ' +
    'and keeps its last lines whatever they say.',
  args: z.object({
    namespace: z.string().min(1),
    pod: z.string().min(1),
    container: z.string().min(1).optional().describe('Required when the pod has several containers'),
    previous: z.boolean().default(false),
    tailLines: z.number().int().min(1).max(5000).default(1000),
    sinceSeconds: z.number().int().min(1).optional(),
    terminated: z
      .boolean()
      .default(false)
      .describe('The container has ended for good (a Job, a batch step): its last lines are kept as well'),
  }),
  target: (args) => `Pod/${args.namespace}/${args.pod}${args.container ? `/${args.container}` : ''}`,
  async execute(args, ctx) {
    const base = { namespace: args.namespace, pod: args.pod, container: args.container, previous: args.previous };
    try {
      const answer = await withTimeout(`log of ${args.pod}`, (signal) =>
        getText(
          ctx.kubeConfig,
          `/api/v1/namespaces/${encodeURIComponent(args.namespace)}/pods/${encodeURIComponent(args.pod)}/log`,
          {
            container: args.container,
            previous: args.previous,
            sinceSeconds: args.sinceSeconds,
            tailLines: args.tailLines,
            timestamps: true,
          },
          { signal },
        ),
      );
      // As the client read it: JSON when the server says JSON, else the text.
      const log: unknown = JSON_MEDIA.test(answer.mediaType) ? JSON.parse(answer.text) : answer.text;
      // The previous instance died, or the current one ended for good (a step that ran once): its last lines say why,
      // and what it was doing (the service it handed the work to), in whatever words its program uses.
      const lastWords = args.previous || args.terminated ? LAST_WORDS : 0;
      return { ...base, ...errorLines(typeof log === 'string' ? log : '', undefined, undefined, lastWords) };
    } catch (error) {
      // No previous instance, or the container never started: the API answers 400; that is an answer, not a failure.
      const status = statusOf(error);
      if (status === 400 || status === 404) {
        return { ...base, lines: [], scanned: 0, matched: 0, unavailable: `log unavailable (HTTP ${status})` };
      }
      throw error;
    }
  },
});

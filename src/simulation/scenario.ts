import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AlertSchema } from '../alert/alert.ts';
import { FAULT_TYPES } from '../investigation/model.ts';
import { errorMessage } from '../observability/error-message.ts';

/**
 * The scenario format (shared/scenario-format.md) as a zod schema. Every level is a loose object: the format is a
 * contract with people who write scenarios, so fields this version does not know are kept, never refused.
 */

const rfc3339 = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time, e.g. 2026-01-31T10:00:00Z' });
const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

const EntityRef = z.looseObject({
  kind: text('a Kubernetes kind (string)'),
  namespace: z.string({ error: 'expected a namespace (string) or no field' }).optional(),
  name: text('an object name (string)'),
});

const KubeObject = z.looseObject({
  apiVersion: text('an apiVersion (string, e.g. "v1" or "apps/v1")'),
  kind: text('a kind (string)'),
  metadata: z.looseObject(
    {
      name: text('metadata.name (string)'),
      namespace: z.string({ error: 'expected a namespace (string) or no field' }).optional(),
    },
    { error: 'expected a metadata object' },
  ),
});

const ContainerLog = z.looseObject({
  namespace: text('a namespace (string)'),
  pod: text('a pod name (string)'),
  container: text('a container name (string)'),
  previous: z.boolean({ error: 'expected true or false' }).default(false),
  lines: z.array(z.string({ error: 'expected a log line (string)' }), { error: 'expected an array of strings' }),
});

const Sample = z.tuple(
  [
    z.number({ error: 'expected unix seconds (number)' }),
    z.string({ error: 'expected a sample value (string, e.g. "0.5")' }),
  ],
  { error: 'expected a sample [unixSeconds, "value"]' },
);

const Series = z.looseObject({
  metric: z.record(z.string(), z.string({ error: 'expected a label value (string)' }), {
    error: 'expected a map of label name to value',
  }),
  values: z.array(Sample, { error: 'expected an array of samples' }),
});

export const ScenarioSchema = z.looseObject({
  apiVersion: z.literal('scenario/v1', { error: 'expected "scenario/v1"' }),
  id: z
    .string({ error: 'expected an id (string)' })
    .regex(/^[a-z0-9-]+$/, { error: 'expected lower-case letters, digits and dashes ([a-z0-9-]+)' }),
  title: text('a title (non-empty string)'),
  description: z.string({ error: 'expected a string' }).optional(),
  now: rfc3339,
  alert: AlertSchema.extend({
    source: z.enum(['pagerduty', 'alertmanager', 'slack'], {
      error: 'expected one of "pagerduty", "alertmanager", "slack"',
    }),
    title: text('an alert title (non-empty string)'),
    startsAt: rfc3339.optional(),
  }).loose(),
  cluster: z.looseObject(
    {
      objects: z.array(KubeObject, { error: 'expected an array of Kubernetes objects' }),
      logs: z.array(ContainerLog, { error: 'expected an array of container logs' }).optional(),
    },
    { error: 'expected an object with objects[] and optional logs[]' },
  ),
  metrics: z.array(Series, { error: 'expected an array of series' }).optional(),
  groundTruth: z.looseObject(
    {
      rootCause: z.array(EntityRef, { error: 'expected an array of entity refs' }).min(1, {
        error: 'expected at least one entity ref',
      }),
      faultType: z.enum(FAULT_TYPES, { error: `expected one of the catalogue: ${FAULT_TYPES.join(', ')}` }),
      propagation: z.array(EntityRef, { error: 'expected an array of entity refs' }).optional(),
      distractors: z
        .array(EntityRef.extend({ why: z.string({ error: 'expected why (string)' }) }), {
          error: 'expected an array of entity refs with why',
        })
        .optional(),
    },
    { error: 'expected an object with rootCause[] and faultType' },
  ),
});

export type Scenario = z.infer<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`Invalid scenario ${path}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** Validates an already-decoded scenario; `path` names it in the error. */
export function parseScenario(value: unknown, path: string): Scenario {
  const result = ScenarioSchema.safeParse(value);
  const problems = [
    ...(result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`),
    ...repeatedObjects(value),
  ];
  if (result.success && problems.length === 0) return result.data;
  throw new ScenarioError(path, problems);
}

/** Two objects with the same group, kind, namespace and name would be one object on a real server. */
function repeatedObjects(value: unknown): string[] {
  const objects = (value as { cluster?: { objects?: unknown } } | null)?.cluster?.objects;
  if (!Array.isArray(objects)) return [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  objects.forEach(
    (object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }, index) => {
      const name = object?.metadata?.name;
      if (typeof object?.kind !== 'string' || typeof name !== 'string') return;
      const group = String(object.apiVersion ?? '')
        .split('/')
        .slice(0, -1)
        .join('/');
      const key = `${group}/${object.kind}/${String(object.metadata?.namespace ?? '')}/${name}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else
        problems.push(
          `cluster.objects.${index}: expected a unique object, but ${object.kind} ${name} repeats cluster.objects.${first}`,
        );
    },
  );
  return problems;
}

/** Reads and validates a `.json`, `.yaml` or `.yml` scenario file. */
export async function loadScenario(path: string): Promise<Scenario> {
  const extension = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new ScenarioError(path, [
      `(file): expected a .json, .yaml or .yml file, got "${extension || 'no extension'}"`,
    ]);
  }
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`(file): cannot be read (${errorMessage(error)})`]);
  }
  let value: unknown;
  try {
    value = extension === '.json' ? JSON.parse(source) : parseYaml(source);
  } catch (error) {
    const format = extension === '.json' ? 'JSON' : 'YAML';
    throw new ScenarioError(path, [`(file): expected valid ${format} (${errorMessage(error)})`]);
  }
  return parseScenario(value, path);
}

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/run-cli.ts';

const run = promisify(execFile);

export const MANIFESTS = join(REPO_ROOT, 'manifests');

/** A rendered Kubernetes object; only what the checks read is typed. */
export interface Rendered {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Overlay {
  name: string;
  /** The components it combines (their folder names under manifests/components). */
  components: string[];
  yaml: string;
  objects: Rendered[];
}

/** Every folder under manifests/overlays, rendered by `kubectl kustomize` as an operator would. */
export async function renderOverlays(): Promise<Overlay[]> {
  const names = (await readdir(join(MANIFESTS, 'overlays'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(names.map(renderOverlay));
}

async function renderOverlay(name: string): Promise<Overlay> {
  const dir = join(MANIFESTS, 'overlays', name);
  const kustomization = parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8')) as { components?: string[] };
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  const objects = parseAllDocuments(stdout).map((document) => document.toJS() as Rendered);
  const components = (kustomization.components ?? []).map((path) => path.split('/').at(-1)!);
  return { name, components, yaml: stdout, objects };
}

export async function componentNames(): Promise<string[]> {
  const entries = await readdir(join(MANIFESTS, 'components'), { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/**
 * The object checked against the Kubernetes OpenAPI schemas by kubernetes-models (and the Prometheus Operator's CRD
 * schemas for ServiceMonitor). Returns the schema's complaints, or an empty array.
 */
export async function schemaProblems(object: Rendered): Promise<string[]> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = ((await import(module)) as Record<string, typeof Model>)[object.kind]!;
  } catch {
    return [`no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** The pod template of a workload, with its owner's name. */
export interface PodTemplate {
  owner: Rendered;
  labels: Record<string, string>;
  spec: PodSpec;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  envFrom?: { secretRef?: unknown; configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type: string };
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  initContainers?: Container[];
  containers: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
}

export function podTemplates(objects: Rendered[]): PodTemplate[] {
  return objects.flatMap((object) => {
    const template = (object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } })
      ?.template;
    return template ? [{ owner: object, labels: template.metadata?.labels ?? {}, spec: template.spec }] : [];
  });
}

/** Does a `matchLabels` selector select these labels? */
export const selects = (matchLabels: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(matchLabels).every(([key, value]) => labels[key] === value);

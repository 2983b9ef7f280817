import type { KubeObject } from './object.ts';
import { badRequest } from './status.ts';

export interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  previous?: boolean;
  lines: string[];
}

export interface LogOptions {
  container?: string;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps: boolean;
  limitBytes?: number;
}

interface Line {
  /** Milliseconds since the epoch; a line without a timestamp inherits its predecessor's. */
  at: number | undefined;
  stamp: string | undefined;
  text: string;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

function toLines(raw: readonly string[]): Line[] {
  let last: number | undefined;
  return raw.map((line) => {
    const match = TIMESTAMP.exec(line);
    if (!match) return { at: last, stamp: undefined, text: line };
    last = Date.parse(match[1]!);
    return { at: last, stamp: match[1], text: line.slice(match[0].length) };
  });
}

/** Container logs by pod and container, answered the way the kubelet answers `GET …/pods/{name}/log`. */
export class LogStore {
  private readonly logs = new Map<string, Line[]>();

  constructor(
    entries: readonly ContainerLog[],
    private readonly now: Date,
  ) {
    for (const entry of entries) {
      this.logs.set(key(entry.namespace, entry.pod, entry.container, entry.previous ?? false), toLines(entry.lines));
    }
  }

  /** The log text for a pod the caller has found; throws the real server's 400s for bad container/previous. */
  read(pod: KubeObject, options: LogOptions): string {
    const name = pod.metadata.name;
    const namespace = pod.metadata.namespace ?? 'default';
    const spec = pod.spec as { containers?: { name: string }[]; initContainers?: { name: string }[] } | undefined;
    const containers = (spec?.containers ?? []).map((container) => container.name);
    const initContainers = (spec?.initContainers ?? []).map((container) => container.name);
    let container = options.container;
    if (!container) {
      if (containers.length !== 1) {
        const init = initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : '';
        throw badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init}`,
        );
      }
      container = containers[0]!;
    } else if (!containers.includes(container) && !initContainers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    const status = containerStatus(pod, container);
    let lines = this.logs.get(key(namespace, name, container, options.previous));
    // In a crash loop no new container runs during the back-off: the latest log is the terminated instance's.
    if (!lines && !options.previous && status?.state?.waiting && status.lastState?.terminated) {
      lines = this.logs.get(key(namespace, name, container, true));
    }
    if (!lines) {
      if (options.previous && !status?.lastState?.terminated) {
        throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      }
      const waiting = status?.state?.waiting;
      if (!options.previous && waiting && !status.lastState?.terminated && !status.restartCount) {
        throw badRequest(
          `container "${container}" in pod "${name}" is waiting to start: ${waiting.reason ?? 'ContainerCreating'}`,
        );
      }
      lines = [];
    }
    return render(lines, options, this.now);
  }
}

const key = (namespace: string, pod: string, container: string, previous: boolean) =>
  `${namespace}/${pod}/${container}/${previous ? 'previous' : 'current'}`;

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: unknown };
}

function containerStatus(pod: KubeObject, container: string): ContainerStatus | undefined {
  const status = pod.status as Record<string, ContainerStatus[] | undefined> | undefined;
  const statuses = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? [])];
  return statuses.find((entry) => entry.name === container);
}

function render(all: readonly Line[], options: LogOptions, now: Date): string {
  const since =
    options.sinceSeconds !== undefined
      ? now.getTime() - options.sinceSeconds * 1000
      : options.sinceTime !== undefined
        ? Date.parse(options.sinceTime)
        : undefined;
  // Lines older than `since` go; a line of unknown time (no timestamp anywhere before it) is kept.
  let lines = since === undefined ? all : all.filter((line) => line.at === undefined || line.at >= since);
  if (options.tailLines !== undefined) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines);
  let text = lines.map((line) => `${options.timestamps && line.stamp ? `${line.stamp} ` : ''}${line.text}\n`).join('');
  if (options.limitBytes !== undefined) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > options.limitBytes) text = bytes.subarray(0, options.limitBytes).toString('utf8');
  }
  return text;
}

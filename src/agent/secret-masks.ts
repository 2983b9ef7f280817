import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Redactor } from './redact.ts';

/**
 * Feeds the redactor the decoded values of every Secret in a namespace, once per namespace, so a credential that
 * leaked into a log line or a ConfigMap is masked even when it looks like nothing. The values are read only to
 * build the mask set: they are never sent anywhere.
 */
export class SecretMasks {
  private readonly loaded = new Map<string, Promise<void>>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly redactor: Redactor,
  ) {}

  async load(namespaces: Iterable<string | undefined>): Promise<void> {
    await Promise.all([...new Set(namespaces)].filter((ns): ns is string => !!ns).map((ns) => this.loadOne(ns)));
  }

  /** Namespaces a tool call read: its `namespace` argument and those of the objects it returned. */
  async loadFor(args: unknown, result: unknown): Promise<void> {
    const namespaces = new Set<string>();
    const argNamespace = (args as { namespace?: unknown } | null)?.namespace;
    if (typeof argNamespace === 'string') namespaces.add(argNamespace);
    collectNamespaces(result, namespaces);
    await this.load(namespaces);
  }

  private loadOne(namespace: string): Promise<void> {
    let pending = this.loaded.get(namespace);
    if (!pending) {
      pending = this.fetch(namespace);
      this.loaded.set(namespace, pending);
    }
    return pending;
  }

  private async fetch(namespace: string): Promise<void> {
    try {
      const secrets = await this.kubeConfig.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace });
      const values = secrets.items.flatMap((secret) => [
        ...Object.values(secret.data ?? {}).map((encoded) => Buffer.from(encoded, 'base64').toString('utf8')),
        ...Object.values(secret.stringData ?? {}),
      ]);
      this.redactor.addSecretValues(values);
    } catch {
      // Without permission to read Secrets there is nothing to add: the pattern masks still apply.
    }
  }
}

function collectNamespaces(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectNamespaces(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'namespace' && typeof value === 'string') into.add(value);
    else collectNamespaces(value, into);
  }
}

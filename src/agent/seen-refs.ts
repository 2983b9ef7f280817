import { type EntityRef, refKey } from '../investigation/model.ts';

const LIST_SUFFIX = 'List';

/**
 * Every object identity a tool returned, so a final answer can only cite what the investigation actually saw.
 * Recognises API objects (`kind` + `metadata`), refs (`kind`/`namespace`/`name`, `involvedObject`), list items
 * (kind from the `…List` wrapper) and owner references (namespace of their owner).
 */
export class SeenRefs {
  private readonly keys = new Set<string>();
  /** kind/name without namespace, to accept refs whose namespace the tool did not repeat. */
  private readonly unscoped = new Set<string>();

  add(value: unknown): void {
    this.walk(value, undefined, undefined);
  }

  addRef(ref: EntityRef): void {
    this.keys.add(refKey(ref));
    this.unscoped.add(`${ref.kind}/${ref.name}`);
  }

  has(ref: EntityRef): boolean {
    if (this.keys.has(refKey(ref))) return true;
    return ref.namespace === undefined && this.unscoped.has(`${ref.kind}/${ref.name}`);
  }

  get size(): number {
    return this.keys.size;
  }

  private walk(node: unknown, inheritedKind: string | undefined, inheritedNamespace: string | undefined): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, inheritedKind, inheritedNamespace);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    const kind = typeof record.kind === 'string' ? record.kind : inheritedKind;
    let namespace = inheritedNamespace;
    if (kind && metadata && typeof metadata.name === 'string') {
      namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      this.addRef({ kind, name: metadata.name, ...(namespace ? { namespace } : {}) });
      for (const owner of (metadata.ownerReferences as Record<string, unknown>[] | undefined) ?? []) {
        if (typeof owner.kind === 'string' && typeof owner.name === 'string') {
          this.addRef({ kind: owner.kind, name: owner.name, ...(namespace ? { namespace } : {}) });
        }
      }
    } else if (typeof record.kind === 'string' && typeof record.name === 'string' && !metadata) {
      const ownNamespace = typeof record.namespace === 'string' ? record.namespace : undefined;
      this.addRef({ kind: record.kind, name: record.name, ...(ownNamespace ? { namespace: ownNamespace } : {}) });
    }
    const itemKind =
      typeof record.kind === 'string' && record.kind.endsWith(LIST_SUFFIX)
        ? record.kind.slice(0, -LIST_SUFFIX.length)
        : undefined;
    for (const [field, value] of Object.entries(record)) {
      if (field === 'metadata') continue;
      if (field === 'items') this.walk(value, itemKind ?? undefined, namespace);
      else this.walk(value, undefined, namespace);
    }
  }
}

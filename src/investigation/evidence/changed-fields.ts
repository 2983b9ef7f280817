import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Plain } from './snapshot.ts';
import { toMs } from './time.ts';

/**
 * The fields a change at `at` wrote, as the API server records them in managedFields (`f:spec` → `f:ports` becomes
 * `spec.ports`), two levels deep: what the change was about, without diffing against a version nobody kept. Empty
 * when the entries at that time carry no field set.
 */
export function fieldsChangedAt(metadata: Plain<V1ObjectMeta> | undefined, at: string | undefined): string[] {
  const when = toMs(at);
  if (when === undefined) return [];
  const paths = new Set<string>();
  for (const entry of metadata?.managedFields ?? []) {
    if (toMs(entry.time) !== when || entry.subresource === 'status') continue;
    const fields = (entry.fieldsV1 ?? {}) as Record<string, unknown>;
    for (const [top, inner] of Object.entries(fields)) {
      if (!top.startsWith('f:')) continue;
      const nested = Object.keys((inner ?? {}) as object).filter((key) => key.startsWith('f:'));
      if (nested.length === 0) paths.add(top.slice(2));
      for (const key of nested) paths.add(`${top.slice(2)}.${key.slice(2)}`);
    }
  }
  return [...paths];
}

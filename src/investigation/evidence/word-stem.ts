/**
 * The words of a name, an id or a text: lower-case letters and digits, whatever separates them (`LEDGER_GRPC_ADDR` →
 * ledger, grpc, addr; `cluster_seed_catalog_9000` → cluster, seed, catalog, 9000).
 */
export const wordsOf = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** A word compared loosely: lower-case, a plural read as its singular (`policies` → `policy`, `repos` → `repo`). */
export const stem = (word: string): string => word.toLowerCase().replace(/ies$/, 'y').replace(/s$/, '');

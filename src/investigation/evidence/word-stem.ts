/** A word compared loosely: lower-case, a plural read as its singular (`policies` → `policy`, `repos` → `repo`). */
export const stem = (word: string): string => word.toLowerCase().replace(/ies$/, 'y').replace(/s$/, '');

import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.ts';

/** JSON read back from the database that no longer fits its schema: written by another version, or edited. */
export class StoredJsonError extends Error {}

/** Reads a JSON column back through its schema, as every other boundary is read: never cast. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StoredJsonError(
    `${what} as stored does not match its schema (written by another version, or edited?):\n${z.prettifyError(parsed.error)}`,
  );
}

/**
 * A typed value for a JSON column. Prisma's input type for JSON cannot describe our interfaces (it wants an index
 * signature and no `unknown`), so this is the one cast between the two; the value itself is plain data.
 */
export const asJsonColumn = (value: object): Prisma.InputJsonValue => value as Prisma.InputJsonValue;

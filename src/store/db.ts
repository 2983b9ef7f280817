import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/** Prisma through the pure-JS pg adapter: no engine binary, one pool per process (`poolSize` connections, pg's 10 if unset). */
export function createDb(connectionString: string, poolSize?: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, ...(poolSize ? { max: poolSize } : {}) }) });
}

/** A store the request needs is down or too slow: the sender should retry later (503 + Retry-After), not give up. */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(message);
    this.name = 'DependencyUnavailable';
  }
}

// Prisma's "can't reach / lost the database / pool timed out" codes, and the pg adapter's kinds for the same.
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_UNREACHABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/** The dependency an error says is unreachable (`postgres`, `redis`), or null for any other failure. */
export function unavailableDependency(error: unknown): string | null {
  if (error instanceof DependencyUnavailable) return error.dependency;
  const e = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
  } | null;
  if (!e || typeof e !== 'object') return null;
  if (typeof e.code === 'string' && PRISMA_UNREACHABLE.has(e.code)) return 'postgres';
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && ADAPTER_UNREACHABLE.has(kind)) return 'postgres';
  if (e.name === 'MaxRetriesPerRequestError' || e.message === 'Connection is closed.') return 'redis';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'a dependency';
  return null;
}

/** Rejects with DependencyUnavailable when `promise` has not settled within `ms` (the work itself goes on). */
export function within<T>(promise: Promise<T>, ms: number, dependency: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DependencyUnavailable(dependency, `${dependency} did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

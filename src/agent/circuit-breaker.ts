import { callKey } from './normalise-args.ts';

export type BreakerVerdict = { allowed: true } | { allowed: false; trips: number; open: boolean };

/**
 * Stops tool-call loops: the same tool with the same normalised arguments is executed at most twice.
 * Each refused repeat is a trip; after `maxTrips` the breaker opens and the investigation must stop.
 */
export class CircuitBreaker {
  private readonly calls = new Map<string, number>();
  private tripCount = 0;

  constructor(
    private readonly maxRepeats = 2,
    private readonly maxTrips = 3,
  ) {}

  check(tool: string, args: unknown): BreakerVerdict {
    const key = callKey(tool, args);
    const seen = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, seen);
    if (seen <= this.maxRepeats) return { allowed: true };
    this.tripCount += 1;
    return { allowed: false, trips: this.tripCount, open: this.tripCount >= this.maxTrips };
  }

  get trips(): number {
    return this.tripCount;
  }
}

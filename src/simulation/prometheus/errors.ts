/**
 * A query Prometheus would refuse. `bad_data` (HTTP 400) for queries it cannot parse or that fall outside the
 * supported subset, `execution` (HTTP 422) for queries that parse but cannot be evaluated (e.g. many-to-many matching).
 */
export class PromQLError extends Error {
  constructor(
    message: string,
    readonly errorType: 'bad_data' | 'execution' = 'bad_data',
  ) {
    super(message);
    this.name = 'PromQLError';
  }
}

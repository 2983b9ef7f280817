const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A Kubernetes resource quantity ("250m", "1.5Gi", "2e3") as a plain number (cores for cpu, bytes for memory). */
export function parseQuantity(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined || Number.isNaN(value) ? undefined : value * factor;
}

/** Bytes as a quantity a human (and the API server) reads: the largest binary unit that keeps it whole. */
export function formatBytes(bytes: number): string {
  for (const unit of ['Gi', 'Mi', 'Ki'] as const) {
    const factor = BINARY[unit] as number;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

export function formatCpu(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.ceil(cores * 1000)}m`;
}

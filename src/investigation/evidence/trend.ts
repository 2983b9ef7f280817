/** Stretches a long series is cut into to read its trend: enough steps to call a climb, each long enough to average out noise. */
const STRETCHES = 10;

/**
 * The share of steps that do not go down. A working set is noisy (allocations, collections) around its trend, so a leak
 * that climbs a megabyte a minute under a few megabytes of noise goes down in a third of its raw samples: a long series
 * is read by the means of consecutive stretches of it, a short one sample by sample.
 */
export function risingShare(values: readonly number[]): number {
  const points = values.length >= 2 * STRETCHES ? stretchMeans(values) : values;
  if (points.length < 2) return 0;
  return points.slice(1).filter((value, i) => value >= (points[i] as number)).length / (points.length - 1);
}

function stretchMeans(values: readonly number[]): number[] {
  const size = Math.floor(values.length / STRETCHES);
  return Array.from({ length: STRETCHES }, (_, i) => {
    const stretch = values.slice(i * size, i === STRETCHES - 1 ? values.length : (i + 1) * size);
    return stretch.reduce((sum, value) => sum + value, 0) / stretch.length;
  });
}

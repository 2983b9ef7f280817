import type { Container } from './workloads.ts';

/** Whether the containers of a new revision run other code than those before: an image, command or arguments changed. */
export function runsOtherCode(before: Container[], after: Container[]): boolean {
  const old = new Map(before.map((c) => [c.name, c]));
  const code = (c: Container) => JSON.stringify([c.image, c.command ?? null, c.args ?? null]);
  return after.some((container) => {
    const previous = old.get(container.name);
    return previous !== undefined && code(container) !== code(previous);
  });
}

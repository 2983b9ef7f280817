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

/** What of a container's code changed, in words: `image a → b`, `args [..] → [..]`, `command …`. */
export interface CodeChange {
  container: string;
  change: string;
}

/** What of the code changed between two revisions' containers (matched by name), container by container. */
export function codeChanges(before: Container[], after: Container[]): CodeChange[] {
  const old = new Map(before.map((c) => [c.name, c]));
  const words = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? []));
  return after.flatMap((container) => {
    const previous = old.get(container.name);
    if (!previous) return [];
    const fields = [
      ['image', previous.image, container.image],
      ['command', previous.command, container.command],
      ['args', previous.args, container.args],
    ] as const;
    return fields
      .filter(([, a, b]) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null))
      .map(([field, a, b]) => ({ container: container.name, change: `${field} ${words(a)} → ${words(b)}` }));
  });
}

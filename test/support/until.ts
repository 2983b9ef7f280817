/**
 * Polls `probe` until it returns a value that is not null, undefined or false, and resolves with that value;
 * rejects after `timeoutMs`, naming what was awaited. The deadline only bounds a failure, never a pass: it is generous,
 * because on a loaded machine a child process (a role of the bot: ~2.5 s of CPU to start) can take over 30 s to listen.
 */
export async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 120_000,
): Promise<Exclude<T, null | undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value as Exclude<T, null | undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { after } from 'node:test';
import { pathToFileURL } from 'node:url';

/**
 * Runs test files one after another in this process, each through its whole life before the next is imported: the
 * file's top-level `before` hooks, its tests, then its top-level `after` hooks. Node's test runner runs the root's
 * `after` hooks whenever the root has no test left to run, so a root `after` hook registered once a file has been
 * imported (its tests and hooks registered) runs once they have all finished. What a file sets in `process.env`
 * (a time zone, an API key) is undone before the next file, and the project's metrics start again from zero.
 *
 * What files in one process share: modules (each is evaluated once) and anything a module keeps. A top-level
 * `beforeEach`/`afterEach` would also run around every later file's tests, so the runner (`run-tests.ts`) gives such
 * a file a process of its own.
 */
export async function runTestFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const env = { ...process.env };
    await import(pathToFileURL(file).href);
    await new Promise<void>((resolve) => after(() => resolve()));
    restoreEnv(env);
    // The project's metrics are this process's: a file counts from zero, as in a process of its own.
    (await import('../../src/observability/metrics.ts')).registry.resetMetrics();
  }
}

function restoreEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) {
    if (!(key in env)) delete process.env[key];
  }
  for (const [key, value] of Object.entries(env)) {
    if (process.env[key] !== value) process.env[key] = value;
  }
}

import { AsyncResource } from 'node:async_hooks';
import { relative } from 'node:path';
import { beforeEach, describe } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs test files one after another in this process, each as a suite named after the file: its top-level tests and
 * hooks (`before`, `after`, `beforeEach`…) are that suite's, so they run around its own tests only, and a failing
 * hook or a file that does not load fails that file alone. A file is imported once the one before it has finished
 * (its `after` hooks included), with `process.env` as it was when the group started and the project's metrics back at
 * zero, as in a process of its own. What files in one process still share: modules (each is evaluated once) and
 * anything a module keeps.
 */
export function runTestFiles(files: readonly string[]): void {
  const env = { ...process.env };
  let previous: Promise<void> = Promise.resolve();
  for (const file of files) {
    const ready = previous;
    previous = describe(relative(REPO_ROOT, file), async () => {
      // node:test gives a test() or hook the suite of the async context it is called in; `await ready` leaves this
      // suite's, so the file's top-level code runs in a scope opened here, inside it.
      const scope = new AsyncResource('test-file');
      await ready;
      restoreEnv(env);
      (await import('../../src/observability/metrics.ts')).registry.resetMetrics();
      await scope.runInAsyncScope(() => import(pathToFileURL(file).href));
    });
  }
  // Registered after the files' suites were made, so none of them inherits it: it runs only for a test that ended
  // up outside every file's suite, which the scope above is there to prevent.
  beforeEach(() => {
    throw new Error('test-group: this test is outside its file’s suite (its hooks would not be scoped to its file)');
  });
}

function restoreEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) {
    if (!(key in env)) delete process.env[key];
  }
  for (const [key, value] of Object.entries(env)) {
    if (process.env[key] !== value) process.env[key] = value;
  }
}

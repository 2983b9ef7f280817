import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { devCase } from './support/scenario-snapshot.ts';

// The pure core on snapshots built straight from scenario files (no API server): a floor, not per-file answers,
// so that a general improvement may trade one file for another while the suite still guards against regressions.
// The project's own fixtures are not here: many test what the collector decides before the core runs (widening a
// quiet namespace, API discovery, routing reads), which a snapshot built from the whole file cannot show;
// fixtures-replay.test.ts answers every one of them through the collector and the simulated API server.
const SETS = [{ dir: join(import.meta.dirname, '../../../shared/scenarios'), floor: 12 }];

for (const { dir, floor } of SETS) {
  test(`root causes on ${dir}`, { skip: !existsSync(dir) && `${dir} is absent` }, () => {
    const files = readdirSync(dir)
      .filter((f) => /\.json$/.test(f))
      .sort();
    const report: string[] = [];
    let correct = 0;
    for (const file of files) {
      const c = devCase(join(dir, file));
      const d = diagnose(c.snapshot, c.focus);
      const ok = d.rootCause !== null && c.expected.some((e) => refKey(e) === refKey(d.rootCause as never));
      if (ok) correct++;
      report.push(
        `${ok ? '✓' : '✗'} ${c.id}: ${d.rootCause ? refKey(d.rootCause) : 'none'} ${d.faultType} (${d.confidence}); expected ${c.expected.map(refKey).join(' | ')} ${c.faultType}`,
      );
    }
    console.log(`${report.join('\n')}\n${correct}/${files.length}`);
    assert.ok(correct >= floor, report.join('\n'));
  });
}

import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { EntityRef } from '../investigation/model.ts';
import { loadScenario, type Scenario } from '../simulation/scenario.ts';
import type { AgentConfig } from '../agent/config.ts';
import { AGENT_USAGE, agentOption } from './agent-option.ts';
import { type Command, parseOptions, positiveInteger, UsageError } from './args.ts';
import { entityLabel } from '../investigation/model.ts';
import { type ChangedAnswer, changedUnderRenaming } from './renamed-run.ts';
import { type Renaming, renameScenario } from '../simulation/rename.ts';
import { isCorrect, type Summary, summarize, summarizeByApplication } from './scoring.ts';
import { writeLine } from './write-line.ts';
import { errorMessage } from '../observability/error-message.ts';

const usage = `Usage: incident-bot eval --scenarios DIR [--json] [--concurrency N] [--rename] [--agent]

Replays every scenario file in DIR (.json, .yaml, .yml; other files are ignored), each against its own simulated
cluster, and scores the root cause the investigation names against the file's ground truth.

  --scenarios DIR     folder of scenario files
  --concurrency N     scenarios replayed at once (default 1, so that timings are comparable)
  --json              print only {total, correct, accuracy, faultTypeAccuracy, medianRequests, p95Requests,
                      medianMs, p95Ms, applications, results} on stdout; applications holds the same figures
                      per application (the first word of the scenario id: shop-cart-oom → shop)
  --rename            metamorphic check: also replays every file renamed — each application-specific word of its
                      namespaces, object names, label values, container and host names replaced by an invented one
                      wherever it stands (env, args, ConfigMaps, Secrets, logs, events, alert, metric labels, ground
                      truth; Kubernetes, system and product names kept: src/simulation/rename.ts) and every time moved
                      by five weeks — and lists every file whose answer is not the as-written answer renamed
                      (--json: a "renamed" object with the same figures, its results and "changed")
${AGENT_USAGE}
                      (each result then also says what the engine alone predicted, and the agent's status)
  -h, --help          show this help

Exit code 1 when a file is not a valid scenario (after running the valid ones; the problems go to stderr).`;

const SCENARIO_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

export interface EvalResult {
  id: string;
  expected: EntityRef[];
  predicted: EntityRef | null;
  correct: boolean;
  faultType: { expected: string; predicted: string | null };
  requests: number;
  ms: number;
  error?: string;
  /** Agent mode: the engine's own prediction, and how the agent ended (answered, turn-limit, fell back…). */
  engine?: { predicted: EntityRef | null; correct: boolean };
  agentStatus?: string;
}

export const evalCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseOptions(
      argv,
      {
        scenarios: { type: 'string' },
        json: { type: 'boolean' },
        concurrency: { type: 'string' },
        agent: { type: 'boolean' },
        rename: { type: 'boolean' },
      },
      usage,
    );
    if (values.help) {
      writeLine(usage);
      return 0;
    }
    if (values.scenarios === undefined) throw new UsageError('--scenarios DIR is required', usage);
    const concurrency = positiveInteger(values.concurrency, 'concurrency', 1, usage);
    const agent = agentOption(values.agent, usage);
    const files = await scenarioFiles(values.scenarios);

    const scenarios: Scenario[] = [];
    const invalid: string[] = [];
    for (const file of files) {
      try {
        scenarios.push(await loadScenario(file));
      } catch (error) {
        const message = errorMessage(error);
        invalid.push(message.includes(file) ? message : `${file}: ${message}`);
      }
    }

    const results = await mapConcurrently(scenarios, concurrency, async (scenario) => {
      const result = await evaluate(scenario, agent);
      if (!values.json) process.stderr.write(`${result.correct ? '✓' : '✗'} ${scenario.id}\n`);
      return result;
    });
    const summary = summarize(scored(results));
    const applications = summarizeByApplication(scored(results));
    const renamed = values.rename ? await renamedReport(scenarios, results, concurrency, agent, !values.json) : null;
    if (values.json) writeLine(JSON.stringify({ ...summary, applications, results, ...(renamed ? { renamed } : {}) }));
    else {
      writeLine(renderTable(results, summary, applications));
      if (renamed) writeLine(`\n${renderRenamed(renamed)}`);
    }
    for (const problem of invalid) process.stderr.write(`invalid scenario: ${problem}\n`);
    return invalid.length > 0 ? 1 : 0;
  },
};

const scored = (results: EvalResult[]) =>
  results.map((r) => ({
    id: r.id,
    correct: r.correct,
    faultTypeCorrect: r.faultType.expected === r.faultType.predicted,
    requests: r.requests,
    ms: r.ms,
  }));

interface RenamedReport extends Summary {
  applications: Record<string, Summary>;
  shiftedSeconds: number[];
  results: EvalResult[];
  /** Files whose renamed answer is not their as-written answer renamed: name-dependence (or a renaming bug). */
  changed: ChangedAnswer[];
}

/** Every scenario replayed renamed (`--rename`), scored against its renamed ground truth and compared as written. */
async function renamedReport(
  scenarios: Scenario[],
  asWritten: EvalResult[],
  concurrency: number,
  agent: AgentConfig | undefined,
  progress: boolean,
): Promise<RenamedReport> {
  const runs = await mapConcurrently(
    scenarios.map((scenario, index) => ({ scenario, index })),
    concurrency,
    async ({ scenario, index }) => {
      let renaming: Renaming;
      try {
        renaming = renameScenario(scenario);
      } catch (error) {
        const result = failed(scenario, `renaming: ${errorMessage(error)}`);
        return { result, changed: changedUnderRenaming(scenario.id, asWritten[index]!, result, new Map()), shift: 0 };
      }
      const result = await evaluate(renaming.scenario, agent);
      const changed = changedUnderRenaming(scenario.id, asWritten[index]!, result, renaming.renames);
      if (progress)
        process.stderr.write(`${result.correct ? '✓' : '✗'} ${scenario.id} renamed${changed ? ' (changed)' : ''}\n`);
      return { result, changed, shift: renaming.shiftedSeconds };
    },
  );
  const results = runs.map((run) => run.result);
  return {
    ...summarize(scored(results)),
    applications: summarizeByApplication(scored(results)),
    shiftedSeconds: [...new Set(runs.map((run) => run.shift))],
    results,
    changed: runs.flatMap((run) => (run.changed ? [run.changed] : [])),
  };
}

async function scenarioFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`--scenarios: ${dir} is not a directory`, usage);
  const names = await readdir(dir);
  return names
    .filter((name) => SCENARIO_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(dir, name));
}

async function evaluate(scenario: Scenario, agent: AgentConfig | undefined): Promise<EvalResult> {
  const expected = scenario.groundTruth.rootCause;
  const expectedFault = scenario.groundTruth.faultType;
  try {
    // The engine is loaded once there is a scenario to replay: --help and usage errors start without it.
    const { replayScenario } = await import('./replay.ts');
    const { result, requests, ms, ...agentMode } = await replayScenario(scenario, { agent });
    return {
      id: scenario.id,
      expected,
      predicted: result.rootCause,
      correct: isCorrect(result.rootCause, expected),
      faultType: { expected: expectedFault, predicted: result.faultType },
      requests,
      ms,
      ...(agentMode.engine && agentMode.agent
        ? {
            engine: { predicted: agentMode.engine.rootCause, correct: isCorrect(agentMode.engine.rootCause, expected) },
            agentStatus: agentMode.agent.status,
          }
        : {}),
    };
  } catch (error) {
    return failed(scenario, errorMessage(error));
  }
}

const failed = (scenario: Scenario, error: string): EvalResult => ({
  id: scenario.id,
  expected: scenario.groundTruth.rootCause,
  predicted: null,
  correct: false,
  faultType: { expected: scenario.groundTruth.faultType, predicted: null },
  requests: 0,
  ms: 0,
  error,
});

async function mapConcurrently<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

// The table stays readable; the full error is in the --json output.
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

const resultRow = (r: EvalResult) => [
  r.id,
  r.error ? `error: ${clip(r.error.split('\n')[0]!, 60)}` : r.predicted ? entityLabel(r.predicted) : '—',
  r.expected.map(entityLabel).join(' | '),
  r.correct ? 'yes' : 'no',
  `${r.faultType.predicted ?? '—'} / ${r.faultType.expected}`,
  String(r.requests),
  String(r.ms),
];
const RESULT_HEADER = [
  'id',
  'predicted',
  'expected',
  'correct',
  'fault type (predicted / expected)',
  'API requests',
  'ms',
];

const summaryLines = (summary: Summary) => [
  `Root cause: ${summary.correct}/${summary.total} correct (${pct(summary.accuracy)}) · fault type: ${pct(summary.faultTypeAccuracy)}`,
  `API requests: median ${summary.medianRequests}, p95 ${summary.p95Requests} · time: median ${summary.medianMs} ms, p95 ${summary.p95Ms} ms`,
];

function renderTable(results: EvalResult[], summary: Summary, applications: Record<string, Summary>): string {
  const perApplication = Object.entries(applications).map(([application, figures]) => [
    application,
    `${figures.correct}/${figures.total}`,
    pct(figures.accuracy),
    pct(figures.faultTypeAccuracy),
    String(figures.medianRequests),
    String(figures.p95Requests),
  ]);
  return [
    ...alignedLines(RESULT_HEADER, results.map(resultRow)),
    '',
    ...alignedLines(
      ['application', 'root cause', 'accuracy', 'fault type', 'median requests', 'p95 requests'],
      perApplication,
    ),
    '',
    ...summaryLines(summary),
  ].join('\n');
}

function renderRenamed(report: RenamedReport): string {
  const changed = new Set(report.changed.map((change) => change.id));
  const answer = (predicted: EntityRef | null, faultType: string | null) =>
    `${predicted ? entityLabel(predicted) : '—'} (${faultType ?? '—'})`;
  const days = report.shiftedSeconds.map((seconds) => seconds / 86_400).join(' or ');
  return [
    `Renamed: every application word replaced, every time moved by ${days} days`,
    ...alignedLines(
      [...RESULT_HEADER, 'answer changed'],
      report.results.map((r) => [...resultRow(r), changed.has(r.id) ? 'CHANGED' : '']),
    ),
    '',
    ...summaryLines(report),
    report.changed.length === 0
      ? 'Answer changed under renaming: none'
      : `Answer changed under renaming: ${report.changed.length} file(s)`,
    ...report.changed.map(
      (change) =>
        `  ${change.id}: as written ${answer(change.asWritten.predicted, change.asWritten.faultType)}` +
        ` → renamed ${answer(change.renamed.predicted, change.renamed.faultType)}`,
    ),
  ].join('\n');
}

/** A header, a rule and the rows, each column padded to its widest cell. */
function alignedLines(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

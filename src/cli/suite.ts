import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBenchmark } from '../core/benchmarks/registry.ts';
import { getTemplate } from '../core/templates/presets.ts';
import {
  FIDELITIES,
  SUITE_IDS,
  SUITES,
  suiteSummary,
  type Fidelity,
  type SuiteSummary,
  taskFor,
  type SuiteTask,
} from '../core/suites.ts';
import { SUITE_CALIBRATION_QUESTIONS, type TaskTiming } from '../core/calibrate.ts';
import { estimateSuite, type SuiteTimings } from '../core/suiteEstimate.ts';
import { timeText, type SuiteTime } from '../core/timeEstimate.ts';
import { LATEST_LM_EVAL } from '../core/lmEvalReleases.ts';
import { didYouMean } from '../core/util/suggest.ts';
import { UsageError } from './usage.ts';

/** Options a suite sets per task: the user gives the rest (model, limit, dtype, scorer, BOS…), passed to every task. */
/** Decoding options: passed to the suite's generating tasks (GSM8K) only. */
const GENERATION_FLAGS = ['--max-new-tokens', '--stop', '--temperature', '--top-k', '--top-p', '--seed'];
const SET_BY_SUITE = [
  '--lm-eval',
  '--benchmark',
  '--shots',
  '--template',
  '--subjects',
  '--configs',
  '--split',
  '--part',
  '--vary',
];

/** What a run called by the suite hands back besides its exit code. */
export interface RunReport {
  /** With --estimate: time this many questions (default RUN_CALIBRATION_QUESTIONS) and put the timing here. */
  calibrationQuestions?: number;
  timing?: TaskTiming;
}

/**
 * `pagebench suite <id> --model … --data <dir|hub|benchmark=dir,…> --output-dir <dir> [run options]`:
 * each task of the suite as its own run into <dir>/<benchmark>/ (results.json and samples, as `run`
 * writes them), then <dir>/suite.json with the columns and the average. A task whose folder already
 * holds its result from the same options is kept, so an interrupted suite continues where it stopped.
 */
export async function suiteCommand(
  args: string[],
  run: (argv: string[], report?: RunReport) => Promise<number>,
): Promise<number> {
  const [id, ...rest] = args;
  if (!id || id.startsWith('--'))
    throw new UsageError(`name a suite: pagebench suite <${SUITE_IDS.join('|')}> --model … --output-dir …`);
  const suite = SUITES[id];
  if (!suite)
    throw new UsageError(`unknown suite "${id}"${didYouMean(id, SUITE_IDS)} (expected ${SUITE_IDS.join(', ')})`);
  const passed: string[] = [];
  const decoding: string[] = [];
  let data: string | undefined;
  let fidelity: Fidelity = 'lm-eval';
  let outDir: string | undefined;
  let estimate: 'first' | 'only' | 'no' = 'first';
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] =
      a.includes('=') && a.startsWith('--')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => inline ?? rest[++i];
    if (flag === '--data') data = value();
    else if (flag === '--fidelity') {
      const f = value();
      if (!FIDELITIES.includes(f as Fidelity))
        throw new UsageError(`--fidelity must be one of ${FIDELITIES.join(', ')}, got "${f}"`);
      fidelity = f as Fidelity;
    } else if (flag === '--output-dir') outDir = value();
    else if (a === '--estimate') estimate = 'only';
    else if (a === '--no-estimate') estimate = 'no';
    else if (SET_BY_SUITE.includes(flag))
      throw new UsageError(
        `${flag}: the suite sets it for each task (${suite.tasks.map((t) => `${t.benchmark} ${t.shots}-shot`).join(', ')})`,
      );
    else if (GENERATION_FLAGS.includes(flag)) decoding.push(...(inline === undefined ? [a, rest[++i]!] : [a]));
    else passed.push(a);
  }
  if (!outDir) throw new UsageError('--output-dir is required');
  const dataOf = suiteData(
    data ?? 'hub',
    suite.tasks.map((t) => t.benchmark),
  );
  mkdirSync(outDir, { recursive: true });
  // The options every task ran with: a folder from another invocation is not continued.
  const optionsFile = join(outDir, 'suite-options.json');
  const options = JSON.stringify({ suite: suite.id, fidelity, options: passed, decoding, data: dataOf });
  if (existsSync(optionsFile) && readFileSync(optionsFile, 'utf8') !== options)
    throw new UsageError(
      `${outDir} holds an ${suite.id} run with other options (${optionsFile}); give another --output-dir`,
    );
  writeFileSync(optionsFile, options);
  // Each task as `run` takes it: the suite's benchmark, shots, template and release, then the user's options.
  const taskArgv = (t: SuiteTask) => {
    const v1 = fidelity === 'leaderboard-v1';
    const { template } = taskFor(t, fidelity);
    const generates = getTemplate(template).scoring === 'generate';
    return [
      ...['run', '--benchmark', t.benchmark, '--shots', String(t.shots), '--template', template],
      ...['--data', dataOf[t.benchmark]!, '--lm-eval', v1 ? 'leaderboard-v1' : LATEST_LM_EVAL],
      ...passed,
      ...(generates ? decoding : []),
    ];
  };
  const resultFile = (t: SuiteTask) => join(outDir, t.benchmark, 'results.json');
  const todo = suite.tasks.filter((t) => !existsSync(resultFile(t)));
  if (estimate !== 'no' && todo.length > 0) {
    const timings: SuiteTimings = {};
    for (const t of todo) {
      process.stderr.write(
        `timing ${getBenchmark(t.benchmark).label}'s first ${SUITE_CALIBRATION_QUESTIONS} questions\n`,
      );
      const report: RunReport = { calibrationQuestions: SUITE_CALIBRATION_QUESTIONS };
      const code = await run([...taskArgv(t), '--estimate'], report);
      if (code !== 0) return code;
      timings[t.benchmark] = report.timing!;
    }
    const time = estimateSuite(suite, fidelity, timings);
    process.stderr.write(time ? estimateTable(time, todo.length < suite.tasks.length) : 'too few questions to time\n');
    if (estimate === 'only') {
      process.stdout.write(
        JSON.stringify({ timings, seconds: time && { lo: time.total.lo, hi: time.total.hi } }) + '\n',
      );
      return 0;
    }
  }
  const results: Record<string, Parameters<typeof suiteSummary>[1][string]> = {};
  for (const [i, t] of suite.tasks.entries()) {
    const file = resultFile(t);
    const label = `[${i + 1}/${suite.tasks.length}] ${getBenchmark(t.benchmark).label} ${t.shots}-shot`;
    if (existsSync(file)) process.stderr.write(`${label}: kept (${file})\n`);
    else {
      process.stderr.write(`${label}\n`);
      const code = await run([...taskArgv(t), '--output-dir', join(outDir, t.benchmark)]);
      if (code !== 0) return code;
    }
    results[t.benchmark] = JSON.parse(readFileSync(file, 'utf8')) as (typeof results)[string];
  }
  const summary = suiteSummary(suite, results, fidelity);
  writeFileSync(join(outDir, 'suite.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stderr.write(summaryTable(summary));
  return 0;
}

/** --data: one folder (or "hub") for every task, or benchmark=folder pairs separated by commas. */
function suiteData(arg: string, benchmarks: string[]): Record<string, string> {
  if (!arg.includes('=')) return Object.fromEntries(benchmarks.map((b) => [b, arg]));
  const out: Record<string, string> = {};
  for (const part of arg.split(',')) {
    const [b, dir] = part.split('=') as [string, string | undefined];
    if (!benchmarks.includes(b) || !dir)
      throw new UsageError(
        `--data ${part}: expected <benchmark>=<folder|hub> with a benchmark of the suite (${benchmarks.join(', ')})`,
      );
    out[b] = dir;
  }
  const missing = benchmarks.filter((b) => !out[b]);
  if (missing.length)
    throw new UsageError(`--data names no data for ${missing.join(', ')} (give <benchmark>=<folder|hub>)`);
  return out;
}

function estimateTable(time: SuiteTime, someKept: boolean): string {
  return (
    `Estimated time${someKept ? ' of the tasks left' : ''}: ${timeText(time.total)} (${time.total.basis})` +
    (time.dominant
      ? `; ${time.dominant.column} takes ${Math.round(100 * time.dominant.share)}% of it${time.dominant.generates ? ' (its generations)' : ''}`
      : '') +
    '\n' +
    time.tasks
      .map((t) => `  ${t.column.padEnd(12)} ${String(t.questions).padStart(6)} questions  ${timeText(t.range)}\n`)
      .join('')
  );
}

function summaryTable(s: SuiteSummary): string {
  const rows = s.columns.map(
    (c) =>
      `${c.column.padEnd(12)} ${c.value.toFixed(2).padStart(6)}  ${c.benchmark} ${c.shots}-shot, ${c.key}, n=${c.n}` +
      (c.beside ? `; ${c.beside.name}: ${c.beside.value.toFixed(2)}` : '') +
      '\n',
  );
  return (
    `${s.label}, ${s.fidelity} fidelity${s.partial ? " — PARTIAL (--limit): not the suite's numbers" : ''}\n` +
    rows.join('') +
    `${'Average'.padEnd(12)} ${s.average.toFixed(2).padStart(6)}\n`
  );
}

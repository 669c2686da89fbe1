import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteSummary } from '../core/suites.ts';
import { compareSuites } from '../core/compare/suites.ts';
import { decodeSuite, linkedModelName, suiteLink, suitePayload } from '../core/share/suiteLink.ts';
import QRCode from 'qrcode';
import { DEFAULT_HUB_URL } from '../core/benchmarks/mmlu/source.ts';
import { compareResults, type Comparison } from '../core/compare/compare.ts';
import {
  comparableFromResults,
  comparableFromRun,
  CompareInputError,
  type ComparableResult,
} from '../core/compare/results.ts';
import { samplesJsonl } from '../core/report/results.ts';
import { settingsFromConfig } from '../core/report/runConfig.ts';
import { validateResults } from '../core/report/validate.ts';
import { loadRunData } from '../core/session.ts';
import { comparableFromLink, linkedPicks, resultsFromPayload } from '../core/share/open.ts';
import {
  buildPayload,
  decodePayload,
  encodePayload,
  shareLink,
  ShareError,
  type SharePayload,
} from '../core/share/payload.ts';
import { dataSources } from '../node/dataArg.ts';
import { StagedOutput } from '../node/outputDir.ts';
import { readJsonFile, readRunOutput, resultsPath } from '../node/runDir.ts';
import { parseCommandLine, UsageError } from './usage.ts';
import { DEFAULT_BASE_URL } from './help.ts';

const isLink = (arg: string) => arg.startsWith('@') || arg.includes('#/share/') || /^v\d+\./.test(arg.trim());

function readLink(arg: string): SharePayload {
  try {
    return decodePayload(linkArgument(arg));
  } catch (e) {
    if (e instanceof ShareError) throw new Error(`the link: ${e.message}`);
    throw e;
  }
}

export async function shareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      full: { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      qr: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('give one results folder or results.json');
  const base = values['base-url'] ?? process.env.PAGEBENCH_BASE_URL ?? DEFAULT_BASE_URL;
  const suiteFile = join(positionals[0]!, 'suite.json');
  if (existsSync(suiteFile)) {
    // a suite folder (pagebench suite): its columns, from suite.json and its first task's setup
    if (values.full) throw new UsageError('a suite link carries the columns only: share a task folder for --full');
    const summary = readJsonFile(suiteFile) as SuiteSummary;
    const first = readJsonFile(resultsPath(join(positionals[0]!, summary.columns[0]!.benchmark))) as {
      config: Record<string, string>;
    };
    const c = first.config;
    const link = suiteLink(
      base,
      suitePayload(summary, {
        model: linkedModelName(c as { model: string }),
        dtype: c.dtype!,
        device: c.device!,
        engine_version: c.engine_version!,
        date: c.date!,
      }),
    );
    decodeSuite(link);
    process.stdout.write(link + '\n');
    process.stderr.write(`suite link, ${link.length} characters\n`);
    return 0;
  }
  let payload: SharePayload;
  if (values.full) {
    const run = readRunOutput(positionals[0]!);
    payload = buildPayload(run.results, run.samples);
  } else {
    const file = resultsPath(positionals[0]!);
    const results = readJsonFile(file) as Parameters<typeof buildPayload>[0];
    if (results?.config?.engine !== 'pagebench') throw new Error(`${file} was not written by pagebench`);
    validateResults(results);
    payload = buildPayload(results);
  }
  const link = shareLink(base, payload);
  process.stdout.write(link + '\n');
  process.stderr.write(
    `${payload.picks ? 'full' : 'summary'} link, ${link.length} characters (payload ${encodePayload(payload).length})\n`,
  );
  if (values.qr) {
    try {
      process.stderr.write(await QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }));
    } catch {
      process.stderr.write('(too long for a QR code: share the summary link, without --full)\n');
    }
  }
  return 0;
}

const DATA_OPTIONS = {
  data: { type: 'string' },
  'fewshot-data': { type: 'string' },
  'hub-url': { type: 'string' },
} as const;

async function joinedPicks(p: SharePayload, values: { data?: string; 'fewshot-data'?: string; 'hub-url'?: string }) {
  if (!values.data) return undefined;
  const hubUrl = values['hub-url'] ?? process.env.PAGEBENCH_HUB_URL ?? DEFAULT_HUB_URL;
  const sources = dataSources(values.data, values['fewshot-data'] ?? values.data, hubUrl);
  const settings = settingsFromConfig(p.config);
  const data = await loadRunData(sources, settings);
  try {
    return await linkedPicks(p, data);
  } catch (e) {
    if (e instanceof ShareError) throw new Error(`the link's questions: ${e.message}`);
    throw e;
  }
}

export async function openCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, { 'output-dir': { type: 'string' }, ...DATA_OPTIONS }, true);
  if (positionals.length !== 1) throw new UsageError('give one link');
  if (!values['output-dir']) throw new UsageError('--output-dir is required');
  const p = readLink(positionals[0]!);
  if (values.data && !p.picks)
    throw new UsageError('--data rebuilds the questions of a full link; this is a summary link');
  const results = resultsFromPayload(p);
  validateResults(results);
  const picks = p.picks ? await joinedPicks(p, values) : undefined;
  const out = new StagedOutput(values['output-dir']);
  try {
    if (picks) {
      for (const subject of p.config.subjects) {
        const rows = picks
          .filter((q) => q.subject === subject)
          .map((q) => ({
            ...q,
            acc: q.pred === q.target ? 1 : 0,
            ...(q.pred_norm !== undefined ? { acc_norm: q.pred_norm === q.target ? 1 : 0 } : {}),
          }));
        if (rows.length) out.write(`samples_${subject}.jsonl`, samplesJsonl(rows as never));
      }
    }
    out.write('results.json', JSON.stringify(results, null, 2) + '\n');
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  process.stderr.write(
    `${p.picks ? 'full' : 'summary'} link: ${p.config.model}, ${p.config.template}, ${p.tasks.reduce((a, t) => a + t[1], 0)} questions${picks ? ', picks joined to the data' : ''}; wrote ${values['output-dir']}\n`,
  );
  return 0;
}

async function comparable(arg: string, values: Parameters<typeof joinedPicks>[1]): Promise<ComparableResult> {
  if (isLink(arg)) {
    const p = readLink(arg);
    return comparableFromLink(`link (${p.config.model})`, p, p.picks ? await joinedPicks(p, values) : undefined);
  }
  const file = resultsPath(arg);
  const json = readJsonFile(file) as { config?: { engine?: string } };
  try {
    if (json?.config?.engine === 'pagebench' && existsSync(file)) {
      // A pagebench folder with its samples gives per-question picks; a lone results.json does not.
      try {
        const run = readRunOutput(arg);
        return comparableFromRun(arg, run.results, run.samples);
      } catch {
        return comparableFromResults(arg, json);
      }
    }
    return comparableFromResults(arg, json);
  } catch (e) {
    if (e instanceof CompareInputError) throw new Error(e.message);
    throw e;
  }
}

const fmt = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits));

function table(c: Comparison): string {
  const lines = [`A: ${c.a}`, `B: ${c.b}`, ''];
  const w = Math.max(4, ...c.rows.map((r) => r.task.length));
  const m = Math.max(6, ...c.rows.map((r) => r.metric.length));
  lines.push(
    `${'task'.padEnd(w)}  ${'metric'.padEnd(m)}  ${'A'.padStart(8)} ${'±se'.padStart(7)}  ${'B'.padStart(8)} ${'±se'.padStart(7)}  ${'B−A'.padStart(8)}`,
  );
  for (const r of c.rows)
    lines.push(
      `${r.task.padEnd(w)}  ${r.metric.padEnd(m)}  ${fmt(r.a).padStart(8)} ${fmt(r.a_stderr).padStart(7)}  ${fmt(r.b).padStart(8)} ${fmt(r.b_stderr).padStart(7)}  ${(r.diff === null ? '—' : (r.diff >= 0 ? '+' : '') + r.diff.toFixed(4)).padStart(8)}`,
    );
  if (c.paired) {
    const p = c.paired;
    lines.push(
      '',
      `paired over ${p.n} questions: B−A ${p.diff >= 0 ? '+' : ''}${p.diff.toFixed(4)} (95% CI ${p.diff_ci[0].toFixed(4)} to ${p.diff_ci[1].toFixed(4)}), McNemar exact p = ${p.mcnemar_p.toPrecision(3)}`,
      `both right ${p.both_correct}, only A ${p.a_only}, only B ${p.b_only}, neither ${p.neither}; agreement ${fmt(p.agreement, 3)}, Cohen's κ ${fmt(p.cohen_kappa, 3)}, Kendall's τ ${fmt(p.kendall_tau, 3)}; ${p.flips.length} flips`,
    );
    const d = p.loglikelihood_distance;
    if (d)
      lines.push(
        `log-likelihoods |B−A| over ${d.n} choices: median ${d.median.toPrecision(3)}, p95 ${d.p95.toPrecision(3)}, max ${d.max.toPrecision(3)} nats`,
      );
  }
  for (const w2 of c.warnings) lines.push(`warning: ${w2}`);
  if (c.not_like_for_like) lines.push(`B − A is not a like-for-like difference: ${c.not_like_for_like}`);
  return lines.join('\n') + '\n';
}

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { json: { type: 'boolean', default: false }, ...DATA_OPTIONS },
    true,
  );
  if (positionals.length !== 2) throw new UsageError('give two results to compare: A and B');
  const suites = positionals.map((p) => existsSync(join(p, 'suite.json')));
  if (suites[0] !== suites[1]) throw new UsageError('compare two suite folders, or two results: not one of each');
  if (suites[0]) return compareSuiteFolders(positionals[0]!, positionals[1]!, values);
  const [a, b] = [await comparable(positionals[0]!, values), await comparable(positionals[1]!, values)];
  const c = compareResults(a, b);
  process.stdout.write(
    values.json
      ? JSON.stringify(
          { rows: c.rows, paired: c.paired, warnings: c.warnings, not_like_for_like: c.not_like_for_like },
          null,
          2,
        ) + '\n'
      : table(c),
  );
  return 0;
}

/** Two suite folders (pagebench suite): each column, and each task compared as two results. */
async function compareSuiteFolders(
  dirA: string,
  dirB: string,
  values: { json?: boolean } & Parameters<typeof joinedPicks>[1],
): Promise<number> {
  const [A, B] = [dirA, dirB].map((d) => readJsonFile(join(d, 'suite.json')) as SuiteSummary) as [
    SuiteSummary,
    SuiteSummary,
  ];
  const tasks: Record<string, ReturnType<typeof compareResults>> = {};
  for (const c of A.columns)
    if (B.columns.some((x) => x.benchmark === c.benchmark))
      tasks[c.benchmark] = compareResults(
        await comparable(join(dirA, c.benchmark), values),
        await comparable(join(dirB, c.benchmark), values),
      );
  const s = compareSuites(A, B, tasks);
  if (values.json) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return 0;
  }
  const f = (x: number) => x.toFixed(2).padStart(7);
  const lines = [
    `${s.suite}: A ${dirA}, B ${dirB}`,
    `${'column'.padEnd(12)} ${'A'.padStart(7)} ${'B'.padStart(7)} ${'B − A'.padStart(7)}  paired (questions both scored)`,
    ...s.rows.map(
      (r) =>
        `${r.column.padEnd(12)} ${f(r.a)} ${f(r.b)} ${f(r.diff)}  ` +
        (r.paired
          ? `n=${r.paired.n}, ${r.paired.diff.toFixed(2)} [${r.paired.diff_ci[0].toFixed(2)}, ${r.paired.diff_ci[1].toFixed(2)}], McNemar p=${r.paired.mcnemar_p === null ? '—' : r.paired.mcnemar_p.toPrecision(3)}`
          : '— (no right/wrong per question)') +
        (r.not_like_for_like ? `; not like for like: ${r.not_like_for_like}` : ''),
    ),
    `${'Average'.padEnd(12)} ${f(s.average.a)} ${f(s.average.b)} ${f(s.average.diff)}`,
    ...s.warnings.map((w) => `warning: ${w}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** A link given as a file's content (@file), for links longer than a shell argument likes. */
export function linkArgument(arg: string): string {
  return arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8').trim() : arg;
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRuntimeInfo } from '../node/runtime.ts';
import { dataHash, templateHash, type Fingerprint } from '../core/report/fingerprint.ts';
import type { TemplateSpec } from '../core/templates/template.ts';
import type { SubjectData } from '../core/benchmarks/doc.ts';
import { fewshotSplit } from '../core/benchmarks/fewshot.ts';
import { LATEST_LM_EVAL, LM_EVAL_RELEASES, lmEvalRelease } from '../core/lmEvalReleases.ts';
import { variantTemplate } from '../core/study/variantPrompts.ts';
import { validateResults, validateStudy } from '../core/report/validate.ts';
import { computeScoreboard } from '../core/report/scoreboard.ts';
import {
  AxisError,
  baseAxes,
  CHAT_MODES,
  expandVariants,
  parseVary,
  type Axis,
  type ChatMode,
  type Variant,
} from '../core/study/axes.ts';
import { runStudy } from '../core/study/runStudy.ts';
import { buildStudyJson } from '../core/study/studyResult.ts';
import { samplesJsonl, serializeResults } from '../core/report/results.ts';
import { generationSpeed } from '../core/report/generationSpeed.ts';
import { headlineScore } from '../core/report/scoreboard.ts';
import { loadRunData, RunSession } from '../core/session.ts';
import type { EvalSettings, Progress } from '../core/records.ts';
import { runPrompts } from '../core/prompts.ts';
import { DEFAULT_HUB_URL } from '../core/benchmarks/mmlu/source.ts';
import { DEFAULT_BENCHMARK, getBenchmark, resolveSubsets } from '../core/benchmarks/registry.ts';
import { CausalLM, type Device, type Dtype } from '../core/runtime/causalLm.ts';
import { DTYPE_SUFFIX } from '../core/runtime/hubSizes.ts';
import { SCORER_MODES, type ScorerMode } from '../core/scoring/scorer.ts';
import { GENERATING_TEMPLATES, getTemplate, runTemplate } from '../core/templates/presets.ts';
import { BOS_POLICIES, resolveBos, type BosPolicy } from '../core/scoring/requests.ts';
import { dataSources, quizSources } from '../node/dataArg.ts';
import { readQuizFile } from '../node/quizFile.ts';
import { registerQuiz } from '../core/benchmarks/quiz/index.ts';
import { loadCliModel, localModelHash, resolveModelArg } from '../node/modelSource.ts';
import type { VerifiedModel } from '../node/hubDownload.ts';
import { StagedOutput } from '../node/outputDir.ts';
import { didYouMean } from '../core/util/suggest.ts';
import { oneOf, parseCommandLine, UsageError } from './usage.ts';
import { mergeCommand } from './merge.ts';
import { serveCommand } from './serve.ts';
import { perplexityCommand } from './perplexity.ts';
import { compareCommand, openCommand, shareCommand } from './results.ts';
import { helpFor } from './help.ts';
import { suiteCommand, type RunReport } from './suite.ts';
import { RUN_CALIBRATION_QUESTIONS, timeFirstQuestions } from '../core/calibrate.ts';
import { fromTaskTiming, timeText } from '../core/timeEstimate.ts';
import { PartError, parsePart } from '../core/parts.ts';
import type { GenerationSettings } from '../core/templates/template.ts';

const COMMANDS = ['run', 'suite', 'study', 'prompts', 'perplexity', 'merge', 'share', 'open', 'compare', 'serve'];
/** Commands on results rather than on a model and data, each in its own module. */
const RESULT_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  merge: mergeCommand,
  share: shareCommand,
  open: openCommand,
  compare: compareCommand,
  serve: serveCommand,
  perplexity: perplexityCommand,
};

const OPTIONS = {
  model: { type: 'string' },
  revision: { type: 'string' },
  data: { type: 'string' },
  'hub-url': { type: 'string' },
  benchmark: { type: 'string', default: DEFAULT_BENCHMARK },
  subjects: { type: 'string' },
  configs: { type: 'string' },
  'fewshot-data': { type: 'string' },
  split: { type: 'string' },
  shots: { type: 'string' },
  template: { type: 'string' },
  scoring: { type: 'string' },
  limit: { type: 'string' },
  bos: { type: 'string', default: 'lm-eval' },
  'lm-eval': { type: 'string', default: LATEST_LM_EVAL },
  dtype: { type: 'string', default: 'fp32' },
  scorer: { type: 'string', default: 'fast' },
  'batch-size': { type: 'string' },
  'no-rewrite': { type: 'boolean', default: false },
  estimate: { type: 'boolean', default: false },
  'output-dir': { type: 'string' },
  vary: { type: 'string', multiple: true },
  chat: { type: 'string' },
  system: { type: 'string' },
  description: { type: 'string', default: 'on' },
  part: { type: 'string' },
  'max-new-tokens': { type: 'string' },
  stop: { type: 'string', multiple: true },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
} as const;

function parseOptions(args: string[]) {
  return parseCommandLine(args, OPTIONS).values;
}

function int(name: string, v: string | undefined, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

function num(name: string, v: string, min: number, max: number): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < min || x > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${v}"`);
  return x;
}

/** --stop text: \n, \t and \\ are the escapes a shell argument needs. */
function unescapeStop(v: string): string {
  return v.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

function generationOptions(values: ReturnType<typeof parseOptions>): Partial<GenerationSettings> {
  const g: Partial<GenerationSettings> = {};
  if (values['max-new-tokens'] !== undefined) {
    g.maxNewTokens = int('max-new-tokens', values['max-new-tokens'])!;
    if (g.maxNewTokens < 1) throw new UsageError('--max-new-tokens must be at least 1');
  }
  if (values.stop !== undefined) g.stop = values.stop.map(unescapeStop);
  if (values.temperature !== undefined) g.temperature = num('temperature', values.temperature, 0, 100);
  if (values['top-k'] !== undefined) g.topK = int('top-k', values['top-k'])!;
  if (values['top-p'] !== undefined) {
    g.topP = num('top-p', values['top-p'], 0, 1);
    if (g.topP === 0) throw new UsageError('--top-p must be above 0');
  }
  if (values.seed !== undefined) g.seed = int('seed', values.seed)!;
  if ((g.topK !== undefined || g.topP !== undefined || g.seed !== undefined) && !g.temperature)
    throw new UsageError('--top-k, --top-p and --seed shape sampling: give --temperature above 0');
  return g;
}

function fmtEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60)}s` : `${Math.round(s)}s`;
}

function progressLine(p: Progress): string {
  return `\r[${p.subject}] ${p.done}/${p.total}  ${p.itemsPerSecond.toFixed(2)} q/s  ${Math.round(p.promptTokensPerSecond)} tok/s  ETA ${fmtEta(p.etaSeconds)}   `;
}

async function main(argv: string[], report?: RunReport): Promise<number> {
  // config.date is when the run started, as lm-eval's results["date"] (evaluator.py: start_date).
  const startedAt = new Date().toISOString();
  const [command, ...rest] = argv;
  const help = helpFor(argv);
  if (help) {
    process.stdout.write(help.text);
    return help.code;
  }
  if (!COMMANDS.includes(command!))
    throw new UsageError(
      `unknown command "${command}"${didYouMean(command!, COMMANDS)} (expected ${COMMANDS.join(', ')})`,
    );
  if (RESULT_COMMANDS[command!]) return RESULT_COMMANDS[command!]!(rest);
  if (command === 'suite') return suiteCommand(rest, main);
  const values = parseOptions(rest);
  const hubUrl = values['hub-url'] ?? process.env.PAGEBENCH_HUB_URL ?? DEFAULT_HUB_URL;
  if (!values.data) throw new UsageError('--data is required (a folder, or "hub")');
  // a teacher's quiz: --data is its file, registered as a benchmark named by its content
  const benchmark =
    values.benchmark === 'quiz' ? registerQuiz(readQuizFile(values.data)) : getBenchmark(values.benchmark!);
  let templateId = values.template ?? benchmark.defaultTemplate;
  getTemplate(templateId);
  if (values.scoring !== undefined) {
    const scoring = oneOf('scoring', values.scoring, ['loglikelihood', 'generate'] as const);
    if (scoring === 'generate' && getTemplate(templateId).scoring !== 'generate') {
      if (templateId !== 'lm-eval')
        throw new UsageError(`--scoring generate is available with the lm-eval prompt only (template "generate")`);
      templateId = 'generate';
    }
    if (scoring === 'loglikelihood' && getTemplate(templateId).scoring === 'generate')
      throw new UsageError('--template generate scores by generation; use --scoring generate or another template');
  }
  if (!benchmark.templates.includes(templateId))
    throw new UsageError(
      `--template ${templateId} does not apply to ${benchmark.id}${didYouMean(templateId, benchmark.templates)} (its templates: ${benchmark.templates.join(', ')})`,
    );
  if (values.subjects !== undefined && values.configs !== undefined)
    throw new UsageError('give --subjects or --configs, not both');
  const settings: EvalSettings = {
    ...(benchmark.id !== DEFAULT_BENCHMARK ? { benchmark: benchmark.id } : {}),
    subjects: resolveSubsets(benchmark, values.subjects ?? values.configs ?? 'all'),
    split: oneOf('split', values.split ?? benchmark.splits[0]!, benchmark.splits),
    shots: int('shots', values.shots, 0)!,
    template: templateId,
    limit: int('limit', values.limit),
    bos: oneOf<BosPolicy>('bos', values.bos!, BOS_POLICIES),
    lmEval: oneOf(
      'lm-eval',
      values['lm-eval']!,
      LM_EVAL_RELEASES.map((r) => r.version),
    ),
    scorer: oneOf<ScorerMode>('scorer', values.scorer!, SCORER_MODES),
    batchSize: values['batch-size'] === 'auto' ? 'auto' : int('batch-size', values['batch-size'], 1)!,
  };
  if (oneOf('description', values.description!, ['on', 'off'] as const) === 'off') settings.description = false;
  const chatMode = oneOf<ChatMode>('chat', values.chat ?? 'none', CHAT_MODES);
  if (values.system !== undefined && chatMode === 'none' && !values.vary?.some((v) => v.startsWith('chat=')))
    throw new UsageError('--system needs a chat template: give --chat single|multiturn (or vary chat)');
  if (command === 'run' && chatMode !== 'none') {
    if (getTemplate(settings.template).scoring === 'generate')
      throw new UsageError('--chat applies to log-likelihood templates');
    settings.chat = chatMode;
    if (values.system !== undefined) settings.system = values.system;
  }
  if (values.part !== undefined) {
    if (command !== 'run') throw new UsageError('--part is an option of run');
    try {
      settings.part = parsePart(values.part);
    } catch (e) {
      if (e instanceof PartError) throw new UsageError(`--part: ${e.message}`);
      throw e;
    }
  }
  const generation = generationOptions(values);
  if (Object.keys(generation).length) {
    if (getTemplate(settings.template).scoring !== 'generate')
      throw new UsageError(
        `--max-new-tokens, --stop, --temperature, --top-k, --top-p and --seed apply to templates that generate (${GENERATING_TEMPLATES.join(', ')}), not ${settings.template}`,
      );
    settings.generation = generation;
  }
  if (settings.batchSize === 0) throw new UsageError('--batch-size must be at least 1 (or auto)');
  if (settings.shots > 5 && fewshotSplit(benchmark) === 'dev')
    throw new UsageError(`--shots ${settings.shots}: MMLU's dev split has 5 rows per subject`);
  const sources =
    values.benchmark === 'quiz'
      ? quizSources(values.data)
      : dataSources(values.data, values['fewshot-data'] ?? values.data, hubUrl);

  if (command === 'prompts' && (values.chat !== undefined || values.system !== undefined))
    throw new UsageError("--chat and --system need the model's tokenizer: use them with run or study");
  if (command === 'prompts') {
    const data = await loadRunData(sources, settings);
    for (const item of runPrompts(settings, data).items)
      process.stdout.write(
        JSON.stringify({
          subject: item.subject,
          doc_id: item.docId,
          context: item.prompt.context,
          ...(item.prompt.contexts ? { contexts: item.prompt.contexts } : {}),
          continuations: item.prompt.continuations,
          target: item.prompt.target,
        }) + '\n',
      );
    return 0;
  }

  if (command !== 'study' && values.vary) throw new UsageError('--vary is a study option (pagebench study --help)');
  if (!values.model) throw new UsageError('--model is required');
  if (values.estimate && command !== 'run') throw new UsageError('--estimate is an option of run and suite');
  if (!values['output-dir'] && !values.estimate) throw new UsageError('--output-dir is required');
  const dtype = oneOf<Dtype>('dtype', values.dtype!, ['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
  const device: Device = 'cpu';
  const modelSource = resolveModelArg(values.model, hubUrl, values.revision);
  // A hub model is downloaded into pagebench's cache and verified before it loads (node/hubDownload.ts).
  let verified: VerifiedModel | null = null;
  // The facts of the model just loaded (`verified` is that load's).
  const modelFacts = (model: CausalLM, dt: Dtype = dtype) => ({
    model: {
      id: modelSource.localDir ? values.model! : modelSource.id,
      revision: modelSource.localDir ? 'local' : (modelSource.revision ?? 'main'),
      source: modelSource.localDir ? ('local' as const) : ('hub' as const),
      sha256: modelSource.localDir ? localModelHash(modelSource.localDir, dt) : verified?.graphSha256,
      ...(verified ? { files: verified.files } : {}),
      maxLength: model.maxLength,
    },
    dtype: dt,
    device,
    data: benchmark.describeData(sources),
    graphRewrites: model.graphRewrites,
    loadSeconds: model.loadSeconds,
    bosResolved: resolveBos(settings.bos, model.modelType, settings.lmEval),
  });
  const loadModel = async (dt: Dtype = dtype) => {
    const loaded = await loadCliModel(modelSource, hubUrl, dt, values['no-rewrite'] ? 'none' : 'auto', (m) =>
      process.stderr.write(`${m}\n`),
    );
    verified = loaded.verified;
    return loaded.model;
  };
  const fingerprint = async (t: TemplateSpec, data: SubjectData[]): Promise<Fingerprint> => ({
    ...nodeRuntimeInfo(),
    threads: null,
    template_sha256: await templateHash(t),
    data_sha256: await dataHash(data, settings.limit, lmEvalRelease(settings.lmEval).sampler === 'shuffle42'),
  });
  const isTty = process.stderr.isTTY;
  let lastPrint = 0;
  const printProgress = (line: string, last: boolean) => {
    const now = performance.now();
    if (last || now - lastPrint > (isTty ? 200 : 5000)) {
      lastPrint = now;
      process.stderr.write(isTty ? line : line.slice(1) + '\n');
    }
  };

  if (command === 'study') {
    if (getTemplate(settings.template).scoring === 'generate')
      throw new UsageError('studies compare log-likelihood scoring; the generate template scores by generation');
    if (lmEvalRelease(settings.lmEval).sampler === 'shuffle42')
      throw new UsageError(
        "studies follow lm-eval's per-task samplers; --lm-eval leaderboard-v1 (the v1 leaderboard's order) is for run and suite",
      );
    let vary: [Axis, string[]][];
    let variants: Variant[];
    try {
      vary = parseVary(values.vary ?? [], benchmark);
      variants = expandVariants(
        baseAxes(benchmark, settings.template, settings.shots, chatMode, settings.description !== false, dtype),
        vary,
      );
    } catch (e) {
      if (e instanceof AxisError) throw new UsageError(e.message);
      throw e;
    }
    const maxShots = Math.max(...variants.map((v) => Number(v.axes.shots)));
    // A local folder lacking a varied dtype's file is said before any variant is scored.
    for (const dt of new Set(variants.map((v) => (v.axes.dtype ?? dtype) as Dtype))) {
      const file = `onnx/model${DTYPE_SUFFIX[dt]}.onnx`;
      if (modelSource.localDir && !existsSync(join(modelSource.localDir, file)))
        throw new UsageError(`--vary dtype: ${values.model} has no ${file} (the ${dt} file)`);
    }
    const out = new StagedOutput(values['output-dir']!);
    // One model at a time: a study varying dtype loads each dtype's file after releasing the last.
    const factsOf = new Map<string, ReturnType<typeof modelFacts>>();
    let model: CausalLM | null = null;
    const modelFor = async (dt: string | undefined) => {
      await model?.dispose();
      model = null;
      model = await loadModel((dt ?? dtype) as Dtype);
      factsOf.set(dt ?? dtype, modelFacts(model, (dt ?? dtype) as Dtype));
      return model;
    };
    try {
      const data = await loadRunData(sources, { ...settings, shots: maxShots });
      const res = await runStudy(
        modelFor,
        data,
        settings,
        variants,
        {
          onProgress: (p) =>
            printProgress(
              `\r[${p.subject}] ${p.done}/${p.total} variant-questions  ETA ${fmtEta(p.etaSeconds)}   `,
              p.done === p.total,
            ),
        },
        values.system,
      );
      if (isTty) process.stderr.write('\n');
      const date = startedAt;
      for (const v of variants) {
        const facts = factsOf.get(v.axes.dtype ?? dtype)!;
        const samples = res.samples.get(v.id)!;
        const vSettings: EvalSettings = {
          ...settings,
          template: v.axes.template,
          shots: Number(v.axes.shots),
          ...(v.axes.description === 'off' ? { description: false } : { description: undefined }),
          ...(v.axes.chat !== 'none' ? { chat: v.axes.chat as ChatMode } : {}),
          ...(v.axes.chat !== 'none' && values.system !== undefined ? { system: values.system } : {}),
        };
        const sb = computeScoreboard(benchmark, v.axes.template, settings.subjects, samples);
        const results = serializeResults(benchmark, sb, vSettings, {
          ...facts,
          fingerprint: await fingerprint(variantTemplate(v.axes), data),
          batchSize: 1,
          evalSeconds: res.seconds,
          promptTokens: samples.reduce((a, s) => a + s.input_tokens, 0),
          truncatedCount: samples.filter((s) => s.truncated).length,
          date,
          variant: { id: v.id, axes: v.axes },
        });
        validateResults(results);
        for (const d of data)
          out.write(`${v.id}/samples_${d.subject}.jsonl`, samplesJsonl(samples.filter((s) => s.subject === d.subject)));
        out.write(`${v.id}/results.json`, JSON.stringify(results, null, 2) + '\n');
      }
      const dtypes = [...factsOf.keys()];
      const first = factsOf.get(dtypes[0]!)!;
      const study = buildStudyJson(settings, vary, variants, res.samples, {
        ...first,
        // varied: each dtype's rewrites (each variant's results.json has its own model's facts)
        ...(dtypes.length > 1
          ? {
              dtype: dtypes.join(', '),
              graphRewrites: Object.fromEntries([...factsOf].map(([d, f]) => [d, f.graphRewrites])),
            }
          : {}),
        date,
        evalSeconds: res.seconds,
        ...(values.system !== undefined ? { system: values.system } : {}),
      });
      validateStudy(study);
      out.write('study.json', JSON.stringify(study, null, 2) + '\n');
      out.commit();
      for (const v of study.variants)
        process.stderr.write(
          `${v.id.padEnd(40)} acc ${v.acc.toFixed(4)} ± ${((v.acc_stderr ?? 0) * 1.96).toFixed(4)}\n`,
        );
      process.stderr.write(
        `${variants.length} variants over ${study.variants[0]!.n} questions in ${res.seconds.toFixed(1)}s; spread ${study.overall.spread.toFixed(4)}; wrote ${values['output-dir']}\n`,
      );
      await (model as CausalLM | null)?.dispose();
      return 0;
    } catch (e) {
      out.abort();
      throw e;
    }
  }

  if (values.estimate) {
    // The model loaded and the first questions timed as the run will score them; nothing written.
    const data = await loadRunData(sources, settings);
    const model = await loadModel();
    const timing = await timeFirstQuestions(
      model,
      data,
      settings,
      report?.calibrationQuestions ?? RUN_CALIBRATION_QUESTIONS,
    );
    await model.dispose();
    if (report) report.timing = timing;
    else {
      const range = fromTaskTiming(
        timing,
        `measured: the first ${timing.subsetStarts[1] ?? timing.questionSeconds.length} questions of the first ${timing.subsetStarts.length > 1 ? 'two subsets' : 'subset'} on this machine`,
      );
      process.stdout.write(JSON.stringify({ ...timing, seconds: range && { lo: range.lo, hi: range.hi } }) + '\n');
      process.stderr.write(
        `${benchmark.label}: ${timing.questions} questions in ${timing.subsets} subset(s): ${range ? `${timeText(range)} (${range.basis})` : 'too few questions to time'}\n`,
      );
    }
    return 0;
  }

  const out = new StagedOutput(values['output-dir']!);
  try {
    const session = new RunSession(settings, sources);
    const data = await session.load();
    const model = await loadModel();
    const result = await session.run(model, {
      onProgress: (p) => printProgress(progressLine(p), p.done === p.total),
    });
    if (isTty) process.stderr.write('\n');
    const scoreboard = session.scoreboard(result.samples);
    const part = await session.partRange();
    const results = serializeResults(benchmark, scoreboard, settings, {
      ...modelFacts(model),
      ...(part ? { part } : {}),
      fingerprint: await fingerprint(runTemplate(settings), data),
      batchSize: result.batchSize,
      evalSeconds: result.seconds,
      promptTokens: result.promptTokens,
      truncatedCount: result.truncatedCount,
      generationSpeed: generationSpeed(result.samples),
      date: startedAt,
    });
    validateResults(results);
    for (const d of data) {
      const subjectSamples = result.samples.filter((s) => s.subject === d.subject);
      out.write(`samples_${d.subject}.jsonl`, samplesJsonl(subjectSamples));
    }
    out.write('results.json', JSON.stringify(results, null, 2) + '\n');
    out.commit();
    const headline = headlineScore(scoreboard);
    process.stderr.write(
      `${scoreboard.headline} ${headline.value.toFixed(4)} over ${result.samples.length} questions; ${result.truncatedCount} truncated; wrote ${values['output-dir']}\n`,
    );
    await model.dispose();
    return 0;
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Exits once stdout and stderr have flushed: into a pipe, process.exit() alone drops queued output. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exitAfterFlush, (e: unknown) => {
  const msg = String((e as Error)?.message ?? e).split('\n')[0];
  process.stderr.write(`pagebench: error: ${msg}\n`);
  if (e instanceof UsageError) process.stderr.write(`(see pagebench --help)\n`);
  exitAfterFlush(e instanceof UsageError ? 2 : 1);
});

/// <reference lib="webworker" />
import { lmEvalRelease } from '../core/lmEvalReleases.ts';
import type { SubjectData } from '../core/benchmarks/doc.ts';
import { dataHash, templateHash, type Fingerprint } from '../core/report/fingerprint.ts';
import { sampleValue, templateHeadline } from '../core/report/scoreboard.ts';
import type { CausalLM } from '../core/runtime/causalLm.ts';
import { webRuntimeInfo } from '../core/runtime/webRuntime.ts';
import { resolveBos } from '../core/scoring/requests.ts';
import { RunSession } from '../core/session.ts';
import { runTemplate } from '../core/templates/presets.ts';
import type { TemplateSpec } from '../core/templates/template.ts';
import { addSample, runSamples, updateRun, type RunRecord } from '../storage/db.ts';
import { dataSource } from './dataSources.ts';
import { explainFailure } from './failures.ts';
import { capabilities } from './gpu.ts';
import type { WorkerHost } from './host.ts';
import type { Emit } from './protocol.ts';

/** What a finished (or resumed) run records about its model and time, its earlier sessions' time added. */
export function modelFacts(
  host: WorkerHost,
  run: RunRecord,
  model: CausalLM,
  result: { seconds: number; promptTokens: number },
) {
  const prev = run.facts;
  const files = host.models.filesOf(model);
  return {
    revision: 'main',
    maxLength: model.maxLength,
    threads: host.threads,
    graphRewrites: model.graphRewrites,
    bosResolved: resolveBos(run.settings.bos, model.modelType, run.settings.lmEval),
    loadSeconds: model.loadSeconds,
    ...(files ? { modelFiles: files } : {}),
    evalSeconds: (prev?.evalSeconds ?? 0) + result.seconds,
    promptTokens: (prev?.promptTokens ?? 0) + result.promptTokens,
  };
}

/** The page's side of a run's fingerprint: browser, runtime versions, threads, the WebGPU adapter used. */
async function pageFingerprint(
  host: WorkerHost,
  run: RunRecord,
  t: TemplateSpec,
  data: SubjectData[],
): Promise<Fingerprint> {
  const caps = run.model.device === 'webgpu' ? await capabilities(host.threads) : null;
  return {
    ...webRuntimeInfo(),
    threads: run.model.device === 'wasm' ? host.threads : null,
    ...(caps
      ? {
          webgpu_adapter: caps.adapter && {
            vendor: caps.adapter.vendor,
            architecture: caps.adapter.architecture,
            is_fallback_adapter: caps.adapter.isFallbackAdapter,
            shader_f16: caps.shaderF16,
          },
        }
      : {}),
    template_sha256: await templateHash(t),
    data_sha256: await dataHash(data, run.settings.limit, lmEvalRelease(run.settings.lmEval).sampler === 'shuffle42'),
  };
}

/**
 * Runs `work` on a stored run (it sets the run's facts and status), then stores how the run ended;
 * a failure is stored as 'failed' with its reason in words.
 */
export async function settleRun(host: WorkerHost, run: RunRecord, work: () => Promise<void>): Promise<RunRecord> {
  try {
    await work();
  } catch (e) {
    Object.assign(run, await host.db.get('runs', run.id));
    // The device-lost promise may settle just after the failed call it caused.
    if (run.model.device === 'webgpu' && !host.gpu.lost) await new Promise((r) => setTimeout(r, 200));
    if (run.model.device === 'webgpu' && host.gpu.lost) {
      run.status = 'stopped';
      run.error = `the GPU device was lost (${host.gpu.lost})`;
      run.gpuLost = true;
    } else {
      run.status = 'failed';
      run.error = explainFailure(e);
    }
  }
  const { facts, status, error, gpuLost: lost } = run;
  return (await updateRun(host.db, run.id, (r) => Object.assign(r, { facts, status, error, gpuLost: lost })))!;
}

/** Runs (or resumes) a stored plain run to completion, writing each sample to IndexedDB as it finishes. */
export function runStored(host: WorkerHost, run: RunRecord, emit: Emit): Promise<RunRecord> {
  const { db } = host;
  const runId = run.id;
  return settleRun(host, run, async () => {
    const model = await host.models.get(run.model, emit);
    await host.hang.at('load');
    emit({ type: 'phase', phase: 'data', message: `loading ${run.settings.subjects.length} subject(s)` });
    await host.hang.at('data');
    const session = new RunSession(run.settings, dataSource(db, run.data, emit));
    const total = await session.total();
    const done = new Set((await runSamples(db, runId)).map((s) => `${s.subject}#${s.doc_id}`));
    await updateRun(db, runId, (r) => Object.assign(r, { status: 'running', total, done: done.size }));
    emit({ type: 'phase', phase: 'eval', message: `evaluating ${total - done.size} question(s)` });
    await host.hang.at('first-question');
    const metric = templateHeadline(run.settings.template);
    let doneNow = done.size;
    const result = await session.run(model, {
      skip: (s, d) => done.has(`${s}#${d}`),
      onSample: async (s) => {
        doneNow = (await addSample(db, { ...s, runId }, sampleValue(s, metric))).done;
        emit({ type: 'sample', subject: s.subject, docId: s.doc_id, acc: s.acc });
      },
      onProgress: (p) => emit({ type: 'progress', progress: p, done: doneNow, total }),
    });
    Object.assign(run, await db.get('runs', runId));
    const prev = run.facts;
    run.facts = {
      ...modelFacts(host, run, model, result),
      fingerprint: await pageFingerprint(host, run, runTemplate(run.settings), await session.load()),
      batchSize: result.batchSize,
      truncatedCount: (prev?.truncatedCount ?? 0) + result.truncatedCount,
      itemsPerSecond: result.samples.length / result.seconds,
      tokensPerSecond: result.promptTokens / result.seconds,
      ...(run.settings.part ? { part: (await session.partRange())! } : {}),
    };
    run.status = run.done >= total ? 'complete' : 'stopped';
  });
}

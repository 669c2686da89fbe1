/**
 * The page's DOM-free logic: how failures are worded, time estimates from measurements, and the
 * pre-run count of truncated prompts (checked against a real run on stories260K).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainFailure } from '../../src/web/failures.ts';
import { fromCalibration, fromEarlierRuns, fromTaskTiming, suiteTime } from '../../src/core/timeEstimate.ts';
import { nearest } from '../../src/core/util/suggest.ts';
import { chooseDevice } from '../../src/ui/device.ts';
import { formatStops, parseStops } from '../../src/ui/stops.ts';
import type { RunRecord } from '../../src/storage/db.ts';
import { planRun } from '../../src/core/plan.ts';
import { evaluate } from '../../src/core/evaluate.ts';
import { makeEncoder } from '../../src/core/scoring/requests.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import '../../src/node/runtime.ts';
import { loadAll } from '../../src/core/benchmarks/mmlu/data.ts';
import { RateMeter } from '../../src/core/util/rate.ts';
import { unseenContextChars } from '../../src/core/scoring/window.ts';
import { encodePair } from '../../src/core/scoring/requests.ts';

test('failures a user can meet get one sentence that says what to do', () => {
  // DOMException is what IndexedDB throws when the origin's quota is exhausted.
  const quota = explainFailure(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  assert.match(quota, /storage for this site is full: delete stored models or runs under Storage/);
  assert.match(explainFailure(new TypeError('Failed to fetch')), /^The connection failed while downloading/);
  assert.match(explainFailure(new RangeError('Array buffer allocation failed')), /ran out of memory/);
  assert.equal(explainFailure(new Error('anatomy_test.csv: 2 bad row(s)')), 'anatomy_test.csv: 2 bad row(s)');
  for (const m of [quota, explainFailure(new TypeError('Failed to fetch'))]) assert.ok(!m.includes('\n'));
});

test('time estimates come from measurements: a calibration pays the prefix once per subject', () => {
  // first question 1.0 s (prefix + question), then 0.1, 0.2, 0.3, 0.4 s: median 0.25, prefix 0.75
  const r = fromCalibration([1.0, 0.1, 0.2, 0.3, 0.4], 100, 3)!;
  assert.ok(Math.abs(r.lo - (3 * 0.75 + 100 * 0.175)) < 1e-9, String(r.lo));
  assert.ok(Math.abs(r.hi - (3 * 0.75 + 100 * 0.325)) < 1e-9, String(r.hi));
  assert.equal(fromCalibration([1.0], 100, 1), null, 'one question measures nothing');
  const e = fromEarlierRuns([2, 4, NaN], 100)!;
  assert.deepEqual([e.lo, e.hi], [25, 50]);
  assert.equal(fromEarlierRuns([], 10), null);
});

test("a suite task's time: warm-up once, each further subset the measured prefix scaled by its length, each question the timed ones' quartiles scaled by what it computes", () => {
  // subset 1: 2.0 (warm-up + prefix), 0.1, 0.3; subset 2: 0.6 (prefix), 0.2, 0.4 → rest 0.1 0.2 0.3 0.4:
  // q25 0.175, median 0.25, q75 0.325 (numpy.quantile's linear rule); warm-up 1.75; a prefix 0.35 × 1.5
  const timing = {
    questionSeconds: [2.0, 0.1, 0.3, 0.6, 0.2, 0.4],
    subsetStarts: [0, 3],
    questions: 100,
    subsets: 10,
    questionRatio: 2,
    prefixRatio: 1.5,
  };
  const r = fromTaskTiming(timing, 'b')!;
  const fixed = 1.75 + 9 * 0.35 * 1.5;
  assert.ok(Math.abs(r.lo - (fixed + 100 * 2 * 0.175)) < 1e-9, String(r.lo));
  assert.ok(Math.abs(r.hi - (fixed + 100 * 2 * 0.325)) < 1e-9, String(r.hi));
  assert.equal(fromTaskTiming({ ...timing, questionSeconds: [2], subsetStarts: [0] }, 'b'), null);
  // one subset: no prefix term
  const one = fromTaskTiming({ ...timing, questionSeconds: [1, 0.5, 0.5], subsetStarts: [0], subsets: 1 }, 'b')!;
  assert.deepEqual([one.lo, one.hi], [0.5 + 100 * 2 * 0.5, 0.5 + 100 * 2 * 0.5]);
  const s = suiteTime(
    [
      { column: 'MMLU', questions: 10, range: { lo: 10, hi: 20, basis: '' }, generates: false },
      { column: 'GSM8K', questions: 5, range: { lo: 50, hi: 70, basis: '' }, generates: true },
    ],
    'b',
  );
  assert.deepEqual([s.total.lo, s.total.hi], [60, 90]);
  assert.equal(s.dominant?.column, 'GSM8K');
  assert.equal(s.dominant?.generates, true);
  assert.ok(Math.abs(s.dominant!.share - 60 / 75) < 1e-12);
});

test('nearest names: close misspellings only', () => {
  assert.deepEqual(nearest('anatomyy', ['anatomy', 'astronomy', 'virology']), ['anatomy']);
  assert.deepEqual(nearest('zzzz', ['anatomy', 'astronomy']), []);
});

test('the pre-run plan counts exactly the questions a run truncates (stories260K, 512-token window, 5 shots)', async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const { tokenizer, maxLength } = await CausalLM.loadTokenizer({ id: 'stories260K', localDir: STORIES });
  assert.equal(maxLength, model.maxLength);
  const data = await loadAll(localDataSource(SHARED_MMLU), ['anatomy', 'high_school_us_history'], 'test');
  for (const shots of [0, 5]) {
    const settings = { template: 'lm-eval', shots, limit: 6, bos: 'tokenizer', scorer: 'fast' } as const;
    const plan = planRun(makeEncoder(tokenizer, 'tokenizer'), maxLength, data, settings);
    const run = await evaluate(model, data, {
      ...settings,
      subjects: ['anatomy', 'high_school_us_history'],
      split: 'test',
    });
    assert.equal(plan.questions, 12);
    if (shots === 5) assert.ok(plan.truncated > 0, '5-shot prompts exceed the window');
    assert.equal(plan.truncated, run.truncatedCount, `${shots} shots`);
    assert.equal(plan.promptTokens, run.promptTokens, `${shots} shots`);
  }
  await model.dispose();
});

test('auto device: WebGPU only on a hardware adapter not measured slower than WASM', () => {
  const hw = { vendor: 'nvidia', architecture: 'ampere', description: '', isFallbackAdapter: false, software: false };
  const caps = (adapter: typeof hw | null) => ({
    webgpu: adapter !== null,
    shaderF16: false,
    adapter,
    threads: 2,
    crossOriginIsolated: true,
  });
  const run = (device: 'wasm' | 'webgpu', qps: number) =>
    ({ status: 'complete', model: { id: 'm', device }, facts: { itemsPerSecond: qps } }) as unknown as RunRecord;
  assert.equal(chooseDevice(caps(null), [], 'm').device, 'wasm');
  assert.equal(chooseDevice(caps(hw), [], 'm').device, 'webgpu');
  const sw = chooseDevice(caps({ ...hw, vendor: 'google', architecture: 'swiftshader', software: true }), [], 'm');
  assert.equal(sw.device, 'wasm');
  assert.match(sw.why, /swiftshader\) is a software renderer/);
  const slow = chooseDevice(caps(hw), [run('webgpu', 2), run('wasm', 5)], 'm');
  assert.equal(slow.device, 'wasm');
  assert.match(slow.why, /WebGPU .* at 2\.00 q\/s, WASM at 5\.00 q\/s/);
  assert.equal(chooseDevice(caps(hw), [run('webgpu', 9), run('wasm', 5)], 'm').device, 'webgpu');
  assert.equal(chooseDevice(caps(hw), [run('webgpu', 2), run('wasm', 5)], 'other').device, 'webgpu');
});

test('stop strings as typed in the page: comma-separated with \\n, \\t, \\\\ and \\, escapes; formatting is the inverse', () => {
  assert.deepEqual(parseStops('\\n\\n,Answer:,a\\,b,\\t,\\\\'), ['\n\n', 'Answer:', 'a,b', '\t', '\\']);
  assert.deepEqual(parseStops(''), []);
  assert.deepEqual(parseStops(',,'), []);
  for (const stops of [['\n'], ['</s>', '<|im_end|>'], ['a,b', '\\n literally', '\t\n']])
    assert.deepEqual(parseStops(formatStops(stops)), stops);
});

test("a resumed run's time estimate leaves out the first chunk's warm-up (it read ~6 min for ~26 s of work)", () => {
  // A clock we advance by hand: a 5 s first question (kernels set up, batch probing), then 0.05 s each.
  let now = 0;
  const meter = new RateMeter(() => now);
  now += 5000;
  assert.ok(Number.isNaN(meter.record(1)), 'no estimate from the warm-up alone');
  for (let done = 2; done <= 21; done++) {
    now += 50;
    meter.record(done);
  }
  now += 50;
  const rate = meter.record(22);
  const remaining = 400;
  // The true remaining time is 400 × 0.05 s = 20 s; counting the warm-up in gave 400 / (22 / 6.05 s) ≈ 110 s.
  assert.ok(Math.abs(remaining / rate - 20) < 1e-9, `ETA ${remaining / rate} s`);
  assert.ok(Math.abs(meter.overall(22) - 22 / 6.05) < 1e-9);
});

test("the explorer's mark of a left-truncated prompt: the characters whose tokens the model did not see (stories260K, 5 shots)", async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const data = await loadAll(localDataSource(SHARED_MMLU), ['high_school_us_history'], 'test');
  const settings = { template: 'lm-eval', shots: 5, limit: 4, bos: 'lm-eval', scorer: 'fast' } as const;
  const run = await evaluate(model, data, { ...settings, subjects: ['high_school_us_history'], split: 'test' });
  const encode = makeEncoder(model, 'lm-eval');
  const window = model.maxLength + 1;
  assert.ok(
    run.samples.every((s) => s.truncated),
    'these 5-shot prompts all exceed the 512-token window',
  );
  for (const s of run.samples) {
    const k = unseenContextChars(model, encode, s.context, s.continuations, model.maxLength);
    assert.ok(k > 0 && k < s.context.length, `${k} of ${s.context.length}`);
    // What is left from character k fills the window to within a token or two (a token cut in the
    // middle of a word re-encodes differently), for the choice that lost most.
    const kept = Math.max(
      ...s.continuations.map((c) => {
        const p = encodePair(encode, s.context.slice(k), c);
        return p.context.length + p.continuation.length;
      }),
    );
    assert.ok(Math.abs(kept - window) <= 3, `kept ${kept} tokens of a ${window}-token window`);
  }
  // A prompt that fits loses nothing.
  const anatomy = await loadAll(localDataSource(SHARED_MMLU), ['anatomy'], 'test');
  const short = await evaluate(model, anatomy, {
    ...settings,
    shots: 0,
    subjects: ['anatomy'],
    split: 'test',
    limit: 1,
  });
  assert.equal(short.samples[0]!.truncated, false);
  assert.equal(
    unseenContextChars(model, encode, short.samples[0]!.context, short.samples[0]!.continuations, model.maxLength),
    0,
  );
  await model.dispose();
});

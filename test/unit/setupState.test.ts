/**
 * The setup screen's logic, in Node without a DOM: its state classes (src/ui/state/*.svelte.ts)
 * compiled with Svelte's runes as the build compiles them (test/support/svelteModules.mjs), driven
 * against a real hub mirror on 127.0.0.1 (stories260K, fp32 only) — the repository check and the
 * dtype it offers, the device `auto` picks, the study's variants, the time estimate and the record
 * a Start stores.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { mirrorModel, serveStatic } from '../../src/node/hubMirror.ts';
import type { RunRecord } from '../../src/storage/db.ts';
import type { Capabilities } from '../../src/web/protocol.ts';
import { MODEL_PRESETS } from '../../src/ui/presets.ts';
import { STORIES } from '../support/paths.ts';
import { timeText } from '../../src/core/timeEstimate.ts';

register('../support/svelteModules.mjs', import.meta.url);
const { SetupState } = await import('../../src/ui/state/setup.svelte.ts');
const { ModelChoice } = await import('../../src/ui/state/modelChoice.svelte.ts');
const { RunPlanState, newRunRecord } = await import('../../src/ui/state/runPlan.svelte.ts');
const { SpeedEstimate } = await import('../../src/ui/state/speed.svelte.ts');

let hub: Awaited<ReturnType<typeof serveStatic>>;
before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'pb-setup-hub-'));
  mirrorModel(root, STORIES, 'test-org/stories260K');
  hub = await serveStatic(root);
});
after(() => hub?.close());

const noStorage = { getItem: () => null } as unknown as Storage;
const caps = (adapter: Partial<Capabilities['adapter']> | null, shaderF16 = false): Capabilities => ({
  webgpu: adapter !== null,
  shaderF16,
  adapter: adapter && {
    vendor: '',
    architecture: '',
    description: '',
    isFallbackAdapter: false,
    software: false,
    ...adapter,
  },
  threads: 2,
  crossOriginIsolated: true,
});

function choiceFor(id: string, capabilities: Capabilities | null = null, runs: RunRecord[] = []) {
  const setup = SetupState.restore(noStorage);
  setup.modelChoice = 'custom';
  setup.customId = id;
  const choice = new ModelChoice({
    setup,
    hubUrl: hub.url,
    capabilities: () => capabilities,
    runs: () => runs,
    models: () => MODEL_PRESETS,
  });
  return { setup, choice };
}

async function checked(choice: InstanceType<typeof ModelChoice>) {
  choice.check(0);
  for (let i = 0; i < 200 && choice.repo === null; i++) await new Promise((r) => setTimeout(r, 25));
  return choice.repo;
}

test('the repository check: a mirrored repo offers the dtypes it has, with exact sizes; the dtype follows it', async () => {
  const { setup, choice } = choiceFor('test-org/stories260K');
  setup.dtype = 'q8';
  assert.equal(choice.checking, true, 'Start waits for the check');
  const repo = await checked(choice);
  assert.equal(repo?.ok, true);
  assert.equal(choice.checking, false);
  assert.deepEqual(choice.offered, ['fp32']);
  assert.equal(choice.chosen, 'fp32');
  choice.followRepository();
  assert.equal(setup.dtype, 'fp32', 'a dtype the repository lacks is replaced by the one it offers');
  const bytes = statSync(join(STORIES, 'onnx/model.onnx')).size;
  assert.deepEqual(choice.sizeOf('fp32'), { mb: Math.round(bytes / 1e5) / 10, exact: true, offered: true });
  assert.equal(choice.sizeOf('q8').offered, false);
  assert.equal(choice.problem, '');
});

test('the repository check: a missing repository and a malformed id are named in one sentence', async () => {
  const missing = choiceFor('test-org/nothing-here').choice;
  await checked(missing);
  assert.match(
    missing.problem,
    /^test-org\/nothing-here was not found on http:\/\/127\.0\.0\.1:\d+: check the model id/,
  );
  const bad = choiceFor('not an id').choice;
  assert.equal(bad.problem, '"not an id" is not a hub model id: use owner/name.');
  assert.equal(bad.checking, false, 'nothing to wait for');
});

test('a hub address that answers every request with a web page is named as not a hub', async () => {
  const site = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><p>app</p>'),
  );
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  const setup = SetupState.restore(noStorage);
  setup.modelChoice = 'custom';
  setup.customId = 'test-org/stories260K';
  const choice = new ModelChoice({ setup, hubUrl: url, capabilities: () => null, runs: () => [], models: () => [] });
  await checked(choice);
  assert.equal(
    choice.problem,
    `${url} is not a hub: it answered the file listing of test-org/stories260K with a web page. Check the hub address (?hub= or Hub URL).`,
  );
  site.close();
});

test('the device auto picks and the batch that follows; fp16 refused on WebGPU without shader-f16', () => {
  assert.equal(choiceFor('a/b', null).choice.device, 'wasm');
  assert.equal(choiceFor('a/b', null).choice.batchSize, 1);
  const hw = choiceFor('a/b', caps({ vendor: 'acme', architecture: 'x1' })).choice;
  assert.equal(hw.device, 'webgpu');
  assert.equal(hw.batchSize, 'auto');
  const sw = choiceFor('a/b', caps({ description: 'SwiftShader', software: true })).choice;
  assert.equal(sw.device, 'wasm');
  assert.match(sw.autoDevice.why, /software renderer, far slower than WASM/);
  const { setup, choice } = choiceFor('a/b', caps({ vendor: 'acme' }, false));
  setup.dtype = 'fp16';
  assert.match(choice.f16Problem, /shader-f16/);
  setup.device = 'wasm';
  assert.equal(choice.f16Problem, '');
  setup.batch = '4';
  assert.equal(choice.batchSize, 4);
});

test('the study: ticked axes make variants as the CLI checks them; a Start stores a study record or a run record', () => {
  const setup = SetupState.restore(noStorage);
  const planner = new RunPlanState(setup, () => {
    throw new Error('no worker in this test');
  });
  const settings = setup.runSettings(['anatomy'], 1);
  assert.equal(planner.study(settings), null, 'nothing ticked: a plain run');
  setup.studyOrders = ['reverse'];
  const study = planner.study(settings)!;
  assert.equal(study.error, '');
  assert.equal(study.variants.length, 2);
  const model = { id: 'test-org/stories260K', hubUrl: hub.url, dtype: 'fp32', device: 'wasm' as const };
  const data = { source: 'hub' as const, hubUrl: hub.url };
  const rec = newRunRecord({ model, data, settings, study, questions: 135, now: 1 });
  assert.equal(rec.id, 'study-1');
  assert.equal(rec.total, 270);
  assert.equal(rec.settings.batchSize, 1);
  assert.deepEqual(
    rec.study?.variants.map((v) => v.id),
    study.variants.map((v) => v.id),
  );
  const plain = newRunRecord({ model, data, settings, study: null, questions: 135, now: 2 });
  assert.deepEqual([plain.id, plain.total, plain.study], ['run-2', 135, undefined]);
  setup.scoring = 'generate';
  assert.equal(planner.study(setup.runSettings(['anatomy'], 1)), null, 'studies compare log-likelihood scoring');
});

test('the time estimate: earlier runs of the same setup first, then a calibration; a study scales by its tokens', () => {
  const speed = new SpeedEstimate();
  const model = { id: 'test-org/stories260K', hubUrl: hub.url, dtype: 'fp32', device: 'wasm' as const };
  const data = { source: 'hub' as const, hubUrl: hub.url };
  const setup = SetupState.restore(noStorage);
  const settings = setup.runSettings(['anatomy'], 1);
  const plan = { questions: 100, truncated: 0, shotsDropped: 0, promptTokens: 1, maxLength: 512 };
  const base = { plan, runs: [], spec: model, data, settings, benchmark: 'mmlu', variants: 0, studyPlan: null };
  assert.equal(speed.estimate(base), null, 'nothing measured yet');
  speed.calibrations[SpeedEstimate.key(model, data, settings)] = [1.0, 0.1, 0.2, 0.3, 0.4];
  const cal = speed.estimate(base)!;
  assert.ok(Math.abs(cal.lo - (0.75 + 100 * 0.175)) < 1e-9, String(cal.lo));
  const earlier = {
    status: 'complete',
    model,
    settings,
    facts: { itemsPerSecond: 4 },
  } as unknown as RunRecord;
  const fromRun = speed.estimate({ ...base, runs: [earlier] })!;
  assert.deepEqual([fromRun.lo, fromRun.hi], [25, 25]);
  assert.equal(timeText(fromRun), 'about 25 s');
  const study = speed.estimate({
    ...base,
    runs: [earlier],
    variants: 3,
    studyPlan: { variants: 3, questions: 100, tokenRatio: 2.5 },
  })!;
  assert.deepEqual([study.lo, study.hi], [62.5, 62.5]);
  assert.equal(speed.estimate({ ...base, runs: [earlier], variants: 3 }), null, 'a study waits for its token count');
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorCorruptModel, mirrorModel, serveStatic } from '../../src/node/hubMirror.ts';
import { readSamples, runCliAsync } from '../support/cli.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const root = tmp('pb-dl-hub-');
mirrorModel(root, STORIES, 'test-org/stories260K');
mirrorCorruptModel(root, STORIES, 'test-org/corrupt');
// The first request for a "flaky" file is cut halfway; later ones are served whole (with Range support).
mirrorModel(root, STORIES, 'test-org/flaky');
let flakyCuts = 0;
const ranges: string[] = [];
const FLAKY_SIZE = statSync(join(STORIES, 'onnx/model.onnx')).size;
const hub = await serveStatic(root, {
  fault: (p) =>
    p === '/test-org/flaky/resolve/main/onnx/model.onnx' && flakyCuts++ === 0
      ? { cutAfter: Math.floor(FLAKY_SIZE / 2) }
      : undefined,
});
hub.server.on('request', (req) => {
  if (req.headers.range) ranges.push(`${req.url} ${req.headers.range}`);
});
after(() => hub.close());

const run = (cache: string, model: string, out: string) =>
  runCliAsync(
    { PAGEBENCH_CACHE: cache },
    'run',
    '--model',
    model,
    '--hub-url',
    hub.url,
    '--data',
    SHARED_MMLU,
    '--subjects',
    'anatomy',
    '--limit',
    '4',
    '--output-dir',
    out,
  );

test('a hub model is verified against the tree listing before it loads; config records each file’s sha256; numbers equal the local folder’s', async () => {
  const cache = tmp('pb-cache-');
  const out = tmp('pb-dl-out-');
  const r = await run(cache, 'test-org/stories260K', out);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).config;
  const graph = sha(join(STORIES, 'onnx/model.onnx'));
  assert.equal(config.model_sha256, graph);
  assert.equal(config.model_files['onnx/model.onnx'], graph);
  assert.equal(config.model_files['tokenizer.json'], sha(join(STORIES, 'tokenizer.json')));
  assert.equal(config.model_source, 'hub');
  const local = tmp('pb-dl-local-');
  const l = await runCliAsync(
    {},
    'run',
    '--model',
    STORIES,
    '--data',
    SHARED_MMLU,
    '--subjects',
    'anatomy',
    '--limit',
    '4',
    '--output-dir',
    local,
  );
  assert.equal(l.code, 0, l.stderr);
  for (const [k, s] of readSamples(local)) assert.deepEqual(readSamples(out).get(k)!.loglikelihoods, s.loglikelihoods);
  // A cached file changed on disk is caught and downloaded again.
  const cached = join(
    cache,
    'hub',
    new URL(hub.url).host.replace(/[^\w.-]/g, '_'),
    'test-org/main/stories260K/onnx/model.onnx',
  );
  const b = readFileSync(cached);
  b[100]! ^= 1;
  writeFileSync(cached, b);
  const again = await run(cache, 'test-org/stories260K', tmp('pb-dl-out-'));
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stderr,
    /onnx\/model\.onnx: the cached copy does not match the hub's listing; downloading it again/,
  );
  assert.equal(sha(cached), graph);
});

test('a corrupt hub file: one error line naming it, nothing scored, nothing kept', async () => {
  const cache = tmp('pb-cache-');
  const out = tmp('pb-dl-out-');
  const r = await run(cache, 'test-org/corrupt', out);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^pagebench: error: onnx\/model\.onnx: the download has sha256 [0-9a-f]{12}… where the hub lists [0-9a-f]{12}…; nothing was loaded\n$/,
  );
  assert.equal(existsSync(join(out, 'results.json')), false);
  const dir = join(cache, 'hub', new URL(hub.url).host.replace(/[^\w.-]/g, '_'), 'test-org/main/corrupt/onnx');
  assert.equal(existsSync(join(dir, 'model.onnx')), false);
  assert.equal(existsSync(join(dir, 'model.onnx.part')), false);
});

test('a download cut halfway resumes with a Range request on the next run and verifies', async () => {
  const cache = tmp('pb-cache-');
  const first = await run(cache, 'test-org/flaky', tmp('pb-dl-out-'));
  assert.equal(first.code, 1);
  assert.match(
    first.stderr,
    /onnx\/model\.onnx: the (download was cut after|download ended after) \d+ of \d+ bytes.*run again to resume/,
  );
  const part = join(
    cache,
    'hub',
    new URL(hub.url).host.replace(/[^\w.-]/g, '_'),
    'test-org/main/flaky/onnx/model.onnx.part',
  );
  const have = statSync(part).size;
  assert.ok(have > 0 && have < statSync(join(STORIES, 'onnx/model.onnx')).size);
  const out = tmp('pb-dl-out-');
  const second = await run(cache, 'test-org/flaky', out);
  assert.equal(second.code, 0, second.stderr);
  assert.ok(
    ranges.some((r) => r.includes('/test-org/flaky/') && r.endsWith(`bytes=${have}-`)),
    ranges.join('\n'),
  );
  assert.equal(
    JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).config.model_sha256,
    sha(join(STORIES, 'onnx/model.onnx')),
  );
});

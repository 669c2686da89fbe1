/**
 * npm run mirror — a local mirror of the Hugging Face hub's URL layout, for a machine without
 * internet, behind a firewall, or a classroom: models and MMLU served from a folder on this
 * machine, and the page opened with ?hub=<mirror URL> uses it with nothing else to set.
 *
 *   npm run mirror -- --model ../shared/models/stories260K --data ../shared/mmlu [--out mirror]
 *                     [--port 8080] [--no-serve]
 *
 * --model <dir>[=owner/name] (repeatable): a transformers.js model folder (config.json,
 * tokenizer.json, onnx/); listed in the mirror's index, so the page offers it first.
 * --data <dir>: MMLU in the original release layout ({dev,val,test}/<subject>_<split>.csv),
 * converted to cais/mmlu's parquet layout.
 * --truthfulqa <dir>: TruthfulQA's mc_task.json (../shared/truthfulqa), as truthfulqa/truthful_qa's
 * multiple_choice parquet (the rows the hub builds from that file).
 * --gsm8k <dir>: GSM8K's train.jsonl and test.jsonl (../shared/gsm8k), as openai/gsm8k's main parquet.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildMirror, serveStatic } from '../src/node/hubMirror.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true, default: [] },
    data: { type: 'string' },
    truthfulqa: { type: 'string' },
    gsm8k: { type: 'string' },
    out: { type: 'string', default: 'mirror' },
    port: { type: 'string', default: '8080' },
    'no-serve': { type: 'boolean', default: false },
  },
});

function fail(msg: string): never {
  process.stderr.write(`mirror: error: ${msg}\n`);
  process.exit(1);
}

const out = resolve(values.out!);
try {
  const built = buildMirror(out, values.model!, values.data, values.truthfulqa, values.gsm8k);
  for (const id of built.models) process.stdout.write(`model ${id}\n`);
  if (values.data) process.stdout.write(`dataset cais/mmlu <- ${values.data} (${built.subjects.length} subjects)\n`);
  if (values.truthfulqa)
    process.stdout.write(`dataset truthfulqa/truthful_qa <- ${values.truthfulqa} (${built.truthfulqa} questions)\n`);
  if (values.gsm8k) process.stdout.write(`dataset openai/gsm8k <- ${values.gsm8k} (${built.gsm8k} test questions)\n`);
} catch (e) {
  fail((e as Error).message);
}
process.stdout.write(`mirror written to ${out}\n`);
if (!values['no-serve']) {
  const { url } = await serveStatic(out, { port: Number(values.port) });
  process.stdout.write(
    `serving ${url}\nopen the app with ?hub=${encodeURIComponent(url)} (e.g. http://127.0.0.1:5173/?hub=${encodeURIComponent(url)}); Ctrl-C stops\n`,
  );
}

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
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mirrorMmlu, mirrorModel, serveStatic } from './hubMirror.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true, default: [] },
    data: { type: 'string' },
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
mkdirSync(out, { recursive: true });
for (const arg of values.model!) {
  const [dir, id] = arg.split('=') as [string, string | undefined];
  if (!existsSync(resolve(dir, 'config.json'))) fail(`${dir} is not a model folder: it has no config.json`);
  const hubId = id ?? `local-mirror/${basename(resolve(dir))}`;
  if (!/^[\w.-]+\/[\w.-]+$/.test(hubId)) fail(`"${hubId}" is not a hub id (owner/name)`);
  mirrorModel(out, resolve(dir), hubId, basename(hubId));
  process.stdout.write(`model ${hubId} <- ${dir}\n`);
}
if (values.data) {
  const test = resolve(values.data, 'test');
  if (!existsSync(test)) fail(`${values.data} has no test/ folder (expected the original release layout)`);
  const subjects = readdirSync(test)
    .map((f) => /^(.+)_test\.csv$/.exec(f)?.[1])
    .filter((s): s is string => !!s);
  mirrorMmlu(out, resolve(values.data), subjects);
  process.stdout.write(`dataset cais/mmlu <- ${values.data} (${subjects.length} subjects)\n`);
}
process.stdout.write(`mirror written to ${out}\n`);
if (!values['no-serve']) {
  const { url } = await serveStatic(out, { port: Number(values.port) });
  process.stdout.write(
    `serving ${url}\nopen the app with ?hub=${encodeURIComponent(url)} (e.g. http://127.0.0.1:5173/?hub=${encodeURIComponent(url)}); Ctrl-C stops\n`,
  );
}

/**
 * A local static mirror of the Hugging Face hub's URL layout, for tests and benchmarks (the hub
 * itself is unreachable here). Built at run time from ../shared into a temporary folder; never
 * committed. Models: <root>/<owner>/<name>/resolve/main/<file>; MMLU: <root>/datasets/cais/mmlu/
 * resolve/main/<subject>/<split>-00000-of-00001.parquet, converted from the original CSVs.
 */
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { basename, dirname, extname, join, normalize, resolve } from 'node:path';
import Papa from 'papaparse';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { modelListEntry, RealHub } from './realHub.ts';
import { mcTaskRows, type TruthfulQaRow } from '../core/benchmarks/truthfulqa/data.ts';
export { modelListEntry } from './realHub.ts';

const LETTER_INDEX: Record<string, bigint> = { A: 0n, B: 1n, C: 2n, D: 3n };

/** One original-layout CSV as cais/mmlu-shaped parquet bytes. */
export function csvToParquet(csv: string, subject: string): ArrayBuffer {
  const rows = Papa.parse<string[]>(csv.trimEnd(), { header: false }).data;
  return parquetWriteBuffer({
    columnData: [
      { name: 'question', data: rows.map((r) => r[0]) },
      { name: 'subject', data: rows.map(() => subject) },
      { name: 'choices', data: rows.map((r) => r.slice(1, 5)) },
      { name: 'answer', data: rows.map((r) => LETTER_INDEX[r[5]!.trim()] ?? -1n) },
    ],
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'question', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'subject', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'choices', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'answer', type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
  });
}

const HUB_SPLIT: Record<string, string> = { dev: 'dev', val: 'validation', test: 'test' };

/** Converts subjects of an original-layout MMLU folder into the mirror's dataset layout. */
export function mirrorMmlu(root: string, mmluDir: string, subjects: string[]): void {
  for (const subject of subjects) {
    for (const split of ['dev', 'val', 'test']) {
      const csv = join(mmluDir, split, `${subject}_${split}.csv`);
      if (!existsSync(csv)) continue;
      const out = join(root, 'datasets/cais/mmlu/resolve/main', subject, `${HUB_SPLIT[split]}-00000-of-00001.parquet`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, new Uint8Array(csvToParquet(readFileSync(csv, 'utf8'), subject)));
    }
  }
}

/** The hub's tree API entries for one folder of a repo: files (with lfs oid/size for weights) and folders. */
function treeListing(dir: string, prefix: string): unknown[] {
  return readdirSync(dir).map((name) => {
    const full = join(dir, name);
    const path = prefix + name;
    if (statSync(full).isDirectory()) return { type: 'directory', oid: '', size: 0, path };
    const size = statSync(full).size;
    if (!/\.onnx(_data)?$/.test(name)) return { type: 'file', oid: '', size, path };
    const oid = createHash('sha256').update(readFileSync(full)).digest('hex');
    return { type: 'file', oid: '', size, path, lfs: { oid, size, pointerSize: 134 } };
  });
}

/**
 * Copies a transformers.js model folder into the mirror under a hub id (owner/name), with the
 * hub's tree API listings of its root and onnx/ folder (`api/models/<id>/tree/main[/onnx]`, served
 * from index.json files) and an entry in the hub's model list (`api/models`), which the page asks
 * for the models a mirror offers.
 */
export function mirrorModel(root: string, modelDir: string, hubId: string): void {
  cpSync(modelDir, join(root, hubId, 'resolve/main'), { recursive: true });
  mirrorTreeApi(root, modelDir, hubId);
  addToModelList(root, hubId);
}

/** The hub's tree API listings of a model folder's root and onnx/ folder, under `hubId`. */
export function mirrorTreeApi(root: string, modelDir: string, hubId: string): void {
  const api = join(root, 'api/models', hubId, 'tree/main');
  mkdirSync(api, { recursive: true });
  writeFileSync(join(api, 'index.json'), JSON.stringify(treeListing(modelDir, '')));
  if (existsSync(join(modelDir, 'onnx'))) {
    mkdirSync(join(api, 'onnx'), { recursive: true });
    writeFileSync(join(api, 'onnx/index.json'), JSON.stringify(treeListing(join(modelDir, 'onnx'), 'onnx/')));
  }
}

/** The hub's model list of this mirror (`api/models`, served from its index.json whatever the query). */
function addToModelList(root: string, id: string): void {
  const file = join(root, 'api/models/index.json');
  const list = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { id: string }[]) : [];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify([...list.filter((m) => m.id !== id), modelListEntry(id)], null, 2));
}

const str = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
const strList = (name: string) => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

/** ARC rows as allenai/ai2_arc's parquet: id, question, choices {text: [..], label: [..]}, answerKey. */
export function arcParquet(rows: { id: string; question: string; choices: unknown; answerKey: string }[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'id', data: rows.map((r) => r.id) },
      { name: 'question', data: rows.map((r) => r.question) },
      { name: 'choices', data: rows.map((r) => r.choices) },
      { name: 'answerKey', data: rows.map((r) => r.answerKey) },
    ],
    schema: [
      { name: 'root', num_children: 4 },
      str('id'),
      str('question'),
      { name: 'choices', repetition_type: 'OPTIONAL', num_children: 2 },
      ...strList('text'),
      ...strList('label'),
      str('answerKey'),
    ] as never,
  });
}

const targets = (name: string) => [
  { name, repetition_type: 'OPTIONAL', num_children: 2 },
  ...strList('choices'),
  { name: 'labels', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'INT32', repetition_type: 'OPTIONAL' },
];

/** TruthfulQA rows as truthfulqa/truthful_qa's multiple_choice parquet: question, mc1_targets and mc2_targets {choices, labels}. */
export function truthfulqaParquet(rows: TruthfulQaRow[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'question', data: rows.map((r) => r.question) },
      { name: 'mc1_targets', data: rows.map((r) => r.mc1_targets) },
      { name: 'mc2_targets', data: rows.map((r) => r.mc2_targets) },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      str('question'),
      ...targets('mc1_targets'),
      ...targets('mc2_targets'),
    ] as never,
  });
}

/** Winogrande rows as allenai/winogrande's parquet: sentence, option1, option2, answer (all strings). */
export function winograndeParquet(rows: { sentence: string; option1: string; option2: string; answer: string }[]) {
  const cols = ['sentence', 'option1', 'option2', 'answer'] as const;
  return parquetWriteBuffer({
    columnData: cols.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    schema: [{ name: 'root', num_children: 4 }, ...cols.map(str)] as never,
  });
}

/** HellaSwag rows as Rowan/hellaswag's parquet, the columns its lm-eval task reads: activity_label, ctx_a, ctx_b, endings, label. */
export function hellaswagParquet(
  rows: { activity_label: string; ctx_a: string; ctx_b: string; endings: string[]; label: string }[],
): ArrayBuffer {
  const cols = ['activity_label', 'ctx_a', 'ctx_b', 'endings', 'label'] as const;
  return parquetWriteBuffer({
    columnData: cols.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    schema: [
      { name: 'root', num_children: 5 },
      str('activity_label'),
      str('ctx_a'),
      str('ctx_b'),
      ...strList('endings'),
      str('label'),
    ] as never,
  });
}

/** GSM8K rows as openai/gsm8k's main parquet: question, answer. */
export function gsm8kParquet(rows: { question: string; answer: string }[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: (['question', 'answer'] as const).map((name) => ({ name, data: rows.map((r) => r[name]) })),
    schema: [{ name: 'root', num_children: 2 }, str('question'), str('answer')] as never,
  });
}

/**
 * One parquet shard of a hub dataset's config and split, with the hub's parquet listing
 * (`api/datasets/<id>/parquet/<config>/<split>`: a JSON list of shard URLs, here root-relative).
 */
export function mirrorParquet(root: string, dataset: string, config: string, split: string, bytes: ArrayBuffer): void {
  const dir = join(root, 'api/datasets', dataset, 'parquet', config, split);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '0.parquet'), new Uint8Array(bytes));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify([`/api/datasets/${dataset}/parquet/${config}/${split}/0.parquet`]),
  );
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface ServeOptions {
  port?: number;
  /** Listen on this address (default 127.0.0.1; 0.0.0.0 for a classroom's devices). */
  host?: string;
  /** Further folders under a path prefix of their own (e.g. the hub mirror under /hub/ beside the page). */
  mounts?: { prefix: string; root: string }[];
  /** Extra response headers (e.g. the page's Content-Security-Policy). */
  headers?: Record<string, string>;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Send COOP/COEP (default true); false mimics a static host that cannot set headers. */
  isolate?: boolean;
  /** Serve the folder under this path (e.g. /pagebench/, GitHub Pages style). */
  prefix?: string;
  /** Fault injection (tests): what to do wrong for this request, decided per request. */
  fault?: (path: string, req: IncomingMessage) => Fault | undefined;
  /** Answer Range requests with 206 (default true); false mimics a server that cannot resume. */
  ranges?: boolean;
  /**
   * Answer as the real hub does, from nothing but the repositories' files (<owner>/<name>/resolve/main/):
   * the model list and the tree API computed per request (one level, `?recursive=true` for all),
   * and weights (LFS files) answered with a redirect to their content address carrying
   * X-Linked-Etag / X-Linked-Size. No file of pagebench's own is needed.
   */
  realHub?: boolean;
}

/** A fault the mirror injects into one response, as a flaky network or server would. */
export interface Fault {
  /** Answer with this status and no body (e.g. 500, 416). */
  status?: number;
  /** Declare the full length, send this many bytes of the body, then cut the connection. */
  cutAfter?: number;
  /** Declare the full length, send this many bytes of the body, then send nothing more (a stalled connection). */
  stallAfter?: number;
  /** Send the byte at this offset of the file inverted (a corrupt transfer or mirror). */
  flipByteAt?: number;
  /** Send at most this many bytes per second (a slow connection). */
  bytesPerSecond?: number;
  /** Answer a Range request with the whole file (200), as a server that cannot resume does. */
  ignoreRange?: boolean;
}

/** Writes bytes [start, end] of a file to the response, applying a fault's cut, flipped byte and pace. */
async function sendBody(res: ServerResponse, file: string, start: number, end: number, fault?: Fault) {
  const piece = fault?.bytesPerSecond ? Math.max(1024, Math.min(64 * 1024, fault.bytesPerSecond >> 3)) : 64 * 1024;
  let pos = start;
  let sent = 0;
  for await (const chunk of createReadStream(file, { start, end, highWaterMark: piece })) {
    if (res.destroyed) return;
    let c = chunk as Buffer;
    if (fault?.flipByteAt !== undefined && fault.flipByteAt >= pos && fault.flipByteAt < pos + c.length) {
      c = Buffer.from(c);
      c[fault.flipByteAt - pos]! ^= 0xff;
    }
    if (fault?.cutAfter !== undefined && sent + c.length >= fault.cutAfter) {
      res.write(c.subarray(0, fault.cutAfter - sent), () => res.destroy());
      return;
    }
    if (fault?.stallAfter !== undefined && sent + c.length >= fault.stallAfter) {
      res.write(c.subarray(0, fault.stallAfter - sent));
      return; // the connection stays open and silent until the client gives up
    }
    // A client that went away never drains: stop waiting when the response closes.
    if (!res.write(c))
      await new Promise<void>((r) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          r();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    if (fault?.bytesPerSecond) await new Promise((r) => setTimeout(r, (1000 * c.length) / fault.bytesPerSecond!));
    pos += c.length;
    sent += c.length;
  }
  res.end();
}

/** Serves a folder on 127.0.0.1, with CORS (a page on another port may fetch from it). */
export async function serveStatic(
  root: string,
  opts: ServeOptions = {},
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const prefix = (opts.prefix ?? '/').replace(/\/*$/, '/');
  const realHub = opts.realHub ? new RealHub(root) : null;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let full: string;
    try {
      full = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    const mount = opts.mounts?.find((m) => full.startsWith(m.prefix.replace(/\/*$/, '/')));
    const headers: Record<string, string> = {
      ...(mount ? {} : opts.headers),
      'Access-Control-Allow-Origin': '*',
      // As the hub does: a page may read a partial response's range and the file's listed size.
      'Access-Control-Expose-Headers':
        'Content-Range, Accept-Ranges, Content-Length, ETag, X-Linked-Size, X-Linked-ETag',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      ...(opts.isolate === false
        ? {}
        : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }),
    };
    const base = mount ? mount.prefix.replace(/\/*$/, '/') : prefix;
    const dir = mount ? mount.root : root;
    if (!full.startsWith(base)) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    const path = '/' + full.slice(base.length);
    let file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir))) {
      res.writeHead(403).end();
      return;
    }
    const hub = !mount && realHub?.answer(path, new URL(req.url ?? '/', 'http://x').searchParams);
    if (hub && !hub.file) {
      res.writeHead(hub.status, {
        ...headers,
        ...(hub.json ? { 'Content-Type': 'application/json' } : {}),
        ...hub.headers,
      });
      res.end(hub.json ? JSON.stringify(hub.json) : undefined);
      return;
    }
    if (hub && hub.file) file = hub.file;
    // A folder answers with its index.json (the mirror's tree API listings) or index.html.
    if (existsSync(file) && statSync(file).isDirectory())
      file = existsSync(join(file, 'index.json')) ? join(file, 'index.json') : join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    const size = statSync(file).size;
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const fault = opts.fault?.(path, req);
    if (fault?.status) {
      res.writeHead(fault.status, headers).end();
      return;
    }
    // Range requests (bytes=start- or start-end), as the hub's CDN answers them: a download resumes.
    const range =
      opts.ranges === false || fault?.ignoreRange ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || end < start) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, {
        ...headers,
        'Content-Type': type,
        'Content-Length': end - start + 1,
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Accept-Ranges': 'bytes',
      });
    } else
      res.writeHead(200, {
        ...headers,
        'Content-Type': type,
        'Content-Length': size,
        ...(opts.ranges === false ? {} : { 'Accept-Ranges': 'bytes' }),
      });
    if (req.method === 'HEAD') res.end();
    else void sendBody(res, file, start, end, fault).catch(() => res.destroy());
  };
  const server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r);
  });
  const addr = server.address() as { port: number };
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${addr.port}${prefix.replace(/\/$/, '')}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A mirror folder from model folders (`dir` or `dir=owner/name`; listed in the mirror's index so
 * the page offers them first) and an MMLU folder in the original release layout. Throws naming
 * what is wrong with an argument.
 */
/** TruthfulQA's multiple_choice validation rows, from the original release's mc_task.json (a file or its folder). */
export function mirrorTruthfulqa(root: string, source: string): number {
  const file = existsSync(source) && statSync(source).isDirectory() ? join(source, 'mc_task.json') : source;
  if (!existsSync(file)) throw new Error(`${source}: no mc_task.json (TruthfulQA's original release file)`);
  const rows = mcTaskRows(readFileSync(file, 'utf8'), file);
  mirrorParquet(root, 'truthfulqa/truthful_qa', 'multiple_choice', 'validation', truthfulqaParquet(rows));
  return rows.length;
}

/** GSM8K's main config (train and test) from a folder of openai/gsm8k's JSON Lines (train.jsonl, test.jsonl). */
export function mirrorGsm8k(root: string, dir: string): number {
  let n = 0;
  for (const split of ['train', 'test']) {
    const file = join(dir, `${split}.jsonl`);
    if (!existsSync(file)) throw new Error(`${dir} has no ${split}.jsonl (openai/gsm8k's files)`);
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => {
        const r = JSON.parse(l) as { question?: unknown; answer?: unknown };
        if (typeof r.question !== 'string' || typeof r.answer !== 'string')
          throw new Error(`${file} row ${i + 1}: question and answer must be strings`);
        return { question: r.question, answer: r.answer };
      });
    mirrorParquet(root, 'openai/gsm8k', 'main', split, gsm8kParquet(rows));
    if (split === 'test') n = rows.length;
  }
  return n;
}

export function buildMirror(
  out: string,
  models: string[],
  data?: string,
  truthfulqa?: string,
  gsm8k?: string,
): { models: string[]; subjects: string[]; truthfulqa: number; gsm8k: number } {
  mkdirSync(out, { recursive: true });
  const ids: string[] = [];
  for (const arg of models) {
    const [dir, id] = arg.split('=') as [string, string | undefined];
    if (!existsSync(resolve(dir, 'config.json')))
      throw new Error(`${dir} is not a model folder: it has no config.json`);
    const hubId = id ?? `local-mirror/${basename(resolve(dir))}`;
    if (!/^[\w.-]+\/[\w.-]+$/.test(hubId)) throw new Error(`"${hubId}" is not a hub id (owner/name)`);
    mirrorModel(out, resolve(dir), hubId);
    ids.push(hubId);
  }
  let subjects: string[] = [];
  if (data) {
    const test = resolve(data, 'test');
    if (!existsSync(test)) throw new Error(`${data} has no test/ folder (expected the original release layout)`);
    subjects = readdirSync(test)
      .map((f) => /^(.+)_test\.csv$/.exec(f)?.[1])
      .filter((s): s is string => !!s);
    if (!subjects.length) throw new Error(`${test} holds no <subject>_test.csv files`);
    mirrorMmlu(out, resolve(data), subjects);
  }
  return {
    models: ids,
    subjects,
    truthfulqa: truthfulqa ? mirrorTruthfulqa(out, truthfulqa) : 0,
    gsm8k: gsm8k ? mirrorGsm8k(out, gsm8k) : 0,
  };
}

/**
 * A model mirrored under `hubId` whose served graph has one byte changed after the listing was
 * written: its sha256 is not the listed one (for tests of download verification).
 */
export function mirrorCorruptModel(root: string, modelDir: string, hubId: string): void {
  mirrorModel(root, modelDir, hubId);
  const served = join(root, hubId, 'resolve/main/onnx/model.onnx');
  const bytes = readFileSync(served);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(served, bytes);
}

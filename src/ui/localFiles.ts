import { parseMmluCsv, parseMmluParquet } from '../core/benchmarks/mmlu/parse.ts';
import { DataError, type Split } from '../core/benchmarks/mmlu/question.ts';
import { SUBJECTS } from '../core/benchmarks/mmlu/subjects.ts';
import { deleteGroup, type PagebenchDB } from '../storage/db.ts';
import { localDataKey, localRowsGroup, localRowsKey } from '../storage/localData.ts';
import type { Benchmark } from '../core/benchmarks/types.ts';
import { fewshotSplit } from '../core/benchmarks/fewshot.ts';
import type { RowSource } from '../core/benchmarks/rows.ts';
import { decodeUtf8 } from '../core/util/utf8.ts';

const MODEL_FILE =
  /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|onnx\/[^/]+\.onnx(_data)?)$/;

/** A file with its path inside the picked or dropped folder, top folder first ("model/onnx/model.onnx"). */
export interface PathedFile {
  path: string;
  file: File;
}

/** Files from an <input webkitdirectory>. */
export function pickedFiles(files: File[]): PathedFile[] {
  return files.map((f) => ({
    path: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name,
    file: f,
  }));
}

/** Files from a folder dropped on the page, read recursively through the entries API. */
export async function droppedFiles(items: DataTransferItemList): Promise<PathedFile[]> {
  const out: PathedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ path: prefix + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => !!e);
  for (const e of entries) await walk(e, '');
  return out;
}

/**
 * Stores a model folder from disk under a hub-like URL so transformers.js loads it through the
 * IndexedDB cache: `${hub}/local/<folder>/resolve/main/<path>`. Checks the layout first; stores
 * nothing for a folder that is not a transformers.js causal LM.
 */
export async function importModelFolder(db: PagebenchDB, hubUrl: string, files: PathedFile[]): Promise<string> {
  if (files.length === 0) throw new Error('no files in the chosen folder');
  const folder = files[0]!.path.includes('/') ? files[0]!.path.split('/')[0]! : 'model';
  const byPath = new Map(files.map((f) => [f.path.split('/').slice(1).join('/') || f.path, f.file]));
  const cfgFile = byPath.get('config.json');
  if (!cfgFile) throw new Error(`${folder} is not a model folder: it has no config.json`);
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(await cfgFile.text());
  } catch {
    throw new Error(`${folder}/config.json is not valid JSON`);
  }
  if (typeof cfg.model_type !== 'string')
    throw new Error(`${folder}/config.json has no model_type: not a transformers model config`);
  if (!byPath.has('tokenizer.json')) throw new Error(`${folder} has no tokenizer.json`);
  if (![...byPath.keys()].some((p) => /^onnx\/model[^/]*\.onnx$/.test(p)))
    throw new Error(`${folder} has no onnx/model*.onnx (transformers.js layout)`);
  const id = `local/${folder}`;
  const base = `${hubUrl.replace(/\/+$/, '')}/${id}/resolve/main/`;
  await deleteGroup(db, id);
  for (const [path, f] of byPath) {
    if (!MODEL_FILE.test(path)) continue;
    const bytes = await f.arrayBuffer();
    await db.put('files', {
      url: base + path,
      kind: 'model',
      group: id,
      size: bytes.byteLength,
      bytes,
      storedAt: Date.now(),
    });
  }
  return id;
}

export const LOCAL_DATA_GROUP = 'local-mmlu';

const HUB_SPLITS: Record<string, Split> = { dev: 'dev', validation: 'val', test: 'test' };
// Folders of a downloaded cais/mmlu snapshot that are not subjects.
const CAIS_EXTRAS = new Set(['all', 'auxiliary_train']);

interface CheckedFile {
  key: string;
  bytes: ArrayBuffer;
  subject: string;
}

async function checkCsv(name: string, file: File, known: Set<string>): Promise<CheckedFile> {
  const m = /^(.+)_(dev|val|test)\.csv$/.exec(name);
  if (!m) throw new DataError(`${name}: not an MMLU file name (expected <subject>_<dev|val|test>.csv)`);
  const [, subject, split] = m as unknown as [string, string, Split];
  if (!known.has(subject)) throw new DataError(`${name}: unknown MMLU subject "${subject}"`);
  const text = decodeUtf8(new Uint8Array(await file.arrayBuffer()), name);
  const { problems } = parseMmluCsv(text, name, subject, split);
  if (problems.length) {
    const first = problems.slice(0, 3).map((p) => `row ${p.row}: ${p.message}`);
    throw new DataError(`${name}: ${problems.length} bad row(s) — ${first.join('; ')}. Nothing was stored.`, problems);
  }
  const bytes = new TextEncoder().encode(text).buffer as ArrayBuffer;
  return { key: localDataKey(LOCAL_DATA_GROUP, split, subject, 'csv'), bytes, subject };
}

async function checkParquet(path: string, file: File, known: Set<string>): Promise<CheckedFile> {
  const parts = path.split('/');
  const subject = parts.at(-2) ?? '';
  const m = /^(dev|validation|test)-\d{5}-of-\d{5}\.parquet$/.exec(parts.at(-1)!);
  if (!m || !subject)
    throw new DataError(
      `${path}: not a cais/mmlu parquet path (expected <subject>/<dev|validation|test>-00000-of-00001.parquet)`,
    );
  if (!known.has(subject)) throw new DataError(`${path}: unknown MMLU subject "${subject}"`);
  const split = HUB_SPLITS[m[1]!]!;
  const bytes = await file.arrayBuffer();
  const { problems } = await parseMmluParquet(bytes, path, subject, split);
  if (problems.length) {
    const first = problems.slice(0, 3).map((p) => `row ${p.row}: ${p.message}`);
    throw new DataError(`${path}: ${problems.length} bad row(s) — ${first.join('; ')}. Nothing was stored.`, problems);
  }
  return { key: localDataKey(LOCAL_DATA_GROUP, split, subject, 'parquet'), bytes, subject };
}

/**
 * Checks dropped MMLU files — the original release's CSVs (<subject>_<split>.csv) or cais/mmlu's
 * parquet layout (<subject>/<split>-00000-of-00001.parquet, e.g. a downloaded snapshot folder) —
 * and stores them only if every one is valid: a bad row names its file and row and nothing is
 * stored. Other files of a snapshot (README, the all/ and auxiliary_train/ folders) are skipped.
 */
export async function importMmluFiles(db: PagebenchDB, files: PathedFile[]): Promise<string[]> {
  const known = new Set(SUBJECTS.map((s) => s.id));
  const checked: CheckedFile[] = [];
  for (const { path, file } of files) {
    const dirs = path.split('/').slice(0, -1);
    if (path.endsWith('.csv')) checked.push(await checkCsv(file.name, file, known));
    else if (path.endsWith('.parquet') && !dirs.some((d) => CAIS_EXTRAS.has(d)))
      checked.push(await checkParquet(path, file, known));
  }
  if (checked.length === 0)
    throw new DataError('no MMLU files among those given (expected <subject>_<split>.csv or cais/mmlu parquet)');
  for (const c of checked)
    await db.put('files', {
      url: c.key,
      kind: 'dataset',
      group: LOCAL_DATA_GROUP,
      size: c.bytes.byteLength,
      bytes: c.bytes,
      storedAt: Date.now(),
    });
  return [...new Set(checked.map((c) => c.subject))];
}

/** `<config>/<split>.parquet|.jsonl` or `<config>/<split>-NNNNN-of-NNNNN.parquet` (the hub's layouts). */
const ROW_FILE = /(?:^|\/)([^/]+)\/([A-Za-z]+)(-\d{5}-of-\d{5})?\.(parquet|jsonl)$/;

/**
 * A local copy of a benchmark's dataset (not MMLU: its own importer is above), picked as a folder in
 * the hub's layouts. Every file is read and every row checked the way a run loads them (the
 * benchmark's own loader) before anything is stored; a bad row names file and row and nothing is stored.
 */
export async function importBenchmarkFiles(
  db: PagebenchDB,
  benchmark: Benchmark,
  files: PathedFile[],
): Promise<string> {
  const picked = files
    .map((f) => ({ f, m: ROW_FILE.exec(f.path) }))
    .filter((x): x is { f: PathedFile; m: RegExpExecArray } => x.m !== null);
  if (picked.length === 0)
    throw new DataError(
      `no ${benchmark.label} files among those given (expected <config>/<split>.parquet or .jsonl, or <config>/<split>-00000-of-NNNNN.parquet)`,
    );
  const staged = new Map<string, { path: string; bytes: ArrayBuffer; format: 'parquet' | 'jsonl' }>();
  for (const { f, m } of picked) {
    const [, config, split, shard, format] = m as unknown as [
      string,
      string,
      string,
      string | undefined,
      'parquet' | 'jsonl',
    ];
    staged.set(localRowsKey(benchmark.dataset, config, split, `${shard ?? '-00000-of-00001'}.${format}`), {
      path: f.path,
      bytes: await f.file.arrayBuffer(),
      format,
    });
  }
  // Check with the benchmark's loader over the staged files, as a run would read them.
  const staging: RowSource = {
    description: 'your files',
    async files(dataset, config, split) {
      const prefix = localRowsKey(dataset, config, split, '');
      const keys = [...staged.keys()].filter((k) => k.startsWith(prefix)).sort();
      if (keys.length === 0) throw new DataError(`your files have no ${config}/${split} of ${dataset}`);
      return keys.map((k) => ({
        name: staged.get(k)!.path,
        format: staged.get(k)!.format,
        bytes: new Uint8Array(staged.get(k)!.bytes),
      }));
    },
  };
  const splits = new Set([...staged.keys()].map((k) => k.split('/').at(-2)!));
  const evalSplit = benchmark.splits.find((s) => splits.has(s));
  if (!evalSplit)
    throw new DataError(
      `your ${benchmark.label} files have none of its evaluation splits (${benchmark.splits.join(', ')})`,
    );
  const noMmlu = { description: '', fetchFile: () => Promise.reject(new DataError('MMLU is not part of these files')) };
  const configs = new Set([...staged.keys()].map((k) => k.split('/').at(-3)!));
  const subsets = benchmark.subsets.filter((sub) => configs.has(benchmark.datasetName(sub) ?? 'default'));
  if (subsets.length === 0)
    throw new DataError(`your files hold no ${benchmark.label} config (found ${[...configs].join(', ')})`);
  for (const subset of subsets)
    await benchmark.load(
      { mmlu: noMmlu, rows: staging },
      subset,
      evalSplit,
      splits.has(fewshotSplit(benchmark)) ? 1 : 0,
    );
  await deleteGroup(db, localRowsGroup(benchmark.dataset));
  for (const [key, { bytes }] of staged)
    await db.put('files', {
      url: key,
      kind: 'dataset',
      group: localRowsGroup(benchmark.dataset),
      size: bytes.byteLength,
      bytes,
      storedAt: Date.now(),
    });
  return evalSplit;
}

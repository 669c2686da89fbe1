import { parseMmluCsv } from '../core/mmlu/parse.ts';
import { DataError, type Split } from '../core/mmlu/question.ts';
import { SUBJECTS } from '../core/mmlu/subjects.ts';
import { deleteGroup, type PagebenchDB } from '../storage/db.ts';
import { localDataKey } from '../storage/localData.ts';

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

/**
 * Checks dropped MMLU CSVs (original layout names, <subject>_<split>.csv) and stores them only if
 * every file is valid; a bad row names its file and row and nothing is stored.
 */
export async function importMmluCsvs(db: PagebenchDB, files: File[]): Promise<string[]> {
  const known = new Set(SUBJECTS.map((s) => s.id));
  const parsed: { key: string; bytes: ArrayBuffer; subject: string; split: Split }[] = [];
  for (const f of files) {
    const m = /^(.+)_(dev|val|test)\.csv$/.exec(f.name);
    if (!m) throw new DataError(`${f.name}: not an MMLU file name (expected <subject>_<dev|val|test>.csv)`);
    const [, subject, split] = m as unknown as [string, string, Split];
    if (!known.has(subject)) throw new DataError(`${f.name}: unknown MMLU subject "${subject}"`);
    const text = await f.text();
    const { problems } = parseMmluCsv(text, f.name, subject, split);
    if (problems.length) {
      const first = problems.slice(0, 3).map((p) => `row ${p.row}: ${p.message}`);
      throw new DataError(
        `${f.name}: ${problems.length} bad row(s) — ${first.join('; ')}. Nothing was stored.`,
        problems,
      );
    }
    parsed.push({
      key: localDataKey(LOCAL_DATA_GROUP, split, subject),
      bytes: new TextEncoder().encode(text).buffer as ArrayBuffer,
      subject,
      split,
    });
  }
  for (const p of parsed)
    await db.put('files', {
      url: p.key,
      kind: 'dataset',
      group: LOCAL_DATA_GROUP,
      size: p.bytes.byteLength,
      bytes: p.bytes,
      storedAt: Date.now(),
    });
  return [...new Set(parsed.map((p) => p.subject))];
}

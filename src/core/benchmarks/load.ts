import { DataError, type Doc, type RowProblem, type SubjectData } from './doc.ts';
import { readRows, type Row, type RowSource } from './rows.ts';

/** A raw row as a document, or the reason it is not one. */
export type ToDoc = (row: Row, index: number) => Omit<Doc, 'subject' | 'split' | 'docId'> | string;

/** All rows of a config's split (every shard, in order) as documents; any bad row fails the load. */
export async function loadDocs(
  src: RowSource,
  dataset: string,
  config: string,
  split: string,
  subject: string,
  toDoc: ToDoc,
): Promise<Doc[]> {
  const docs: Doc[] = [];
  const problems: RowProblem[] = [];
  for (const f of await src.files(dataset, config, split)) {
    const { rows, problems: bad } = await readRows(f);
    problems.push(...bad);
    rows.forEach((row, i) => {
      const d = toDoc(row, i);
      if (typeof d === 'string') problems.push({ file: f.name, row: i + 1, message: d });
      else docs.push({ ...d, subject, split, docId: docs.length });
    });
  }
  if (problems.length) {
    const shown = problems.slice(0, 5).map((p) => `${p.file} row ${p.row}: ${p.message}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new DataError(`malformed ${dataset} data: ${shown.join('; ')}${more}`, problems);
  }
  return docs;
}

/** Eval docs and (when shots are asked for) the few-shot pool of a hub dataset's config. */
export async function loadSubset(
  src: RowSource,
  opts: { dataset: string; config: string; split: string; fewshotSplit: string; subject: string; shots: number },
  toDoc: ToDoc,
): Promise<SubjectData> {
  const questions = await loadDocs(src, opts.dataset, opts.config, opts.split, opts.subject, toDoc);
  const dev =
    opts.shots > 0 ? await loadDocs(src, opts.dataset, opts.config, opts.fewshotSplit, opts.subject, toDoc) : [];
  return { subject: opts.subject, questions, dev };
}

export const str = (v: unknown): v is string => typeof v === 'string';

import { DataError, type Split } from './question.ts';
import type { SubjectData } from '../doc.ts';

export type { SubjectData };
import { loadSplit, type DataSource } from './source.ts';

/** Loads a subject's evaluation split and dev split; any bad row fails the load, naming file and row. */
export async function loadSubjectData(source: DataSource, subject: string, split: Split): Promise<SubjectData> {
  const [main, dev] = await Promise.all([loadSplit(source, subject, split), loadSplit(source, subject, 'dev')]);
  const problems = [...main.problems, ...dev.problems];
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `${p.file} row ${p.row}: ${p.message}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new DataError(`malformed MMLU data: ${shown.join('; ')}${more}`, problems);
  }
  return { subject, questions: main.questions, dev: dev.questions };
}

/** Several subjects (MMLU's own loaders, for tests and the speed benchmark). */
export async function loadAll(source: DataSource, subjects: string[], split: Split): Promise<SubjectData[]> {
  const out: SubjectData[] = [];
  for (const s of subjects) out.push(await loadSubjectData(source, s, split));
  return out;
}

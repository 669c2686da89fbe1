import { DataError, type Question, type Split } from './mmlu/question.ts';
import { loadSplit, type DataSource } from './mmlu/source.ts';

export interface SubjectData {
  subject: string;
  questions: Question[];
  /** The few-shot split (dev), in file order. */
  dev: Question[];
}

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

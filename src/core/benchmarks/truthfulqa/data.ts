/**
 * TruthfulQA's multiple-choice data as the hub's `truthfulqa/truthful_qa` `multiple_choice` config
 * holds it, built from the original release's mc_task.json the way the hub's builder did
 * (datasets/truthful_qa/truthful_qa.py): `choices` are each target dict's keys in file order,
 * `labels` its values. So a local copy of mc_task.json gives the same rows, in the same order, as
 * the hub's parquet.
 */
import { DataError, type RowProblem } from '../doc.ts';

export interface McTargets {
  choices: string[];
  labels: number[];
}

/** One row of the `multiple_choice` config (validation split). */
export interface TruthfulQaRow {
  question: string;
  mc1_targets: McTargets;
  mc2_targets: McTargets;
}

// A JavaScript object lists integer-like keys first, in numeric order; Python's dict keeps file
// order. No choice in the release is such a text; one that were would change the choices' order.
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,9})$/;

function targets(v: unknown, name: string): McTargets | string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `${name} is not an object of choice → label`;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length < 2) return `${name} has fewer than 2 choices`;
  const numeric = entries.find(([k]) => ARRAY_INDEX.test(k) && Number(k) <= 4294967294);
  if (numeric) return `${name} has the choice "${numeric[0]}", whose file order JavaScript cannot keep`;
  const bad = entries.find(([, l]) => l !== 0 && l !== 1);
  if (bad) return `${name}: the label of "${bad[0].slice(0, 40)}" is ${JSON.stringify(bad[1])}, not 0 or 1`;
  if (!entries.some(([, l]) => l === 1)) return `${name} has no true choice (label 1)`;
  return { choices: entries.map(([k]) => k), labels: entries.map(([, l]) => l as number) };
}

/** What lm-eval cannot score in a row whose targets are well-formed, or null. */
export function rowProblem(mc1: McTargets, mc2: McTargets): string | null {
  if (!mc2.labels.includes(0)) return 'mc2_targets has no false choice (label 0)';
  if (!mc2.labels.includes(1)) return 'mc2_targets has no true choice (label 1)';
  if (mc1.labels[0] !== 1 || mc1.labels.slice(1).some((l) => l !== 0))
    return 'mc1_targets must have its one true choice first (lm-eval scores choice 0 as the answer)';
  return null;
}

/** Rows of mc_task.json; any malformed row fails the whole file, naming each (rows count from 1). */
export function mcTaskRows(text: string, file: string): TruthfulQaRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file} is not JSON text (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new DataError(`${file} is not a list of questions (TruthfulQA's mc_task.json)`);
  const rows: TruthfulQaRow[] = [];
  const problems: RowProblem[] = [];
  data.forEach((r: unknown, i) => {
    const row = (r ?? {}) as Record<string, unknown>;
    const mc1 = targets(row.mc1_targets, 'mc1_targets');
    const mc2 = targets(row.mc2_targets, 'mc2_targets');
    const message =
      typeof row.question !== 'string' || row.question === ''
        ? 'question missing'
        : typeof mc1 === 'string'
          ? mc1
          : typeof mc2 === 'string'
            ? mc2
            : rowProblem(mc1, mc2);
    if (message) problems.push({ file, row: i + 1, message });
    else rows.push({ question: row.question as string, mc1_targets: mc1 as McTargets, mc2_targets: mc2 as McTargets });
  });
  if (problems.length)
    throw new DataError(
      `${file}: ${problems.length} malformed row${problems.length === 1 ? '' : 's'}, first row ${problems[0]!.row}: ${problems[0]!.message}`,
      problems,
    );
  return rows;
}

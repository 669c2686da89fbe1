import { samplesJsonl } from '../core/report/results.ts';
import { MergeError, mergeParts } from '../core/report/merge.ts';
import { validateResults } from '../core/report/validate.ts';
import { readRunOutput } from '../node/runDir.ts';
import { StagedOutput } from '../node/outputDir.ts';
import { parseCommandLine, UsageError } from './usage.ts';

export const MERGE_HELP = `Usage: pagebench merge <part dir>… --output-dir <dir> [--allow-partial]

Merges the outputs of a split run (pagebench run --part i/n, or parts saved from the page) into the
results.json and samples a single run over all the questions writes. Parts must share every
setting that can change a number (model and revision, dtype, template, shots, BOS, generation
settings, data, engine version); each part must be complete and given once. Parts that ran on
different devices, runtimes or threads are merged, listed in config.parts and flagged in
config.environment_differs.

Options:
  --output-dir <dir>   where results.json and samples_<subject>.jsonl are written
  --allow-partial      write a result from the parts given, marked partial (config.partial), when some are missing
`;

export async function mergeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { 'output-dir': { type: 'string' }, 'allow-partial': { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length === 0) throw new UsageError('give the part folders to merge');
  if (!values['output-dir']) throw new UsageError('--output-dir is required');
  const parts = positionals.map(readRunOutput);
  let merged;
  try {
    merged = mergeParts(parts, { allowPartial: values['allow-partial'] });
  } catch (e) {
    if (e instanceof MergeError) throw new Error(`cannot merge: ${e.message}`);
    throw e;
  }
  validateResults(merged.results);
  const out = new StagedOutput(values['output-dir']);
  try {
    const subjects = [...new Set(merged.samples.map((s) => s.subject))];
    for (const subject of subjects)
      out.write(`samples_${subject}.jsonl`, samplesJsonl(merged.samples.filter((s) => s.subject === subject)));
    out.write('results.json', JSON.stringify(merged.results, null, 2) + '\n');
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  const flags = merged.environmentDiffers.length
    ? `; parts differ in environment (${merged.environmentDiffers.join(', ')}): listed in config.parts`
    : '';
  const missing = merged.missing.length ? `; PARTIAL: parts ${merged.missing.join(', ')} missing` : '';
  process.stderr.write(
    `merged ${parts.length} parts, ${merged.samples.length} questions${missing}${flags}; wrote ${values['output-dir']}\n`,
  );
  return 0;
}

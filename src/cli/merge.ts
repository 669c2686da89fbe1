import { samplesJsonl } from '../core/report/results.ts';
import { MergeError, mergeParts } from '../core/report/merge.ts';
import { validateResults } from '../core/report/validate.ts';
import { readRunOutput } from '../node/runDir.ts';
import { StagedOutput } from '../node/outputDir.ts';
import { parseCommandLine, UsageError } from './usage.ts';

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

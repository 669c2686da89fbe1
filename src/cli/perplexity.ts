import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_HUB_URL } from '../core/benchmarks/mmlu/source.ts';
import { LATEST_LM_EVAL, LM_EVAL_RELEASES } from '../core/lmEvalReleases.ts';
import { probeText, type TextProbe } from '../core/inspect/textProbe.ts';
import { perplexityMetrics } from '../core/report/perplexity.ts';
import type { Dtype } from '../core/runtime/causalLm.ts';
import { BOS_POLICIES, type BosPolicy } from '../core/scoring/requests.ts';
import { decodeUtf8 } from '../core/util/utf8.ts';
import { loadCliModel, resolveModelArg } from '../node/modelSource.ts';
import { oneOf, parseCommandLine, UsageError } from './usage.ts';

const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

/**
 * `pagebench perplexity`: each --text-file a document, scored as lm-eval's loglikelihood_rolling
 * tasks score theirs (wikitext: word_perplexity, byte_perplexity, bits_per_byte), with the
 * model's next tokens after each.
 */
export async function perplexityCommand(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, {
    model: { type: 'string' },
    revision: { type: 'string' },
    'hub-url': { type: 'string' },
    'text-file': { type: 'string', multiple: true },
    dtype: { type: 'string', default: 'fp32' },
    bos: { type: 'string', default: 'lm-eval' },
    'lm-eval': { type: 'string', default: LATEST_LM_EVAL },
    'top-k': { type: 'string', default: '10' },
    tokens: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!values.model) throw new UsageError('--model is required');
  if (!values['text-file']?.length)
    throw new UsageError('--text-file is required (a UTF-8 text file; repeat for several documents)');
  if (!/^\d+$/.test(values['top-k']!))
    throw new UsageError(`--top-k must be a non-negative integer, got "${values['top-k']}"`);
  const topK = Number(values['top-k']);
  const dtype = oneOf('dtype', values.dtype!, DTYPES);
  const bos = oneOf<BosPolicy>('bos', values.bos!, BOS_POLICIES);
  const lmEval = oneOf(
    'lm-eval',
    values['lm-eval']!,
    LM_EVAL_RELEASES.map((r) => r.version),
  );
  // Every file is read (and refused if it is not UTF-8 or is empty) before the model loads.
  const docs = values['text-file'].map((file) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new UsageError(
        `--text-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    const text = decodeUtf8(bytes, file);
    if (text.length === 0)
      throw new UsageError(`--text-file ${file} is empty: perplexity needs at least one character`);
    return { file, text };
  });
  const hubUrl = values['hub-url'] ?? process.env.PAGEBENCH_HUB_URL ?? DEFAULT_HUB_URL;
  const source = resolveModelArg(values.model, hubUrl, values.revision);
  const { model } = await loadCliModel(source, hubUrl, dtype, 'auto', (m) => process.stderr.write(`${m}\n`));
  const probes: { file: string; probe: TextProbe }[] = [];
  for (const d of docs) {
    probes.push({
      file: d.file,
      probe: await probeText(model, d.text, { bos, lmEval, topK, pieces: values.tokens || !values.json }),
    });
  }
  await model.dispose();
  const results = perplexityMetrics(probes.map((p) => p.probe.document));
  const out = {
    model: source.localDir ? values.model : source.id,
    dtype,
    device: 'cpu',
    lm_eval_version: lmEval,
    bos: probes[0]!.probe.bos,
    prefix_token_id: probes[0]!.probe.prefixToken,
    max_length: model.maxLength,
    results,
    documents: probes.map(({ file, probe }) => ({
      file,
      tokens: probe.tokens.length,
      windows: probe.windows,
      ...probe.document,
      ...perplexityMetrics([probe.document]),
      next: probe.next,
      ...(values.tokens ? { token_logprobs: probe.tokens } : {}),
    })),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const lines = [
    `${out.model} (${dtype}, cpu): window ${model.maxLength} tokens, BOS ${out.bos} (lm-eval ${lmEval}), first token conditioned on id ${out.prefix_token_id}`,
  ];
  for (const d of out.documents)
    lines.push(
      `${basename(d.file)}: ${d.tokens} tokens in ${d.windows} window${d.windows === 1 ? '' : 's'}, ${d.words} words, ${d.bytes} bytes, loglikelihood ${d.loglikelihood.toFixed(4)}`,
      `  next: ${d.next.map((t) => `${JSON.stringify(t.piece)} ${(Math.exp(t.logprob) * 100).toFixed(1)}%`).join(', ')}`,
    );
  lines.push(
    `word_perplexity  ${results.word_perplexity.toFixed(4)}`,
    `byte_perplexity  ${results.byte_perplexity.toFixed(4)}`,
    `bits_per_byte    ${results.bits_per_byte.toFixed(4)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

import type { SamplerSpec } from '../templates/build.ts';
import type { Benchmark } from './types.ts';

/** The split the few-shot pool comes from, as lm-eval's Task.fewshot_docs picks it from the YAML's splits. */
export function fewshotSplit(b: Pick<Benchmark, 'lmEvalSplits'>): string {
  const s = b.lmEvalSplits;
  const split = s.fewshot ?? s.training ?? s.validation ?? s.test;
  if (split === null) throw new Error('a benchmark needs at least one split');
  return split;
}

/**
 * The sampler a benchmark's run uses: its kind and seed, and lm-eval's k+1 rule — the default
 * sampler gets the evaluated document (and so draws k+1) when `fewshot_split == test_split`,
 * compared as the YAML writes them (None == None for HellaSwag). FirstNSampler ignores it.
 */
export function samplerSpec(b: Pick<Benchmark, 'lmEvalSplits' | 'fewshot'>): SamplerSpec {
  const { sampler, seed } = b.fewshot;
  return {
    sampler,
    ...(seed !== undefined ? { seed } : {}),
    ...(sampler === 'random' && b.lmEvalSplits.fewshot === b.lmEvalSplits.test ? { excludeEvalDoc: true } : {}),
  };
}

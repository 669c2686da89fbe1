/**
 * The fast path (prefix KV reuse, one shared pass per question, batched continuations, several
 * questions per pass, num_logits_to_keep) and the harness path give the plain path's numbers,
 * across templates, shot counts, truncated inputs and both tokenizers (stories260K's
 * SentencePiece, where " A" is two tokens; GPT-2's BPE on a random-weight model exported with
 * num_logits_to_keep, without it, and without it but rewritten at load time to have it).
 */
import '../../src/node/runtime.ts';
import { loadAll } from '../../src/core/benchmarks/mmlu/data.ts';
import { resolveSubjects } from '../../src/core/benchmarks/mmlu/subjects.ts';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type EvalSettings, type Sample } from '../../src/core/evaluate.ts';
import type { SubjectData } from '../../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import type { ScorerMode } from '../../src/core/scoring/scorer.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import { makeSyntheticModel } from '../support/syntheticModel.ts';

const SUBJECTS = ['anatomy', 'high_school_us_history', 'abstract_algebra'];
let data: SubjectData[];
before(async () => {
  data = await loadAll(localDataSource(SHARED_MMLU), SUBJECTS, 'test');
});

async function run(
  model: CausalLM,
  scorer: ScorerMode,
  template: string,
  shots: number,
  limit: number,
  subjects = SUBJECTS,
  batchSize = 1,
) {
  const settings: EvalSettings = {
    subjects,
    split: 'test',
    shots,
    template,
    limit,
    bos: 'tokenizer',
    scorer,
    batchSize,
  };
  return evaluate(
    model,
    data.filter((d) => subjects.includes(d.subject)),
    settings,
  );
}

function assertSame(a: Sample[], b: Sample[], what: string) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    for (let c = 0; c < a[i]!.loglikelihoods.length; c++) {
      const d = Math.abs(a[i]!.loglikelihoods[c]! - b[i]!.loglikelihoods[c]!);
      assert.ok(d < 1e-4, `${what}: ${a[i]!.subject}#${a[i]!.doc_id} choice ${c} differs by ${d}`);
    }
    assert.deepEqual(a[i]!.is_greedy, b[i]!.is_greedy, `${what}: is_greedy`);
    assert.equal(a[i]!.pred, b[i]!.pred, `${what}: pred`);
  }
}

const untruncatedCount = (xs: Sample[]) => xs.filter((s) => !s.truncated).length;

async function compareAll(model: CausalLM, name: string, expectTruncation: boolean, limit: number) {
  let truncated = 0;
  for (const template of ['lm-eval', 'cloze', 'original', 'helm-prompt']) {
    for (const shots of [0, 5]) {
      const what = `${name} ${template} ${shots}-shot`;
      const plain = await run(model, 'naive', template, shots, limit);
      const harness = await run(model, 'harness', template, shots, limit);
      const fast = await run(model, 'fast', template, shots, limit);
      // several questions per pass: left-padded segments on a repeated prefix cache
      const batched = await run(model, 'fast', template, shots, limit, SUBJECTS, 4);
      assertSame(plain.samples, harness.samples, `${what} harness`);
      assertSame(plain.samples, fast.samples, `${what} fast`);
      assertSame(plain.samples, batched.samples, `${what} fast, batch 4`);
      if (template === 'lm-eval' && untruncatedCount(plain.samples) > SUBJECTS.length)
        assert.ok(batched.scorerStats.forwardPasses < fast.scorerStats.forwardPasses, `${what}: batching saves passes`);
      truncated += plain.truncatedCount;
      const untruncated = plain.samples.filter((s) => !s.truncated).length;
      if (untruncated > 0 && template !== 'original')
        assert.ok(fast.scorerStats.prefixReuses > 0, `${what}: prefix reused (${JSON.stringify(fast.scorerStats)})`);
      assert.ok(fast.scorerStats.forwardPasses <= plain.scorerStats.forwardPasses, `${what}: fewer passes`);
    }
  }
  if (expectTruncation) assert.ok(truncated > 0, `${name}: some inputs truncated`);
}

test('stories260K (SentencePiece, multi-token letters, 512 window): fast == harness == plain', async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  await compareAll(model, 'stories260K', true, 3);
  // Letters: " B" is one token, " A" is "▁"+"A"; every choice's input is a prefix of ctx+"▁", so
  // after the subject's prefix there is one forward pass per question.
  const short = ['anatomy', 'abstract_algebra'];
  const fast = await run(model, 'fast', 'lm-eval', 0, 5, short);
  const plain = await run(model, 'naive', 'lm-eval', 0, 5, short);
  assert.equal(plain.truncatedCount, 0);
  assert.equal(plain.scorerStats.forwardPasses, 10 * 4);
  assert.equal(fast.scorerStats.forwardPasses, 2 + 10);
  // 4 questions per pass: per subject one pass of 4 and one of 1
  const batched = await run(model, 'fast', 'lm-eval', 0, 5, short, 4);
  assert.equal(batched.scorerStats.forwardPasses, 2 + 4);
  assertSame(plain.samples, batched.samples, 'stories260K batch 4');
  await model.dispose();
});

const VARIANTS = [
  { name: 'exported with num_logits_to_keep', keep: true, rewrites: 'auto' },
  { name: 'without num_logits_to_keep, rewritten at load time', keep: false, rewrites: 'auto' },
  { name: 'without num_logits_to_keep, as exported', keep: false, rewrites: 'none' },
] as const;

for (const v of VARIANTS) {
  test(`GPT-2 BPE random-weight model ${v.name}: fast == harness == plain`, async () => {
    const dir = makeSyntheticModel('tiny', v.keep);
    const model = await CausalLM.load(
      { id: 'tiny', localDir: dir },
      { dtype: 'fp32', device: 'cpu', rewrites: v.rewrites },
    );
    const rewritten = !v.keep && v.rewrites === 'auto';
    assert.equal(model.inputNames.includes('num_logits_to_keep'), v.keep || rewritten);
    assert.deepEqual(model.graphRewrites, rewritten ? ['logits-to-keep'] : []);
    await compareAll(model, `tiny-gpt2 (${v.name})`, true, 2);
    // single-token letters under GPT-2: one forward pass per question after the subject's prefix
    const fast = await run(model, 'fast', 'lm-eval', 5, 3, ['anatomy', 'abstract_algebra']);
    assert.equal(fast.truncatedCount, 0);
    assert.equal(fast.scorerStats.forwardPasses, 2 + 6);
    // the LM head sees only the rows read (1 per question, 1 per prefix) unless the graph cannot cut
    assert.equal(fast.scorerStats.logitRows, v.keep || rewritten ? 2 + 6 : fast.scorerStats.tokensComputed);
    await model.dispose();
  });
}

test('questions that share a reading passage continue from the previous question: fast == plain within 1e-4, in the run’s order', async () => {
  const dir = makeSyntheticModel('tiny', true);
  const model = await CausalLM.load({ id: 'tiny', localDir: dir }, { dtype: 'fp32', device: 'cpu' });
  const history = ['high_school_european_history', 'high_school_us_history', 'high_school_world_history'];
  const histData = await loadAll(localDataSource(SHARED_MMLU), history, 'test');
  const settings = (scorer: ScorerMode, shots: number): EvalSettings => ({
    subjects: history,
    split: 'test',
    shots,
    template: 'lm-eval',
    limit: 12,
    bos: 'tokenizer',
    scorer,
  });
  for (const shots of [0, 1]) {
    const plain = await evaluate(model, histData, settings('naive', shots));
    const fast = await evaluate(model, histData, settings('fast', shots));
    assert.equal(plain.samples.length, 36);
    // the run's order (subject, then document), whatever order the questions were scored in
    assert.deepEqual(
      fast.samples.map((s) => `${s.subject}#${s.doc_id}`),
      history.flatMap((h) => Array.from({ length: 12 }, (_, i) => `${h}#${i}`)),
    );
    assertSame(plain.samples, fast.samples, `history ${shots}-shot`);
    // Passages shared by several questions: each question after the first of its passage continues
    // from the one before instead of computing the passage again, saving at least MIN_CONTINUED (8)
    // tokens beyond the description each time.
    assert.ok(fast.scorerStats.continued >= 6, JSON.stringify(fast.scorerStats));
    if (shots === 0) {
      assert.equal(plain.truncatedCount, 0);
      const inputs = plain.samples.reduce((a, s) => a + s.input_tokens, 0);
      // what the description's reuse alone computes: each subject's prefix once, the rest of every prompt
      const { prefixTokens } = fast.scorerStats;
      const descriptionOnly = inputs - 12 * prefixTokens + prefixTokens;
      assert.ok(
        fast.scorerStats.tokensComputed <= descriptionOnly - 8 * fast.scorerStats.continued,
        `${fast.scorerStats.tokensComputed} computed, ${descriptionOnly} with the description alone`,
      );
    }
  }
  await model.dispose();
});

test("0-shot: every MMLU subject's description line is computed once and reused, equal to the plain path within 1e-4", async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const all = resolveSubjects('all');
  assert.equal(all.length, 57);
  const allData = await loadAll(localDataSource(SHARED_MMLU), all, 'test');
  const settings = (scorer: ScorerMode): EvalSettings => ({
    subjects: all,
    split: 'test',
    shots: 0,
    template: 'lm-eval',
    limit: 2,
    bos: 'tokenizer',
    scorer,
  });
  const plain = await evaluate(model, allData, settings('naive'));
  const fast = await evaluate(model, allData, settings('fast'));
  assert.equal(plain.samples.length, 114);
  assertSame(plain.samples, fast.samples, 'all subjects 0-shot');
  // One prefix pass per subject, over its description less the last token (which may merge with
  // the question's first): "The following are multiple choice questions (with answers) about …".
  // (History passages overflow stories260K's 512-token window even at 0 shots: those questions
  // take the plain path, as truncated inputs must.)
  const untruncated = plain.samples.filter((s) => !s.truncated);
  assert.ok(new Set(untruncated.map((s) => s.subject)).size >= 50, 'most subjects fit at 0 shots');
  assert.equal(fast.scorerStats.prefixReuses, untruncated.length, JSON.stringify(fast.scorerStats));
  assert.ok(fast.scorerStats.prefixTokens >= 57 * 12, `${fast.scorerStats.prefixTokens} description tokens`);
  assert.ok(fast.scorerStats.tokensComputed < plain.scorerStats.tokensComputed / 3);
  await model.dispose();
});

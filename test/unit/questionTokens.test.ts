/**
 * The explorer's token view (core/inspect/questionTokens.ts) on real MMLU questions and stories260K:
 * each choice's continuation tokens' log-probabilities sum to the plain reference's log-likelihood
 * (test/support/referenceLl.ts: one onnxruntime-node pass, no engine code) and to the fast scorer's
 * stored number, within 1e-4; the context shown is the window the model saw (5-shot prompts exceed it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { evaluate, type EvalSettings } from '../../src/core/evaluate.ts';
import '../../src/node/runtime.ts';
import { loadAll } from '../../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { questionTokens } from '../../src/core/inspect/questionTokens.ts';
import { makeEncoder } from '../../src/core/scoring/requests.ts';
import { choicePairs } from '../../src/core/templates/build.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import { referenceLoglikelihood } from '../support/referenceLl.ts';

test('question tokens: each choice sums to the plain reference and the run, the context is what the model saw', async () => {
  const session = await ort.InferenceSession.create(join(STORIES, 'onnx/model.onnx'));
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const data = await loadAll(localDataSource(SHARED_MMLU), ['anatomy'], 'test');
  let truncated = 0;
  for (const shots of [0, 5]) {
    const settings: EvalSettings = {
      subjects: ['anatomy'],
      split: 'test',
      shots,
      template: 'lm-eval',
      limit: 3,
      bos: 'lm-eval',
      scorer: 'fast',
    };
    const { samples } = await evaluate(model, data, settings);
    const encode = makeEncoder(model, 'lm-eval');
    for (const s of samples) {
      const choices = await questionTokens(model, encode, choicePairs(s));
      assert.equal(choices.length, 4);
      for (const [c, ch] of choices.entries()) {
        const ref = await referenceLoglikelihood(session, encode, s.context, s.continuations[c]!, model.maxLength);
        const what = `anatomy#${s.doc_id} ${shots}-shot choice ${c}`;
        assert.ok(Math.abs(ch.logprob - ref) < 1e-4, `${what}: ${ch.logprob} vs reference ${ref}`);
        assert.ok(
          Math.abs(ch.logprob - s.loglikelihoods[c]!) < 1e-4,
          `${what}: ${ch.logprob} vs run ${s.loglikelihoods[c]}`,
        );
        // lm-eval's pair: " A" is the continuation (the context's trailing space moves into it)
        assert.equal(model.decode(ch.continuation.map((t) => t.id)).trim(), s.continuations[c]!.trim());
        // the window: context seen + continuation = at most max_length + 1 tokens, the cut counted
        assert.ok(ch.context.length + ch.continuation.length <= model.maxLength + 1);
        if (ch.dropped) {
          assert.ok(s.truncated, `${what}: tokens dropped though the run did not truncate`);
          assert.equal(ch.context.length + ch.continuation.length, model.maxLength + 1);
        }
        assert.equal(ch.context.map((t) => t.piece).join(''), model.decode(ch.context.map((t) => t.id)));
      }
      assert.equal(choices[0]!.dropped > 0, s.truncated);
      if (s.truncated) truncated++;
    }
  }
  assert.ok(truncated >= 1, 'a 5-shot anatomy prompt exceeds the 512-token window');
  await model.dispose();
  await session.release();
});

/**
 * Acceptance 2: the engine's log-likelihoods agree with a deliberately plain reference written
 * here — one full forward pass over the whole token sequence per choice, straight on
 * onnxruntime-node (not through the engine's runtime), no cache, no batching, no shortcuts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { evaluate, type EvalSettings } from '../../src/core/evaluate.ts';
import '../../src/node/runtime.ts';
import { loadAll } from '../../src/core/benchmarks/mmlu/data.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { localDataSource } from '../../src/node/localData.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import { referenceLoglikelihood } from '../support/referenceLl.ts';

const SUBJECTS = ['anatomy', 'high_school_us_history', 'abstract_algebra'];
const MAX_LEN = 512; // stories260K's max_position_embeddings

test('acceptance 2: engine log-likelihoods equal the plain reference (3 subjects x 5 questions, 0 and 5 shots)', async () => {
  env.allowLocalModels = true;
  env.localModelPath = join(STORIES, '..') + '/';
  const tokenizer = await AutoTokenizer.from_pretrained('stories260K');
  const encode = (s: string) => tokenizer.encode(s); // the tokenizer's default: adds BOS
  const session = await ort.InferenceSession.create(join(STORIES, 'onnx/model.onnx'));
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  assert.equal(model.maxLength, MAX_LEN);
  assert.deepEqual(
    model.graphRewrites,
    ['logits-to-keep'],
    'the engine runs the graph rewritten at load, as the CLI does',
  );
  const data = await loadAll(localDataSource(SHARED_MMLU), SUBJECTS, 'test');
  let compared = 0;
  let truncated = 0;
  for (const shots of [0, 5]) {
    const settings: EvalSettings = {
      subjects: SUBJECTS,
      split: 'test',
      shots,
      template: 'lm-eval',
      limit: 5,
      bos: 'tokenizer',
      scorer: 'naive',
    };
    const { samples } = await evaluate(model, data, settings);
    assert.equal(samples.length, 15);
    for (const s of samples) {
      if (s.truncated) truncated++;
      for (let c = 0; c < 4; c++) {
        const ref = await referenceLoglikelihood(session, encode, s.context, s.continuations[c]!, MAX_LEN);
        assert.ok(
          Math.abs(ref - s.loglikelihoods[c]!) < 1e-4,
          `${s.subject}#${s.doc_id} shots=${shots} choice ${c}: engine ${s.loglikelihoods[c]} vs reference ${ref}`,
        );
        compared++;
      }
    }
  }
  assert.equal(compared, 120);
  assert.ok(truncated >= 10, `expected the 5-shot prompts to exceed the 512-token window, ${truncated} did`);
  await model.dispose();
});

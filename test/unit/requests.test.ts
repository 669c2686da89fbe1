import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  choiceRequest,
  encodePair,
  makeEncoder,
  resolveBos,
  type TokenizerLike,
} from '../../src/core/scoring/requests.ts';
import { ENGINE_VERSION } from '../../src/core/version.ts';
import { REPO } from '../support/paths.ts';

// A character-level toy tokenizer: one id per character, BOS = 1 by default. Only for these
// string-handling rules; real tokenizers are exercised in parity.test.ts.
const toy = (addBos: boolean): TokenizerLike => ({
  bosTokenId: 1,
  encode: (t, special) => [...(special && addBos ? [1] : []), ...[...t].map((c) => c.charCodeAt(0))],
});

test("encodePair: the context's trailing whitespace moves to the continuation", () => {
  const enc = makeEncoder(toy(true), 'tokenizer');
  const p = encodePair(enc, 'Answer: ', 'B');
  assert.deepEqual(
    p.context,
    [1, ...'Answer:'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0))),
  );
  assert.deepEqual(p.continuation, [' '.charCodeAt(0), 'B'.charCodeAt(0)]);
});

test('BOS policies', () => {
  assert.deepEqual(makeEncoder(toy(true), 'tokenizer')('a'), [1, 97]);
  assert.deepEqual(makeEncoder(toy(false), 'tokenizer')('a'), [97]);
  assert.deepEqual(makeEncoder(toy(true), 'never')('a'), [97]);
  assert.deepEqual(makeEncoder(toy(false), 'always')('a'), [1, 97]);
  assert.throws(() => makeEncoder({ ...toy(false), bosTokenId: null }, 'always'), /no BOS token/);
});

test("'lm-eval' as lm-eval 0.4.9.1 named: no special tokens, except for Gemma models", () => {
  // HFLM up to v0.4.9.1: tok_encode(add_special_tokens = False or self.add_bos_token); add_bos_token
  // defaults to False and is set True when config.model_type contains "gemma".
  for (const family of ['llama', 'gpt2', 'qwen2', 'mistral', undefined])
    assert.deepEqual(makeEncoder({ ...toy(true), modelType: family }, 'lm-eval', '0.4.9.1')('a'), [97], String(family));
  for (const family of ['gemma', 'gemma2', 'gemma3_text'])
    assert.deepEqual(makeEncoder({ ...toy(true), modelType: family }, 'lm-eval', '0.4.9.1')('a'), [1, 97], family);
  assert.equal(resolveBos('lm-eval', 'llama', '0.4.9.1'), 'never');
  assert.equal(resolveBos('lm-eval', 'gemma2', '0.4.9.1'), 'tokenizer');
  assert.equal(resolveBos('always', 'llama'), 'always');
});

test('truncation is (ctx+cont)[-(max_len+1):][:-1], flagged only when tokens are dropped', () => {
  const ctx = [1, 2, 3, 4, 5, 6];
  const r = choiceRequest(ctx, [7, 8], 5);
  assert.deepEqual(r.input, [3, 4, 5, 6, 7]);
  assert.ok(r.truncated);
  const fits = choiceRequest(ctx, [7, 8], 7); // 8 tokens = max_len + 1: nothing needed is dropped
  assert.deepEqual(fits.input, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(fits.truncated, false);
  assert.throws(() => choiceRequest(ctx, [], 5), /empty continuation/);
});

test('engine version equals package.json version', () => {
  assert.equal(ENGINE_VERSION, JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')).version);
});

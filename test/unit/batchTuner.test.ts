/** batchSize 'auto': the probe sequence and the choice, fed measured times by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchTuner } from '../../src/core/scoring/batchTuner.ts';

function probe(secondsPerQuestion: (size: number) => number): { sizes: number[]; chosen: number | null } {
  const t = new BatchTuner(8);
  const sizes: number[] = [];
  while (t.chosen === null) {
    const size = t.next();
    sizes.push(size);
    t.record(size, size * secondsPerQuestion(size));
  }
  return { sizes, chosen: t.chosen };
}

test('keeps batches when they are faster per question, one at a time otherwise', () => {
  const gpu = probe((size) => (size === 8 ? 0.02 : 0.1));
  assert.deepEqual(gpu.sizes, [1, 8, 1, 1, 1, 1, 8], 'warm-up of each size, then 4 single and 1 batch timed');
  assert.equal(gpu.chosen, 8);
  assert.equal(probe((size) => (size === 8 ? 0.3 : 0.1)).chosen, 1);
});

test('warm-up chunks do not count; a short subject (fewer questions than asked) counts per question', () => {
  const t = new BatchTuner(8);
  t.record(1, 100); // warm-up, 1 at a time: very slow (shader compilation), ignored
  t.record(8, 100); // warm-up, batch: ignored
  for (let i = 0; i < 4; i++) t.record(1, 0.1);
  t.record(4, 0.2); // the subject ended: 4 questions in 0.2 s = 0.05 s each
  assert.equal(t.chosen, 8);
  assert.equal(new BatchTuner(1).next(), 1);
});

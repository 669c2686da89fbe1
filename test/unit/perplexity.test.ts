/**
 * Perplexity as lm-eval's loglikelihood_rolling tasks compute it. Expected values come from
 * test/support/perplexity_ref.py (Debian's python3: lm-eval v0.4.12's window, count and
 * aggregation rules in plain Python, with Python's own re.split and str.encode) and from a plain
 * onnxruntime-node pass per window over stories260K (no engine code), on real GSM8K questions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { rollingWindows } from '../../src/core/scoring/rolling.ts';
import { countWords, documentCounts, perplexityMetrics } from '../../src/core/report/perplexity.ts';
import { EmptyTextError, probeText } from '../../src/core/inspect/textProbe.ts';
import { makeEncoder } from '../../src/core/scoring/requests.ts';
import { REPO, SHARED, STORIES } from '../support/paths.ts';
import { storiesFeeds } from '../support/storiesFeeds.ts';
import { runCli } from '../support/cli.ts';

interface PyOut {
  windows: { input: number[]; pred: number[] }[][];
  counts: [number, number][];
  metrics?: { word_perplexity: number; byte_perplexity: number; bits_per_byte: number };
}

function python(req: object): PyOut {
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/perplexity_ref.py')], {
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PyOut;
}

/** The first n GSM8K test questions, one document (real text: numbers, $, %, newlines). */
function gsm8kText(n: number): string {
  return readFileSync(join(SHARED, 'gsm8k/test.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(0, n)
    .map((l) => (JSON.parse(l) as { question: string }).question)
    .join('\n\n');
}

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('rolling windows', () => {
  test('equal lm-eval get_rolling_token_windows + make_disjoint_window + the model input, at every edge', () => {
    const cases = [];
    for (const max of [1, 2, 4, 7])
      for (const n of [1, max - 1, max, max + 1, 2 * max, 2 * max + 1, 3 * max + 2].filter((x) => x >= 1))
        cases.push({ tokens: Array.from({ length: n }, (_, i) => 100 + i), prefix: 9, max_len: max });
    const py = python({ windows: cases, counts: [] });
    cases.forEach((c, i) => {
      const ours = rollingWindows(c.tokens, c.prefix, c.max_len);
      assert.deepEqual(
        ours.map((w) => ({ input: w.input, pred: w.pred })),
        py.windows[i],
        `${c.tokens.length} tokens, window ${c.max_len}`,
      );
      // every token predicted once, in order; start says where each window's predictions begin
      assert.deepEqual(
        ours.flatMap((w) => w.pred),
        c.tokens,
      );
      for (const w of ours) assert.deepEqual(c.tokens.slice(w.start, w.start + w.pred.length), w.pred);
    });
    assert.deepEqual(rollingWindows([], 9, 4), []);
  });
});

describe('word and byte counts', () => {
  test("equal Python's re.split(r'\\s+') and UTF-8 length, on its whitespace edge cases and real text", () => {
    const texts = [
      'plain words here',
      '  leading and trailing  ',
      '',
      ' ',
      'a\x1cb\x1dc\x1ed\x1fe', // Python's \s includes the information separators; JavaScript's does not
      'a\x85b\u00a0c\u3000d\u2028e', // NEL, NBSP, ideographic space, line separator
      'a\ufeffb', // JavaScript's \s has U+FEFF; Python's does not
      'naïve café — 東京 😀 \t\n\r\v\f end',
      gsm8kText(40),
    ];
    const py = python({ windows: [], counts: texts });
    texts.forEach((t, i) => {
      const d = documentCounts(t, 0);
      assert.deepEqual([d.words, d.bytes], py.counts[i], JSON.stringify(t.slice(0, 40)));
    });
    assert.equal(countWords('a\ufeffb'), 1);
  });

  test('an empty text is refused, not divided by zero', () => {
    assert.throws(() => perplexityMetrics([documentCounts('', 0)]), /empty text/);
  });
});

describe('perplexity of a real text on stories260K', () => {
  let model: CausalLM;
  let session: ort.InferenceSession;
  before(async () => {
    model = await CausalLM.load({ id: STORIES, localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
    session = await ort.InferenceSession.create(join(STORIES, 'onnx/model.onnx'));
  });
  after(async () => {
    await model.dispose();
    await session.release();
  });

  /** Plain log-softmax over one full pass per lm-eval window, in float64. */
  async function referenceTokenLogprobs(windows: { input: number[]; pred: number[] }[]): Promise<number[]> {
    const out: number[] = [];
    for (const w of windows) {
      const logits = (await session.run(storiesFeeds(w.input))).logits!;
      const V = logits.dims[2]!;
      const data = logits.data as Float32Array;
      w.pred.forEach((t, j) => {
        const row = Array.from(
          data.subarray((w.input.length - w.pred.length + j) * V, (w.input.length - w.pred.length + j + 1) * V),
        );
        const m = Math.max(...row);
        out.push(row[t]! - m - Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)));
      });
    }
    return out;
  }

  test('each token, the document and the metrics equal the plain per-window computation and Python within 1e-4', async () => {
    const docs = [gsm8kText(12), 'Once upon a time, there was a little girl named Lily.'];
    const probes = [];
    for (const bos of ['lm-eval', 'never'] as const)
      for (const text of docs) {
        const probe = await probeText(model, text, { bos, topK: 5 });
        const tokens = makeEncoder(model, bos)(text);
        assert.deepEqual(
          probe.tokens.map((t) => t.id),
          tokens,
        );
        assert.equal(probe.prefixToken, 1); // stories260K's BOS
        const py = python({ windows: [{ tokens, prefix: 1, max_len: model.maxLength }], counts: [] });
        assert.equal(probe.windows, py.windows[0]!.length);
        const ref = await referenceTokenLogprobs(py.windows[0]!);
        probe.tokens.forEach((t, i) => close(t.logprob, ref[i]!, 1e-4, `token ${i}`));
        const refLl = ref.reduce((a, x) => a + x, 0);
        close(probe.document.loglikelihood, refLl, 1e-4, 'loglikelihood');
        const pyMetrics = python({ windows: [], counts: [], metrics: [{ ll: refLl, text }] }).metrics!;
        for (const k of ['word_perplexity', 'byte_perplexity', 'bits_per_byte'] as const)
          close(probe.metrics[k], pyMetrics[k], 1e-4, k);
        // the pieces rebuild the decoded tokens (SentencePiece drops a leading space only at the start of a decode)
        assert.equal(probe.tokens.map((t) => t.piece).join(''), model.decode(tokens));
        if (bos === 'never') assert.equal(model.decode(tokens), text);
        probes.push({ text, probe, refLl });
      }
    assert.ok(probes[0]!.probe.windows >= 3, `the GSM8K text spans several ${model.maxLength}-token windows`);

    // several documents: Σll / Σwords, as lm-eval's weighted_perplexity
    const both = probes.slice(0, 2);
    const agg = perplexityMetrics(both.map((p) => p.probe.document));
    const pyAgg = python({
      windows: [],
      counts: [],
      metrics: both.map((p) => ({ ll: p.refLl, text: p.text })),
    }).metrics!;
    for (const k of ['word_perplexity', 'byte_perplexity', 'bits_per_byte'] as const) close(agg[k], pyAgg[k], 1e-4, k);
  });

  test('the next tokens are the top of a plain log-softmax after the whole text', async () => {
    const text = 'Once upon a time, there was a little girl named Lily. She';
    const probe = await probeText(model, text, { bos: 'lm-eval', topK: 8 });
    const input = [1, ...makeEncoder(model, 'lm-eval')(text)];
    const logits = (await session.run(storiesFeeds(input))).logits!;
    const V = logits.dims[2]!;
    const row = Array.from((logits.data as Float32Array).subarray((input.length - 1) * V, input.length * V));
    const m = Math.max(...row);
    const logZ = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
    const ranked = row.map((x, id) => ({ id, lp: x - logZ })).sort((a, b) => b.lp - a.lp || a.id - b.id);
    assert.deepEqual(
      probe.next.map((t) => t.id),
      ranked.slice(0, 8).map((r) => r.id),
    );
    probe.next.forEach((t, i) => close(t.logprob, ranked[i]!.lp, 1e-4, `next ${i}`));
    assert.equal(
      probe.next[0]!.piece,
      model.decode([...input.slice(-8), probe.next[0]!.id]).slice(model.decode(input.slice(-8)).length),
    );
  });

  test('an empty text is refused with a reason', async () => {
    await assert.rejects(probeText(model, '', { bos: 'lm-eval', topK: 0 }), EmptyTextError);
  });

  test('pagebench perplexity prints the same numbers, aggregates files as lm-eval does and refuses bad files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagebench-ppl-'));
    const a = join(dir, 'gsm8k.txt');
    const b = join(dir, 'story.txt');
    writeFileSync(a, gsm8kText(12));
    writeFileSync(b, 'Once upon a time, there was a little girl named Lily.');
    const r = runCli(
      'perplexity',
      '--model',
      STORIES,
      '--text-file',
      a,
      '--text-file',
      b,
      '--json',
      '--tokens',
      '--top-k',
      '3',
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      results: Record<string, number>;
      bos: string;
      documents: {
        loglikelihood: number;
        words: number;
        bytes: number;
        windows: number;
        token_logprobs: { logprob: number }[];
        next: { id: number }[];
      }[];
    };
    const pa = await probeText(model, gsm8kText(12), { bos: 'lm-eval', topK: 3 });
    const pb = await probeText(model, readFileSync(b, 'utf8'), { bos: 'lm-eval', topK: 3 });
    assert.equal(out.bos, 'tokenizer'); // lm-eval 0.4.12 lets a Llama tokenizer add its BOS
    [pa, pb].forEach((p, i) => {
      const d = out.documents[i]!;
      close(d.loglikelihood, p.document.loglikelihood, 1e-6, 'document ll');
      assert.equal(d.windows, p.windows);
      assert.deepEqual([d.words, d.bytes], [p.document.words, p.document.bytes]);
      d.token_logprobs.forEach((t, j) => close(t.logprob, p.tokens[j]!.logprob, 1e-6, `token ${j}`));
      assert.deepEqual(
        d.next.map((t) => t.id),
        p.next.map((t) => t.id),
      );
    });
    const agg = perplexityMetrics([pa.document, pb.document]);
    for (const k of ['word_perplexity', 'byte_perplexity', 'bits_per_byte'] as const)
      close(out.results[k]!, agg[k], 1e-9, k);

    const human = runCli('perplexity', '--model', STORIES, '--text-file', b);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`bits_per_byte +${pb.metrics.bits_per_byte.toFixed(4)}`));

    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const bad = join(dir, 'latin1.txt');
    writeFileSync(bad, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    for (const [file, why] of [
      [empty, /empty\.txt is empty/],
      [bad, /latin1\.txt: not valid UTF-8 \(first invalid byte at offset 3\)/],
      [join(dir, 'missing.txt'), /missing\.txt: no such file/],
    ] as const) {
      const e = runCli('perplexity', '--model', STORIES, '--text-file', b, '--text-file', file);
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, why);
      assert.equal(e.stdout, '', 'nothing printed for the good file either');
    }
  });
});

/**
 * The Next token view (#/next) in Chromium against `pagebench perplexity` on the same text: two
 * models side by side (stories260K fp32 and its q8 export, from a hub mirror), each token's
 * log-probability, the perplexities and the next tokens equal to the CLI's within 1e-4; tap detail;
 * the text kept across a reload; an empty text refused; screenshots on a projector (1920×1080) and
 * a phone (390 px) go to test-results/screenshots/next-*.png. And the question explorer's token view
 * after a run in the app: each choice's tokens sum to the run's stored log-likelihood within 1e-4.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { mirrorModel } from '../../src/node/hubMirror.ts';
import {
  configure,
  runToEnd,
  SHOTS_DIR,
  sideways,
  startMirroredApp,
  waitUntil,
  type MirroredApp,
} from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { SHARED, STORIES } from '../support/paths.ts';
import { makeQuantizedVariants } from '../support/syntheticModel.ts';

let env: MirroredApp;
let quantized: string;

before(async () => {
  quantized = makeQuantizedVariants(STORIES, 'q8');
  env = await startMirroredApp(['anatomy'], (root) => mirrorModel(root, quantized, 'test-org/stories260K-q8'));
});
after(() => env?.close());

/** Real text: the first GSM8K test question, then a line of a story (numbers, $, a newline, an apostrophe). */
const TEXT = `${(JSON.parse(readFileSync(join(SHARED, 'gsm8k/test.jsonl'), 'utf8').split('\n')[0]!) as { question: string }).question}\nOnce upon a time, Lily's cat`;

interface CliDoc {
  loglikelihood: number;
  word_perplexity: number;
  byte_perplexity: number;
  bits_per_byte: number;
  token_logprobs: { id: number; logprob: number }[];
  next: { id: number; logprob: number }[];
}

function cli(model: string, dtype: string): CliDoc {
  const f = join(mkdtempSync(join(tmpdir(), 'pb-next-')), 'text.txt');
  writeFileSync(f, TEXT);
  const r = runCli('perplexity', '--model', model, '--dtype', dtype, '--text-file', f, '--json', '--tokens');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { documents: CliDoc[] }).documents[0]!;
}

async function pick(page: Page, side: 'a' | 'b', model: string, dtype: string) {
  await page.getByTestId(`probe-${side}-model`).selectOption('custom');
  await page.getByTestId(`probe-${side}-custom`).fill(model);
  // the dtype list follows the repository once the hub answers
  await waitUntil(
    page,
    `!document.querySelector('[data-testid=probe-${side}-dtype] option[value=${dtype}]')?.disabled && !/Checking/.test(document.querySelector('[data-testid=probe-status]')?.textContent ?? '')`,
  );
  await page.getByTestId(`probe-${side}-dtype`).selectOption(dtype);
  await page.getByTestId(`probe-${side}-device`).selectOption('wasm');
}

/** A column's numbers as the page shows them (full precision from data-value / data-logprob). */
function columnValues(page: Page, i: number) {
  // no named functions inside: tsx would wrap them in a __name helper the page does not have
  return page.evaluate((i) => {
    const col = document.querySelectorAll('[data-testid=probe-column]')[i]!;
    const [loglikelihood, word_perplexity, byte_perplexity, bits_per_byte] = [
      'probe-ll',
      'probe-word-ppl',
      'probe-byte-ppl',
      'probe-bpb',
    ].map((id) => Number(col.querySelector(`[data-testid=${id}]`)!.getAttribute('data-value')));
    return {
      loglikelihood: loglikelihood!,
      word_perplexity: word_perplexity!,
      byte_perplexity: byte_perplexity!,
      bits_per_byte: bits_per_byte!,
      tokens: [...col.querySelectorAll('[data-testid=probe-strip] button')].map((b) => ({
        id: Number(b.getAttribute('data-id')),
        logprob: Number(b.getAttribute('data-logprob')),
      })),
      next: [...col.querySelectorAll('[data-testid=probe-next] tr')].map((r) => ({
        id: Number(r.getAttribute('data-id')),
        logprob: Number(r.getAttribute('data-logprob')),
      })),
    };
  }, i);
}

function assertEqualsCli(page: Awaited<ReturnType<typeof columnValues>>, ref: CliDoc, what: string) {
  const close = (a: number, b: number, k: string) =>
    assert.ok(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)), `${what} ${k}: page ${a}, CLI ${b}`);
  for (const k of ['loglikelihood', 'word_perplexity', 'byte_perplexity', 'bits_per_byte'] as const)
    close(page[k], ref[k], k);
  assert.deepEqual(
    page.tokens.map((t) => t.id),
    ref.token_logprobs.map((t) => t.id),
    `${what}: the same tokens`,
  );
  page.tokens.forEach((t, j) => close(t.logprob, ref.token_logprobs[j]!.logprob, `token ${j}`));
  assert.deepEqual(
    page.next.map((t) => t.id),
    ref.next.map((t) => t.id),
    `${what}: the same next tokens`,
  );
  page.next.forEach((t, j) => close(t.logprob, ref.next[j]!.logprob, `next ${j}`));
}

test('next-token view: two models side by side equal pagebench perplexity within 1e-4; reload, empty text, projector and phone', async () => {
  const ctx = await env.browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${env.base}#/next`);
  await page.getByTestId('probe-text').fill(TEXT);
  await pick(page, 'a', 'test-org/stories260K', 'fp32');
  await pick(page, 'b', 'test-org/stories260K-q8', 'q8');
  await page.getByTestId('probe-run').click();
  await waitUntil(
    page,
    `document.querySelectorAll('[data-testid=probe-column] [data-testid=probe-ll]').length === 2`,
    undefined,
    {
      timeout: 120_000,
    },
  );
  assert.equal(await page.getByTestId('probe-error').count(), 0);

  assertEqualsCli(await columnValues(page, 0), cli(STORIES, 'fp32'), 'fp32');
  assertEqualsCli(await columnValues(page, 1), cli(quantized, 'q8'), 'q8');
  const tokensLine = await page.getByTestId('probe-tokens').first().textContent();
  assert.match(tokensLine!, /in 1 window of 512 · BOS tokenizer/);

  // a tap shows a token's probability (phones have no hover)
  const strip = page.getByTestId('probe-strip').first();
  await strip.locator('button').nth(3).click();
  assert.match(
    (await page.getByTestId('probe-strip-detail').first().textContent())!,
    /token 4 of \d+\): p = [\d.e+-]+%, −log p = [\d.]+ nats/,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'next-projector.png'), fullPage: true });

  // the text survives a reload; the numbers are recomputed on demand
  await page.reload();
  await waitUntil(page, `!!document.querySelector('[data-testid=probe-text]')`);
  assert.equal(await page.getByTestId('probe-text').inputValue(), TEXT);

  // an empty text: Read is off and the page says why
  await page.getByTestId('probe-text').fill('');
  assert.equal(await page.getByTestId('probe-run').isDisabled(), true);
  assert.match((await page.getByTestId('probe-status').textContent())!, /Type or paste a text first/);
  assert.deepEqual(errors, []);
  await ctx.close();

  const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  await p.goto(`${env.base}#/next`);
  await p.getByTestId('probe-text').fill(TEXT);
  await pick(p, 'a', 'test-org/stories260K', 'fp32');
  await p.getByTestId('probe-run').click();
  await waitUntil(p, `!!document.querySelector('[data-testid=probe-column] [data-testid=probe-ll]')`, undefined, {
    timeout: 120_000,
  });
  await p.getByTestId('probe-strip').locator('button').nth(5).tap();
  assert.match((await p.getByTestId('probe-strip-detail').textContent())!, /token 6 of/);
  assert.equal(await sideways(p), 0, 'no sideways scroll at 390 px');
  await p.screenshot({ path: join(SHOTS_DIR, 'next-phone.png'), fullPage: true });
  await phone.close();
});

test("explorer: a question's tokens, each choice's continuation log-probabilities summing to the run's numbers", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(env.base);
  await waitUntil(page, 'window.__pagebench !== undefined');
  await configure(page, { subjects: ['anatomy'], shots: 5, limit: 2 });
  await runToEnd(page, () => page.getByTestId('start').click());
  await page.getByRole('navigation').getByRole('button', { name: 'Results' }).click();
  await page.getByTestId('explore-tokens').click();
  await page.getByTestId('question-tokens').waitFor({ timeout: 60_000 });
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=choice-tokens] tr')].map((r) => ({
      sum: Number(r.getAttribute('data-logprob')),
      stored: Number(r.getAttribute('data-stored')),
      tokens: [...r.querySelectorAll('button')].map((b) => Number(b.getAttribute('data-logprob'))),
    })),
  );
  assert.equal(rows.length, 4);
  for (const [i, r] of rows.entries()) {
    assert.ok(Math.abs(r.sum - r.stored) < 1e-4, `choice ${i}: tokens sum to ${r.sum}, the run stored ${r.stored}`);
    assert.ok(
      Math.abs(r.tokens.reduce((a, x) => a + x, 0) - r.sum) < 1e-9,
      `choice ${i}: the shown tokens are the sum's`,
    );
  }
  // a 5-shot anatomy prompt exceeds stories260K's 512-token window: the view says how much was cut
  assert.match(
    (await page.getByTestId('question-tokens').locator('h3').first().textContent())!,
    /^Prompt: 5\d\d tokens \(the first \d+ cut to fit the window\)/,
  );
  await page.screenshot({ path: join(SHOTS_DIR, 'next-explorer-tokens.png'), fullPage: true });
  // the next question shows its own tokens only on request
  await page.getByRole('button', { name: 'Next question' }).click();
  await page.getByTestId('explore-tokens').waitFor();
  await page.close();
});

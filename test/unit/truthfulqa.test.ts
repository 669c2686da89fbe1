/**
 * TruthfulQA multiple-choice against Python: every expectation comes from
 * test/support/truthfulqa_ref.py run with Debian's python3 — json.load's dict order for the
 * hub builder's rows, lm-eval v0.4.12's doc_to_text YAML rendered by PyYAML + Jinja2, and numpy
 * for mc2 in lm-eval ≥ 0.4.9's and ≤ 0.4.8's formulas — on the real mc_task.json (../shared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHARED } from '../support/paths.ts';
import { mcTaskRows, type TruthfulQaRow } from '../../src/core/benchmarks/truthfulqa/data.ts';
import { truthfulqaContext } from '../../src/core/benchmarks/truthfulqa/prompt.ts';
import { mc2Mass } from '../../src/core/benchmarks/truthfulqa/mc2.ts';
import { DataError } from '../../src/core/benchmarks/doc.ts';
import { rng } from '../support/rng.ts';

const FILE = join(SHARED, 'truthfulqa', 'mc_task.json');

type PyRow = TruthfulQaRow & { context: string };
function python(mc2: { lls: number[]; labels: number[] }[]) {
  const r = spawnSync('/usr/bin/python3', [join(REPO, 'test/support/truthfulqa_ref.py')], {
    input: JSON.stringify({ file: FILE, mc2 }),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { rows: PyRow[]; mc2: [number | null, number | null][] };
}

const rows = mcTaskRows(readFileSync(FILE, 'utf8'), 'mc_task.json');

test('the 817 rows, their choices in file order and every prompt byte-identical to lm-eval v0.4.12 rendered by Jinja2', () => {
  const py = python([]).rows;
  assert.equal(rows.length, 817);
  assert.equal(py.length, 817);
  rows.forEach((r, i) => {
    const { context, ...row } = py[i]!;
    assert.deepEqual(r, row, `row ${i + 1}`);
    assert.equal(truthfulqaContext(r.question), context, `row ${i + 1}`);
  });
  // The reading guide's facts, checked on the real file: mc1's choices are among mc2's; two rows'
  // mc2 labels are not "all 1, then all 0" (25 and 208, counted from 0).
  assert.ok(rows.every((r) => r.mc1_targets.choices.every((c) => r.mc2_targets.choices.includes(c))));
  const unsorted = rows.flatMap((r, i) =>
    r.mc2_targets.labels.indexOf(0) < r.mc2_targets.labels.lastIndexOf(1) ? [i] : [],
  );
  assert.deepEqual(unsorted, [25, 208]);
});

test('mc2 equals numpy under both formulas on every row with random log-likelihoods; the unsorted rows tell them apart', () => {
  const next = rng(817);
  const cases = rows.map((r) => ({
    lls: r.mc2_targets.labels.map(() => -next() * 60),
    labels: r.mc2_targets.labels,
  }));
  // Extremes: every choice below exp's float64 range (NaN in lm-eval too), one far above the rest.
  cases.push({ lls: [-800, -900, -1000], labels: [1, 0, 0] }, { lls: [-1, -700, -2], labels: [1, 0, 1] });
  const py = python(cases).mc2;
  cases.forEach((c, i) => {
    const got = [mc2Mass(c.lls, c.labels, 'labels'), mc2Mass(c.lls, c.labels, 'split')];
    for (const k of [0, 1] as const) {
      const want = py[i]![k];
      if (want === null) assert.ok(Number.isNaN(got[k]), `case ${i}: NaN as in numpy`);
      else assert.ok(Math.abs(got[k]! - want) < 1e-12, `case ${i} formula ${k}: ${got[k]} vs ${want}`);
    }
  });
  for (const i of [25, 208])
    assert.notEqual(py[i]![0], py[i]![1], `row ${i} scores differently under the two formulas`);
  // Elsewhere the labels are sorted and the formulas agree.
  rows.forEach((_, i) => {
    if (i !== 25 && i !== 208) assert.ok(Math.abs(py[i]![0]! - py[i]![1]!) < 1e-12, `row ${i}`);
  });
});

test('a malformed mc_task.json is refused naming its rows (counted from 1), keeping nothing', () => {
  const good = JSON.parse(readFileSync(FILE, 'utf8')) as unknown[];
  const bad = structuredClone(good.slice(0, 5)) as Record<string, Record<string, number>>[];
  bad[1]!.mc1_targets = { 'only one': 1 };
  bad[3]!.mc2_targets = Object.fromEntries(Object.keys(bad[3]!.mc2_targets!).map((k) => [k, 1]));
  const err = (() => {
    try {
      mcTaskRows(JSON.stringify(bad), 'mc_task.json');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof DataError);
  assert.match(err.message, /^mc_task\.json: 2 malformed rows, first row 2: mc1_targets has fewer than 2 choices$/);
  assert.deepEqual(
    err.problems.map((p) => [p.row, p.message]),
    [
      [2, 'mc1_targets has fewer than 2 choices'],
      [4, 'mc2_targets has no false choice (label 0)'],
    ],
  );
  assert.throws(
    () =>
      mcTaskRows('[{"question": "q", "mc1_targets": {"10": 1, "2": 0}, "mc2_targets": {"a": 1, "b": 0}}]', 'f.json'),
    /mc1_targets has the choice "\d+", whose file order JavaScript cannot keep/,
  );
  assert.throws(() => mcTaskRows('{', 'f.json'), /f\.json is not JSON text/);
});

/**
 * ARC, HellaSwag and MMLU-Redux as plug-ins beside MMLU. Expected prompts are rendered by Debian's
 * python3 (/usr/bin/python3) from the same fixture rows, re-implementing lm-evaluation-harness'
 * formatting with real Python semantics: the task YAMLs' doc_to_text/doc_to_choice, hellaswag's
 * utils.preprocess/process_docs (str.strip, str.capitalize, re.sub), and the default few-shot
 * sampler `random.Random(1234).sample(fewshot_docs, k)` drawn per document in order (k+1 with the
 * evaluated document removed for HellaSwag, whose YAML leaves test_split and fewshot_split unset;
 * lm_eval/api/task.py and samplers.py at v0.4.12 — test/unit/lmEvalFidelity.test.ts covers more).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PyRandom } from '../../src/core/util/pyRandom.ts';
import { pyCapitalize, pyStrip } from '../../src/core/util/pyStr.ts';
import { evaluate, type EvalSettings } from '../../src/core/evaluate.ts';
import { loadRunData } from '../../src/core/session.ts';
import { CausalLM } from '../../src/core/runtime/causalLm.ts';
import { localDataSource, localRowSource } from '../../src/node/localData.ts';
import { validateResults, validateSample } from '../../src/core/report/validate.ts';
import { subtaskStat } from '../../src/core/report/metrics.ts';
import { writeBenchmarkFixtures } from '../fixtures/benchmarkFixtures.ts';
import { writeFixtures } from '../fixtures/mmluFixtures.ts';
import { runCli } from '../support/cli.ts';
import { SHARED_MMLU, STORIES } from '../support/paths.ts';
import '../../src/node/runtime.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const PY = '/usr/bin/python3';
const data = writeBenchmarkFixtures();
const mmluFixtures = join(writeFixtures(), 'mmlu-mini');

function python(script: string, input: unknown = null): unknown {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("Python's random.Random: getrandbits and sample() on both of its branches, several seeds", () => {
  const cases = [
    [1234, 2251, 5],
    [1234, 10, 5],
    [0, 100, 25],
    [42, 7, 7],
    [2 ** 40 + 3, 39905, 10],
  ] as const;
  const expected = python(
    `import random, json, sys
out = []
for seed, n, k in json.load(sys.stdin):
    r = random.Random(seed)
    out.append([r.getrandbits(32), r.getrandbits(5), r.sample(range(n), k), r.sample(range(n), k)])
print(json.dumps(out))`,
    cases,
  );
  const got = cases.map(([seed, n, k]) => {
    const r = new PyRandom(seed);
    const pop = [...Array(n).keys()];
    return [r.getrandbits(32), r.getrandbits(5), r.sample(pop, k), r.sample(pop, k)];
  });
  assert.deepEqual(got, expected);
});

test("Python's str.strip and str.capitalize, on every whitespace character and the special casings", () => {
  const spaces = python(
    'import json; print(json.dumps([c for c in map(chr, range(0x110000)) if c.isspace()]))',
  ) as string[];
  const strings = [
    ...spaces.map((c) => `${c}a${c}b${c}`),
    '\ufeffa\ufeff',
    '\u200bzero width\u200b',
    'ǆemal',
    'ǉubljana',
    'Ǌ',
    'ßtraße',
    'ﬁsh',
    'ΣΑΣ ΟΔΟΣ',
    'ΑΣ',
    'İstanbul',
    'ŉ',
    'ᾳβγ',
    'აბგ',
    'hello WORLD',
    '',
    ' leading',
    '1ABC',
    'éCOLE',
    'ǅ',
    'ﬀ ﬃ',
    'և',
  ];
  const expected = python(
    'import json, sys; print(json.dumps([[s.strip(), s.capitalize()] for s in json.load(sys.stdin)]))',
    strings,
  );
  assert.deepEqual(
    strings.map((s) => [pyStrip(s), pyCapitalize(s)]),
    expected,
  );
  assert.equal(pyStrip('\u0085x\u001c'), 'x', 'JavaScript trim() keeps these');
  assert.equal(pyStrip('\ufeffx'), '\ufeffx', 'JavaScript trim() removes this one');
});

/** lm-eval's prompts for the fixtures, rendered by Python. */
const GOLDEN = String.raw`
import json, random, re, sys
args = json.load(sys.stdin)
def rows(path): return [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]
out = []
def emit(subject, docs, to_text, to_choices, target, shots_for, description=''):
    for i, d in enumerate(docs):
        shots = shots_for(d)
        ctx = description + ''.join(to_text(s) + ' ' + to_choices(s)[target(s)] + '\n\n' for s in shots) + to_text(d)
        out.append({'subject': subject, 'doc_id': i, 'context': ctx, 'continuations': [' ' + c for c in to_choices(d)], 'target': target(d)})
k = args['shots']
if args['benchmark'] == 'arc_easy':
    train, test = rows(args['dir'] + '/ARC-Easy/train.jsonl'), rows(args['dir'] + '/ARC-Easy/test.jsonl')
    rnd = random.Random(1234)
    emit('arc_easy', test, lambda d: 'Question: ' + d['question'] + '\nAnswer:', lambda d: d['choices']['text'],
         lambda d: d['choices']['label'].index(d['answerKey']), lambda d: rnd.sample(train, k))
elif args['benchmark'] == 'hellaswag':
    def preprocess(text):
        text = text.strip()
        text = text.replace(' [title]', '. ')
        text = re.sub('\\[.*?\\]', '', text)
        text = text.replace('  ', ' ')
        return text
    def process(doc):
        ctx = doc['ctx_a'] + ' ' + doc['ctx_b'].capitalize()
        return {'query': preprocess(doc['activity_label'] + ': ' + ctx), 'choices': [preprocess(e) for e in doc['endings']], 'gold': int(doc['label'])}
    train = [process(d) for d in rows(args['dir'] + '/default/train.jsonl')]
    val = [process(d) for d in rows(args['dir'] + '/default/validation.jsonl')]
    rnd = random.Random(1234)
    # test_split and fewshot_split both unset (None == None): lm-eval draws k+1 and drops the evaluated doc
    emit('hellaswag', val, lambda d: d['query'], lambda d: d['choices'], lambda d: d['gold'],
         lambda d: [x for x in rnd.sample(train, k + 1) if x != d][:k] if k else [])
else:
    import csv
    dev = [{'question': r[0], 'choices': r[1:5], 'answer': 'ABCD'.index(r[5])} for r in csv.reader(open(args['mmlu'] + '/dev/astronomy_dev.csv', newline='', encoding='utf-8'))]
    test = rows(args['dir'] + '/astronomy/test.jsonl')
    fmt = lambda d: d['question'].strip() + '\n' + '\n'.join('ABCD'[i] + '. ' + c for i, c in enumerate(d['choices'])) + '\nAnswer:'
    emit('astronomy', test, fmt, lambda d: list('ABCD'), lambda d: d['answer'], lambda d: dev[:k],
         'The following are multiple choice questions (with answers) about astronomy.\n\n')
print(json.dumps(out))
`;

for (const [benchmark, shots] of [
  ['arc_easy', 0],
  ['arc_easy', 3],
  ['hellaswag', 0],
  ['hellaswag', 2],
  ['mmlu_redux', 0],
  ['mmlu_redux', 2],
] as const) {
  test(`golden prompts: ${benchmark}, ${shots}-shot, byte-identical to lm-eval's rendered by Python`, () => {
    const expected = python(GOLDEN, { benchmark, shots, dir: data, mmlu: mmluFixtures });
    const extra = benchmark === 'mmlu_redux' ? ['--subjects', 'astronomy', '--fewshot-data', mmluFixtures] : [];
    const r = runCli('prompts', '--benchmark', benchmark, '--data', data, '--shots', String(shots), ...extra);
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(got, expected);
  });
}

test('fast == naive within 1e-4 on every new benchmark (stories260K; shots drawn per document)', async () => {
  const model = await CausalLM.load({ id: 'stories260K', localDir: STORIES }, { dtype: 'fp32', device: 'cpu' });
  const src = { mmlu: localDataSource(mmluFixtures), rows: localRowSource(data) };
  let worst = 0;
  let compared = 0;
  for (const [benchmark, subjects, split, template] of [
    ['arc_easy', ['arc_easy'], 'test', 'arc'],
    ['hellaswag', ['hellaswag'], 'validation', 'hellaswag'],
    ['mmlu_redux', ['astronomy'], 'test', 'lm-eval'],
  ] as const) {
    for (const shots of [0, 2]) {
      const settings: EvalSettings = {
        benchmark,
        subjects: [...subjects],
        split,
        shots,
        template,
        bos: 'tokenizer',
        scorer: 'fast',
      };
      const docs = await loadRunData(src, settings);
      const fast = await evaluate(model, docs, settings);
      const naive = await evaluate(model, docs, { ...settings, scorer: 'naive' });
      assert.equal(fast.samples.length, docs[0]!.questions.length);
      fast.samples.forEach((s, i) => {
        assert.equal(s.context, naive.samples[i]!.context, 'the same prompts (the same shots drawn)');
        s.loglikelihoods.forEach((l, j) => {
          worst = Math.max(worst, Math.abs(l - naive.samples[i]!.loglikelihoods[j]!));
          compared++;
        });
      });
    }
  }
  assert.ok(worst < 1e-4, `largest |fast - naive| = ${worst}`);
  assert.ok(compared > 80, `${compared} log-likelihoods compared`);
  await model.dispose();
});

test('CLI runs ARC and MMLU-Redux: lm-eval-shaped results (acc, acc_norm; acc_ok on the "ok" questions), valid samples', () => {
  const arcOut = mkdtempSync(join(tmpdir(), 'pb-arc-'));
  const r = runCli(
    'run',
    '--benchmark',
    'arc_easy',
    '--model',
    STORIES,
    '--data',
    data,
    '--shots',
    '2',
    '--output-dir',
    arcOut,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^acc_norm \d\.\d{4} over 6 questions/m);
  const arc = JSON.parse(readFileSync(join(arcOut, 'results.json'), 'utf8'));
  validateResults(arc);
  const arcSamples = readFileSync(join(arcOut, 'samples_arc_easy.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  arcSamples.forEach(validateSample);
  assert.equal(arcSamples[1].continuations.length, 3, 'three choices');
  assert.equal(arcSamples[2].continuations.length, 5, 'five choices');
  const acc = subtaskStat(arcSamples.map((s) => s.acc));
  assert.equal(arc.results.arc_easy['acc,none'], acc.acc);
  assert.equal(arc.results.arc_easy['acc_stderr,none'], acc.stderr);
  assert.equal(arc.results.arc_easy['acc_norm,none'], subtaskStat(arcSamples.map((s) => s.acc_norm)).acc);
  assert.deepEqual(arc.groups, {});
  assert.equal(arc.config.benchmark, 'arc_easy');
  assert.equal(arc.config.fewshot_selection, 'random');
  assert.equal(arc.config.fewshot_seed, 1234);
  assert.equal(arc.configs.arc_easy.dataset_name, 'ARC-Easy');

  const reduxOut = mkdtempSync(join(tmpdir(), 'pb-redux-'));
  const rr = runCli(
    'run',
    '--benchmark',
    'mmlu_redux',
    '--model',
    STORIES,
    '--data',
    data,
    '--fewshot-data',
    mmluFixtures,
    '--subjects',
    'astronomy',
    '--output-dir',
    reduxOut,
  );
  assert.equal(rr.code, 0, rr.stderr);
  const redux = JSON.parse(readFileSync(join(reduxOut, 'results.json'), 'utf8'));
  validateResults(redux);
  const rs = readFileSync(join(reduxOut, 'samples_astronomy.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  rs.forEach(validateSample);
  const task = redux.results.mmlu_redux_astronomy;
  assert.equal(task['acc,none'], subtaskStat(rs.map((s) => s.acc)).acc);
  const ok = rs.filter((s) => s.error_type === 'ok');
  assert.equal(ok.length, 3);
  assert.equal(task.n_ok, 3);
  assert.equal(task['acc_ok,none'], subtaskStat(ok.map((s) => s.acc)).acc);
  assert.equal(task['acc_ok_stderr,none'], subtaskStat(ok.map((s) => s.acc)).stderr);
  assert.equal(redux.groups.mmlu_redux['acc_ok,none'], task['acc_ok,none']);
  assert.deepEqual(Object.keys(redux.groups), ['mmlu_redux', 'mmlu_redux_stem']);
});

test('bad benchmark input: one error line naming the problem', () => {
  const bad = runCli('prompts', '--benchmark', 'arc_esay', '--data', data);
  assert.match(bad.stderr, /^pagebench: error: unknown benchmark "arc_esay" \(did you mean arc_easy\?\)/);
  const tmpl = runCli('prompts', '--benchmark', 'arc_easy', '--data', data, '--template', 'lm-eval');
  assert.match(tmpl.stderr, /--template lm-eval does not apply to arc_easy/);
  const split = runCli('prompts', '--benchmark', 'hellaswag', '--data', data, '--split', 'test');
  assert.match(split.stderr, /--split must be one of validation, got "test"/);
});

test("real MMLU: lm-eval's question.strip() is Python's (sociology test row 69 ends in U+0085, which JavaScript's trim keeps)", () => {
  // Expected: lm-eval's default MMLU doc_to_text rendered by python3 over the real CSV (csv module, str.strip()).
  for (const [subject, split] of [
    ['sociology', 'test'],
    ['nutrition', 'val'],
  ] as const) {
    const expected = python(
      String.raw`
import csv, json, sys
a = json.load(sys.stdin)
rows = list(csv.reader(open(a['file'], newline='', encoding='utf-8')))
out = [r[0].strip() + '\n' + '\n'.join('ABCD'[i] + '. ' + c for i, c in enumerate(r[1:5])) + '\nAnswer:' for r in rows]
print(json.dumps(out))`,
      { file: join(SHARED_MMLU, split, `${subject}_${split}.csv`) },
    ) as string[];
    const r = runCli('prompts', '--data', SHARED_MMLU, '--subjects', subject, '--split', split);
    assert.equal(r.code, 0, r.stderr);
    const desc = `The following are multiple choice questions (with answers) about ${subject}.\n\n`;
    const got = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l).context as string).slice(desc.length));
    assert.deepEqual(got, expected);
    if (subject === 'sociology') assert.ok(!got[69]!.includes('\u0085'), 'U+0085 stripped as Python strips it');
  }
});

test('data files must be valid UTF-8 (a BOM is accepted): an invalid one is refused naming file and byte offset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-utf8-'));
  for (const s of ['dev', 'test']) mkdirSync(join(dir, s));
  const row = (q: string) => `${q},a,b,c,d,A\n`;
  writeFileSync(join(dir, 'dev/anatomy_dev.csv'), row('Which bone?'));
  writeFileSync(
    join(dir, 'test/anatomy_test.csv'),
    Buffer.concat([
      Buffer.from(row('Fine?')),
      Buffer.from('Bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(',a,b,c,d,A\n'),
    ]),
  );
  const bad = runCli('prompts', '--data', dir, '--subjects', 'anatomy');
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /^pagebench: error: .*anatomy_test\.csv: not valid UTF-8 \(first invalid byte at offset 20\)/,
  );
  assert.equal(bad.stdout, '', 'nothing scored or printed');
  writeFileSync(
    join(dir, 'test/anatomy_test.csv'),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(row('Fine?'))]),
  );
  const bom = runCli('prompts', '--data', dir, '--subjects', 'anatomy');
  assert.equal(bom.code, 0, bom.stderr);
  assert.match(JSON.parse(bom.stdout).context, /\n\nFine\?\nA\. a/);
  const rows = writeBenchmarkFixtures();
  appendFileSync(join(rows, 'ARC-Easy/test.jsonl'), Buffer.from([0xff, 0x0a]));
  const arc = runCli('prompts', '--benchmark', 'arc_easy', '--data', rows);
  assert.match(arc.stderr, /ARC-Easy\/test\.jsonl: not valid UTF-8 \(first invalid byte at offset \d+\)/);
});

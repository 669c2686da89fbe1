import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CATEGORIES, SUBJECTS, resolveSubjects, subjectInfo } from '../../src/core/benchmarks/mmlu/subjects.ts';
import { SHARED_MMLU } from '../support/paths.ts';

test('57 subjects, 17 subcategories, 4 categories, matching the files of the real release', () => {
  assert.equal(SUBJECTS.length, 57);
  assert.equal(new Set(SUBJECTS.map((s) => s.subcategory)).size, 17);
  assert.equal(Object.keys(CATEGORIES).length, 4);
  assert.equal(Object.values(CATEGORIES).flat().length, 17);
  const files = readdirSync(`${SHARED_MMLU}/test`)
    .map((f) => f.replace(/_test\.csv$/, ''))
    .sort();
  assert.deepEqual(SUBJECTS.map((s) => s.id).sort(), files);
});

test('display names and the two taxonomies', () => {
  assert.equal(subjectInfo('high_school_us_history').name, 'High School US History');
  assert.equal(subjectInfo('high_school_government_and_politics').name, 'High School Government and Politics');
  // anatomy: "health" (other) in the paper's taxonomy, "stem" in lm-eval's groups
  assert.equal(subjectInfo('anatomy').category, 'other (business, health, misc.)');
  assert.equal(subjectInfo('anatomy').lmEvalGroup, 'stem');
  assert.equal(subjectInfo('formal_logic').category, 'humanities');
  const counts = { stem: 0, humanities: 0, social_sciences: 0, other: 0 };
  for (const s of SUBJECTS) counts[s.lmEvalGroup]++;
  assert.deepEqual(counts, { stem: 19, humanities: 13, social_sciences: 12, other: 13 });
});

test('subject selections: lists, all, groups; unknown names are errors', () => {
  assert.deepEqual(resolveSubjects('anatomy, virology'), ['anatomy', 'virology']);
  assert.equal(resolveSubjects('all').length, 57);
  assert.equal(resolveSubjects('stem').length, 19);
  assert.equal(resolveSubjects('stem,anatomy').length, 19);
  assert.throws(() => resolveSubjects('anatomy,astrology'), /unknown subject or group "astrology"/);
  assert.throws(() => resolveSubjects(''), /no subjects/);
});

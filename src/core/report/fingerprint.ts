import type { Question, SubjectData } from '../benchmarks/doc.ts';
import { buildPrompt } from '../templates/build.ts';
import type { TemplateSpec } from '../templates/template.ts';

/**
 * What can move a number besides the settings: the software and hardware a run used, and hashes
 * that change exactly when the template's rendering or the evaluated data change. Recorded in
 * results.json's `config.fingerprint`; compare and merge read it.
 */
export interface Fingerprint {
  /** "node 20.20.2", or the browser's name and version. */
  runtime: string;
  onnxruntime: string;
  transformers_js: string;
  threads: number | null;
  /** The WebGPU adapter where the run used WebGPU. */
  webgpu_adapter?: { vendor: string; architecture: string; is_fallback_adapter: boolean; shader_f16: boolean } | null;
  /** sha256 of the template's rendering of a fixed probe question with two shots (description, format, delimiters, labels). */
  template_sha256: string;
  /** sha256 of the evaluated questions and the few-shot rows (subject, row, question, choices, answer), in run order. */
  data_sha256: string;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const probe = (n: number): Question => ({
  subject: 'probe_subject',
  split: 'probe',
  docId: n,
  question: `  Probe question ${n}?  `,
  choices: ['first choice', 'second choice', 'third choice', 'fourth choice'],
  answer: n % 4,
});

/** A partial-scoring template's probe: a sentence with one blank and two options. */
const blankProbe = (n: number): Question => ({
  ...probe(n),
  question: `  Probe sentence ${n} with _ in it.  `,
  choices: ['first option', 'second option'],
  answer: n % 2,
});

/** Hash of what the template renders (any change to its description, format, delimiters or labels changes it). */
export function templateHash(t: TemplateSpec): Promise<string> {
  const q = t.partial ? blankProbe : probe;
  const p = buildPrompt(t, q(3), [q(1), q(2)]);
  return sha256Hex(
    JSON.stringify([
      t.id,
      p.context,
      p.continuations,
      p.target,
      t.scoring,
      t.overflow,
      ...(p.contexts ? [p.contexts] : []),
    ]),
  );
}

/**
 * Hash of the data a run evaluates: its questions (the limit applied) and the few-shot rows. Under
 * the v1 leaderboard's order (`shuffled`) a limit takes shuffled rows: every question is hashed.
 */
export function dataHash(data: readonly SubjectData[], limit?: number, shuffled = false): Promise<string> {
  const rows = (qs: readonly Question[]) => qs.map((q) => [q.docId, q.question, q.choices, q.answer]);
  const cut = shuffled ? undefined : limit;
  return sha256Hex(
    JSON.stringify(
      data.map((d) => [d.subject, rows(cut === undefined ? d.questions : d.questions.slice(0, cut)), rows(d.dev)]),
    ),
  );
}

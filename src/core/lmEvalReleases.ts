/**
 * The lm-evaluation-harness releases whose HF-backend semantics pagebench reproduces, as data.
 * Read at the release tags in EleutherAI/lm-evaluation-harness: lm_eval/models/huggingface.py
 * (HFLM.__init__'s add_bos_token, tok_encode, tok_batch_encode), lm_eval/models/utils.py
 * (_add_special_kwargs, has_bos_prefix), lm_eval/api/samplers.py and lm_eval/api/task.py.
 */
export interface LmEvalRelease {
  /** The release named in results (config.lm_eval_version) and on the command line. */
  version: string;
  /** The releases that share these semantics (tags read). */
  covers: string;
  /** Short, for a menu. */
  label: string;
  /**
   * What a context is encoded with when `add_bos_token` is left at its default:
   * 'tokenizer-default' (0.4.9.2+: add_bos_token=None, so no add_special_tokens argument and the
   * tokenizer's own default applies: a Llama/Gemma tokenizer adds BOS, GPT-2's does not);
   * 'off-except-gemma' (up to 0.4.9.1: add_special_tokens=False, True for a model_type containing "gemma");
   * 'off' (the v1 leaderboard's hf-causal-experimental: add_special_tokens=False for causal models).
   */
  bos: 'tokenizer-default' | 'off-except-gemma' | 'off';
  /** tok_encode/tok_batch_encode add no special tokens to a text that already begins with the BOS text. */
  bosPrefixRule: boolean;
  /**
   * Evaluation order and few-shot draws: 'per-task' (lm-eval 0.4: documents in file order, one
   * random.Random(1234) per task, k or k+1 draws per the task's splits: benchmarks/fewshot.ts);
   * 'shuffle42' (the v1 leaderboard's evaluator: the documents shuffled by random.Random(42), a
   * --limit taking the first of them, and each one's shots drawn k from that same generator:
   * benchmarks/leaderboardV1.ts).
   */
  sampler: 'per-task' | 'shuffle42';
  /** What changed against the release before it, for the README's table. */
  change: string;
}

export const LM_EVAL_RELEASES: readonly LmEvalRelease[] = [
  {
    version: '0.4.12',
    covers: 'v0.4.9.2 – v0.4.12',
    label: '0.4.12 (v0.4.9.2 – v0.4.12)',
    bos: 'tokenizer-default',
    bosPrefixRule: true,
    sampler: 'per-task',
    change:
      'PR #3347 (v0.4.9.2): add_bos_token defaults to None, so the tokenizer decides (Llama/Gemma add BOS); no special tokens for a text already starting with the BOS text; the Gemma special case removed',
  },
  {
    version: '0.4.9.1',
    covers: 'v0.4.0 – v0.4.9.1',
    label: '0.4.9.1 (v0.4.0 – v0.4.9.1)',
    bos: 'off-except-gemma',
    bosPrefixRule: false,
    sampler: 'per-task',
    change:
      'contexts encoded with add_special_tokens=False (no BOS), except Gemma models (model_type contains "gemma")',
  },
  {
    version: 'leaderboard-v1',
    covers:
      'b281b0921b636bc36ad05c0b0b0763bd6dd43463 (hf-causal-experimental), the harness the Open LLM Leaderboard v1 ran',
    label: "leaderboard-v1 (b281b09, the v1 leaderboard's harness)",
    bos: 'off',
    bosPrefixRule: false,
    sampler: 'shuffle42',
    change:
      'no BOS (add_special_tokens=False); documents shuffled by random.Random(42) and each one given k shots drawn from that generator (evaluator.py, base.py fewshot_context); MMLU keeps the first k dev rows',
  },
];

/** The release a run emulates unless told otherwise: the newest. */
export const LATEST_LM_EVAL = LM_EVAL_RELEASES[0]!.version;

/**
 * The release an older results.json emulated: pagebench wrote no lm_eval_version before it
 * followed 0.4.9.2's BOS default, and its 'lm-eval' BOS policy then meant 0.4.9.1's.
 */
export const LEGACY_LM_EVAL = '0.4.9.1';

export function lmEvalRelease(version: string | undefined): LmEvalRelease {
  const v = version ?? LATEST_LM_EVAL;
  const r = LM_EVAL_RELEASES.find((x) => x.version === v);
  if (!r)
    throw new Error(
      `unknown lm-eval release "${v}" (pagebench reproduces ${LM_EVAL_RELEASES.map((x) => x.version).join(', ')})`,
    );
  return r;
}

const parts = (v: string) => v.split(/[.+-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : -1));

/**
 * The reproduced release whose semantics a given lm-eval version has (an lm-eval results.json's
 * lm_eval_version, e.g. "0.4.8"), or null for a version string that is not one.
 */
export function semanticsOf(version: string): LmEvalRelease | null {
  if (!/^\d+\.\d+\.\d+/.test(version)) return null;
  const v = parts(version);
  const atLeast = (w: string) => {
    const u = parts(w);
    for (let i = 0; i < Math.max(u.length, v.length); i++) {
      const a = v[i] ?? 0;
      const b = u[i] ?? 0;
      if (a !== b) return a > b;
    }
    return true;
  };
  return atLeast('0.4.9.2') ? lmEvalRelease('0.4.12') : lmEvalRelease('0.4.9.1');
}

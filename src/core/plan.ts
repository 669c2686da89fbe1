import type { SubjectData } from './benchmarks/doc.ts';
import type { EvalSettings } from './records.ts';
import { makeFits, runPrompts } from './prompts.ts';
import { questionRequest, type Encode } from './scoring/requests.ts';
import type { ChatOptions } from './templates/chat.ts';

/** What a run will send to the model, counted from the tokenizer and the data alone (no weights). */
export interface RunPlan {
  questions: number;
  /** Questions whose input does not fit the model window and is left-truncated (or loses shots). */
  truncated: number;
  /** Questions that keep fewer shots than asked ('drop-shots' templates). */
  shotsDropped: number;
  /** Σ input tokens, the unit of the runs' prompt tokens/s. */
  promptTokens: number;
  maxLength: number;
}

export function planRun(
  encode: Encode,
  maxLength: number,
  data: SubjectData[],
  settings: Pick<EvalSettings, 'benchmark' | 'template' | 'shots' | 'limit' | 'description'>,
  chat?: ChatOptions,
): RunPlan {
  const { template: t, items } = runPrompts(settings, data, { fits: makeFits(encode, maxLength), chat });
  const plan: RunPlan = { questions: 0, truncated: 0, shotsDropped: 0, promptTokens: 0, maxLength };
  for (const item of items) {
    plan.questions++;
    if (item.shotsUsed < settings.shots) plan.shotsDropped++;
    if (t.scoring === 'generate') {
      const n = encode(item.prompt.context).length;
      const budget = maxLength - (t.generation?.maxNewTokens ?? 0);
      plan.promptTokens += Math.min(n, budget);
      if (n > budget) plan.truncated++;
      continue;
    }
    const req = questionRequest(item.prompt, encode, maxLength);
    plan.promptTokens += Math.max(...req.choices.map((c) => c.input.length));
    if (req.choices.some((c) => c.truncated)) plan.truncated++;
  }
  return plan;
}

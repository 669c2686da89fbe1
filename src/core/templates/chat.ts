import type { Question } from '../benchmarks/doc.ts';
import { buildPrefix } from './build.ts';
import type { PromptInstance, TemplateSpec } from './template.ts';

export type { ChatMode } from '../records.ts';
import type { ChatMode } from '../records.ts';
export const CHAT_MODES: readonly ChatMode[] = ['none', 'single', 'multiturn'];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
/** The tokenizer's chat template with the generation prompt appended, as text. */
export type ApplyChat = (messages: ChatMessage[]) => string;

export interface ChatOptions {
  mode: Exclude<ChatMode, 'none'>;
  apply: ApplyChat;
  system?: string;
}

/**
 * A chat variant's prompt. single: the whole plain prompt as one user turn; multiturn: each shot a
 * user turn (the description leading the first) answered by an assistant turn with its label. The
 * choices are scored as the assistant's reply: the labels without the target delimiter.
 */
export function chatPrompt(
  t: TemplateSpec,
  q: Question,
  shots: readonly Question[],
  mode: Exclude<ChatMode, 'none'>,
  apply: ApplyChat,
  system?: string,
): PromptInstance {
  if (t.partial)
    throw new Error(
      `template ${t.id} scores each choice in its own context (partial scoring): a chat template cannot hold that`,
    );
  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  if (mode === 'single') {
    messages.push({ role: 'user', content: buildPrefix(t, q.subject, shots) + t.formatQuestion(q) });
  } else {
    const description = t.description(q.subject);
    shots.forEach((s, i) => {
      messages.push({ role: 'user', content: (i === 0 ? description : '') + t.formatQuestion(s) });
      messages.push({ role: 'assistant', content: t.choices(s)[s.answer]! });
    });
    messages.push({ role: 'user', content: (shots.length === 0 ? description : '') + t.formatQuestion(q) });
  }
  return { context: apply(messages), continuations: t.choices(q), target: q.answer };
}

/** The chat template of a tokenizer, with a clear error where it has none. */
export function chatApplier(tokenizer: unknown, name: string): ApplyChat {
  const tok = tokenizer as { chat_template?: unknown; apply_chat_template(m: unknown, o: unknown): unknown };
  return (messages) => {
    if (!tok.chat_template) throw new Error(`${name} has no chat template: chat variants need one`);
    return tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
  };
}

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the checkout (the real MMLU, stories260K, the GPT-2 tokenizer). */
export const SHARED = resolve(REPO, '../shared');
export const SHARED_MMLU = resolve(SHARED, 'mmlu');
export const STORIES = resolve(SHARED, 'models/stories260K');
export const GPT2_TOKENIZER = resolve(SHARED, 'tokenizers/gpt2');

if (!existsSync(SHARED_MMLU)) throw new Error(`../shared is missing: expected ${SHARED_MMLU}`);

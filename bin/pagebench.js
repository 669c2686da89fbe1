#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx pagebench` works straight after `npm ci`.
import { register } from 'tsx/esm/api';

register();
// Help loads no runtime (ONNX, tokenizers): it answers at once.
const { helpFor } = await import('../src/cli/help.ts');
const help = helpFor(process.argv.slice(2));
if (help) {
  process.stdout.write(help.text);
  process.exitCode = help.code;
} else await import('../src/cli/main.ts');

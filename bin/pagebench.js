#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx pagebench` works straight after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths.ts';

/** Runs the real CLI (bin/pagebench.js) in a child process. */
export function runCli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/pagebench.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

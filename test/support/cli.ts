import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHARED_MMLU, STORIES } from './paths.ts';

/** Runs the real CLI (bin/pagebench.js) in a child process. */
export function runCli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return runCliEnv({}, ...args);
}

/** runCli with extra environment variables (e.g. PAGEBENCH_CACHE). */
export function runCliEnv(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/pagebench.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `pagebench <command> --model <model> --data ../shared/mmlu <args>` (stories260K unless a model is given). */
export function storiesCli(command: 'run' | 'study', args: string[], model = STORIES) {
  return runCli(command, '--model', model, '--data', SHARED_MMLU, ...args);
}

/** The samples_<subject>.jsonl lines of an output folder, keyed subject/doc_id. */
export function readSamples(dir: string): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(dir).filter((f) => f.startsWith('samples_')))
    for (const line of readFileSync(join(dir, f), 'utf8').trim().split('\n')) {
      const s = JSON.parse(line) as Record<string, unknown>;
      m.set(`${s.subject as string}/${s.doc_id as number}`, s);
    }
  return m;
}

/** The CLI in a child process without blocking this one (a server in this process can answer it). */
export function runCliAsync(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(REPO, 'bin/pagebench.js'), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

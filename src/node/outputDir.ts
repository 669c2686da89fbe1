import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
  accessSync,
  constants,
  existsSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Output written all-or-nothing: files go to a hidden staging folder inside the output folder and
 * are moved in place only by commit(); abort() removes the staging folder.
 */
export class StagedOutput {
  private readonly staging: string;
  private readonly names: string[] = [];

  constructor(readonly dir: string) {
    try {
      if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error('it is not a folder');
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      this.staging = mkdtempSync(join(dir, '.pagebench-partial-'));
    } catch (e) {
      throw new Error(`output folder ${dir} is not writable: ${(e as Error).message}`);
    }
  }

  /** `name` may hold one folder level (a study's `<variant>/results.json`). */
  write(name: string, content: string): void {
    mkdirSync(dirname(join(this.staging, name)), { recursive: true });
    writeFileSync(join(this.staging, name), content);
    this.names.push(name);
  }

  commit(): void {
    // results.json after the samples and study.json last, so a reader never sees a summary without its parts.
    const rank = (n: string) => (n === 'study.json' ? 2 : basename(n) === 'results.json' ? 1 : 0);
    const ordered = [...this.names].sort((a, b) => rank(a) - rank(b));
    for (const n of ordered) {
      mkdirSync(dirname(join(this.dir, n)), { recursive: true });
      renameSync(join(this.staging, n), join(this.dir, n));
    }
    rmSync(this.staging, { recursive: true, force: true });
  }

  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }
}

/** Resident memory of a process and its descendants, from /proc (Linux): a browser's real footprint. */
import { readdirSync, readFileSync } from 'node:fs';

function children(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(ppid, [...(out.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The pid of the process whose command line contains `marker` (e.g. a browser's --user-data-dir). */
export function findProcess(marker: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.includes(marker)) && !cmd[0]!.endsWith('node')) return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** Sum of VmRSS (bytes) over `pid` and every descendant. */
export function treeRss(pid: number): number {
  const kids = children();
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      // gone
    }
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

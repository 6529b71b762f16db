/**
 * The processes under a verify run's vitest (Linux: read from /proc), and ending them all.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Every process under `pid` (Linux: read from /proc), children first found first. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the fields after its closing one.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // gone already
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Kills a verify run's vitest process, its process group, and every process under it (a browser or
 * redis-server a spec started may have made its own group).
 */
export function killTree(pid: number): void {
  const all = descendants(pid);
  for (const target of [-pid, pid, ...all]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of all) {
    try {
      process.kill(-child, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
  }
}

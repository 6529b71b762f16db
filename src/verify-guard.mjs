// Loaded with `node --import` into each vitest process of the verify stage (see src/verify.ts). That process
// runs in its own process group, so neither Ctrl-C in the terminal nor the end of the build reaches
// it by itself; when the build is gone (killed, even with kill -9), this ends the process, its group
// and everything under it, instead of leaving a spec spinning forever. Plain JavaScript: it runs
// before any TypeScript loader.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Every process under `pid`, read from /proc (Linux). */
function descendants(pid) {
  const parents = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone already
    }
  }
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

if (isMainThread && process.env.VERIFY_EVENTS) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    // The run's temporary folder (config, events, report), which the build would have removed.
    try {
      rmSync(dirname(process.env.VERIFY_EVENTS), { recursive: true, force: true });
    } catch {
      // nothing to remove
    }
    for (const pid of descendants(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }, 500).unref();
}

/**
 * The processes a build starts or finds: their state from /proc, whether the build that made a
 * folder still runs, and the child (typedoc) a killed build left running.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';

let bootSeconds: number | undefined;

/** A process's state, group and start time from /proc (Linux); undefined when it is gone or there is no /proc. */
export function processInfo(pid: number): { state: string; group: number; startMs: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's name in parentheses: field 3 (state), 5 (process group), 22 (start, in clock ticks after boot).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    bootSeconds ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
    return {
      state: fields[0] ?? '',
      group: Number(fields[2]),
      startMs: (bootSeconds + Number(fields[19]) / 100) * 1000,
    };
  } catch {
    return undefined;
  }
}

/** Whether the process is gone: no such pid, or a zombie (ended, waiting to be reaped). */
export function ended(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return true;
  }
  return processInfo(pid)?.state === 'Z';
}

/**
 * Whether the build that made a folder at `createdMs` can still be running: its pid is this
 * process, or a live process that started before the folder was made (a later one got its pid).
 */
export function buildRunning(pid: number, createdMs: number): boolean {
  if (pid === process.pid) return true;
  if (ended(pid)) return false;
  const info = processInfo(pid);
  return !info || info.startMs <= createdMs + 5_000; // /proc's boot time is to the second
}

/** What a build records of its typedoc child, in `<api folder>/typedoc.pid`. */
export interface ChildRecord {
  pid: number;
  argv: string[];
}

/**
 * Ends the process group of a typedoc that a killed build left running into `folder`, if the
 * recorded pid is really that typedoc: its command line (/proc/PID/cmdline) is the recorded one,
 * which writes into this folder, and it leads its own group. Waits until it has ended.
 */
export async function endLeftoverChild(folder: string): Promise<void> {
  let record: ChildRecord;
  try {
    record = JSON.parse(readFileSync(join(folder, 'typedoc.pid'), 'utf8')) as ChildRecord;
  } catch {
    return;
  }
  const { pid, argv } = record;
  if (!Number.isInteger(pid) || pid <= 1 || !Array.isArray(argv)) return;
  const at = argv.indexOf('--out');
  const into = at < 0 ? undefined : argv[at + 1];
  try {
    // Our typedoc writes into this very folder; and its command line must be the one recorded.
    if (typeof into !== 'string' || realpathSync(dirname(into)) !== realpathSync(folder)) return;
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== `${argv.join('\0')}\0`) return;
  } catch {
    return; // gone, or no /proc to make sure: never kill a process we cannot identify
  }
  if (processInfo(pid)?.group !== pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    return;
  }
  // SIGKILL cannot be caught; it ends as soon as the kernel gets to it.
  for (let i = 0; i < 500 && !ended(pid); i++) await sleep(10);
}

/** Ends the child's process group when this process exits or is told to stop by a signal. Returns the undo. */
export function endWithThisProcess(child: ChildProcess): () => void {
  const end = () => {
    try {
      if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  const signals = isMainThread ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : [];
  const handlers = signals.map((signal) => {
    const handler = () => {
      end();
      undo();
      // With no one else listening, die of the signal as this process would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on('exit', end);
  const undo = () => {
    process.off('exit', end);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  return undo;
}

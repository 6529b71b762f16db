/**
 * Runs a command as a whole process and times it, with a hard time limit.
 * @module
 */
import { spawn } from 'node:child_process';

export interface Timed {
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (and the run reported as failed) after this many milliseconds. */
  timeoutMs: number;
}

/** Spawns `command args…` (no shell), waits for it, and returns its wall time and output. */
export function timed(command: string, args: string[], options: RunOptions): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      stderr += `\n[bench] killed after ${options.timeoutMs} ms`;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/**
 * A Redis server for specs (chapter 20) and the store benchmark. Uses `REDIS_URL` when it is set;
 * otherwise starts `redis-server` from PATH on a free loopback port, with persistence off, and
 * stops it afterwards. Without either: outside CI the Redis specs are skipped
 * ({@link skipRedis}); under `CI=true` they run and fail with a clear message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The first `redis-server` on PATH, or `undefined`. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** True when there is neither a `REDIS_URL` nor a `redis-server` to start. */
export const redisMissing = !process.env.REDIS_URL && findRedisServer() === undefined;

/** Skip Redis specs only when Redis is missing and this is not CI (where that is a failure). */
export const skipRedis = redisMissing && process.env.CI !== 'true';

export interface RedisHandle {
  /** `redis://127.0.0.1:PORT` for a server started here, or `REDIS_URL`. */
  url: string;
  /** Stops a server started here; does nothing for `REDIS_URL`. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts (or reuses, from `REDIS_URL`) a Redis server for a spec or script. */
export async function startRedis(): Promise<RedisHandle> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      'Redis is required here (CI=true): set REDIS_URL or install redis-server (apt-get install redis-server)',
    );
  }
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: 'ignore' },
  );
  await waitForPort(port, child, 5000);
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** Ends a child process with SIGTERM and resolves once it has exited (at once if it already has). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

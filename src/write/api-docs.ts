/**
 * The API docs: typedoc, run as a child in its own process group while the other stages run, or,
 * when nothing it reads has changed since a build kept its output, copied from that output.
 *
 * typedoc takes 2-4 s, longer than everything else a build does when the verify cache has the
 * chapters' results. Its output depends only on `src/` (its doc comments and types), typedoc's and
 * TypeScript's configuration, the installed packages (the lockfile) and Node: {@link apiDocsKey}
 * hashes exactly those, and a kept copy is used only under the same key. A `src/` test file is not
 * documented (typedoc.json excludes them) and is left out of the key.
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { Hasher, listFiles } from '../hash.ts';
import { outputError, removeQuietly, resolveOutput, sibling } from './output.ts';
import { type ChildRecord, endWithThisProcess, ended } from './processes.ts';

/** Bumped when the way typedoc is run changes: every kept copy is then ignored. */
const FORMAT = 1;

/** Files of the project root that typedoc's output depends on. */
export const API_DOCS_FILES = [
  'typedoc.json',
  'tsconfig.typedoc.json',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
];

/** The hash of everything typedoc's output depends on: `src/` (test files aside), its configuration, the lockfile, Node. */
export function apiDocsKey(root: string): string {
  const hash = new Hasher();
  hash.add('format', String(FORMAT));
  for (const name of API_DOCS_FILES) {
    const path = join(root, name);
    hash.add(name, existsSync(path) ? readFileSync(path) : '(absent)');
  }
  for (const name of listFiles(join(root, 'src'))) {
    if (/\.test\.[cm]?[jt]s$/.test(name)) continue;
    hash.add(`src/${name}`, readFileSync(join(root, 'src', name)));
  }
  hash.add('node', process.versions.node);
  return hash.digest();
}

/** Where `startApiDocs` finds and keeps typedoc's output. */
export interface ApiDocsOptions {
  /** The folder of kept outputs (`.cache/api`), one per key; without it typedoc always runs. */
  cache?: string;
}

/** Keeps a complete copy of `docs` as `<cache>/<key>`, whole or not at all, and removes the copies of other keys. */
async function keep(docs: string, cache: string, key: string): Promise<void> {
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `.tmp-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await cp(docs, tmp, { recursive: true });
    if (existsSync(join(cache, key))) return; // another build kept the same docs first
    renameSync(tmp, join(cache, key));
  } finally {
    removeQuietly(tmp);
  }
  for (const name of readdirSync(cache)) {
    const leftover = /^\.tmp-(\d+)-/.exec(name);
    if (name === key || (leftover && !ended(Number(leftover[1])))) continue;
    removeQuietly(join(cache, name));
  }
}

/** A typedoc run in progress, in its own process group, writing into a folder next to the site. */
export interface ApiDocsJob {
  /** The job's folder: `typedoc.pid` (the child's pid and command line) and `out/`. */
  dir: string;
  /** Where typedoc writes the docs: `<dir>/out`. */
  docs: string;
  /** Settles when typedoc has ended; rejects when it failed. */
  done: Promise<void>;
  /** Ends typedoc's process group if it still runs, waits for it, and removes the job's folder. */
  stop(): Promise<void>;
  /** `typedoc`: typedoc runs; `cache`: its output is copied from a kept one with the same {@link apiDocsKey}. */
  source: 'typedoc' | 'cache';
}

/**
 * Starts typedoc for the project at `root`, into a fresh folder next to `out` (next to the folder
 * `out` stands for, when it is the user's symlink). Start it early: it needs nothing from the other
 * stages. {@link writeSite} waits for it and moves the docs in.
 *
 * typedoc runs in its own process group (it is two processes: its command line forks its CLI),
 * which is ended as a whole by {@link ApiDocsJob.stop}, when this process exits or is stopped by a
 * signal, and, after a `kill -9` of this process, by the next build ({@link prepareOutput}), which
 * finds its pid and command line in `typedoc.pid`.
 *
 * With `options.cache`, a kept output under the same {@link apiDocsKey} is copied instead of running
 * typedoc, and a successful run's output is kept there for the next build (a failure to keep it is
 * not the build's failure).
 */
export function startApiDocs(root: string, out: string, options: ApiDocsOptions = {}): ApiDocsJob {
  const output = resolveOutput(out);
  const dir = sibling(output.path, 'api');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw outputError(output, error);
  }
  const docs = join(dir, 'out');
  const key = options.cache ? apiDocsKey(root) : undefined;
  const kept = options.cache && key ? join(options.cache, key) : undefined;
  if (kept && existsSync(join(kept, 'index.html'))) {
    const copied = cp(kept, docs, { recursive: true, errorOnExist: true, force: false });
    const done = copied.then(() => {
      if (!existsSync(join(docs, 'index.html'))) throw new Error(`the API docs kept in ${kept} have no index.html`);
    });
    done.catch(() => {}); // reported when awaited
    return {
      dir,
      docs,
      done,
      source: 'cache',
      async stop() {
        await copied.catch(() => {});
        removeQuietly(dir);
      },
    };
  }
  const argv = [
    process.execPath,
    join(root, 'node_modules/typedoc/bin/typedoc'),
    '--options',
    join(root, 'typedoc.json'),
    '--out',
    docs,
  ];
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
    detached: true,
  });
  if (child.pid)
    writeFileSync(join(dir, 'typedoc.pid'), JSON.stringify({ pid: child.pid, argv } satisfies ChildRecord));
  const undo = endWithThisProcess(child);
  let printed = '';
  child.stdout?.on('data', (c: Buffer) => (printed += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (printed += c.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveClosed) => {
    child.on('error', (error) => resolveClosed({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolveClosed({ code, signal }));
  }).finally(undo);
  let stopped = false;
  const done = closed.then(async ({ code, signal, error }) => {
    if (error) throw error;
    if (stopped) throw new Error('typedoc was stopped');
    if (code !== 0 || !existsSync(join(docs, 'index.html')))
      throw new Error(`typedoc failed (${signal ? `signal ${signal}` : `exit ${code}`}):\n${printed.slice(-3000)}`);
    if (options.cache && key) await keep(docs, options.cache, key).catch(() => {});
  });
  done.catch(() => {}); // reported when awaited
  return {
    dir,
    docs,
    done,
    source: 'typedoc',
    async stop() {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        stopped = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
      await closed;
      removeQuietly(dir);
    },
  };
}

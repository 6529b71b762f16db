/**
 * Stage 4, write: lays the rendered files out in a temporary folder next to the output as they come
 * (the render streams them), adds the search index (pagefind) and the API docs (typedoc), and only
 * then swaps the folder into place.
 * A build that fails at any point leaves the previous site untouched and no half-written folder.
 *
 * Beyond a site's first files, a worker thread writes them ({@link FileWriter}): creating a file is
 * the expensive part (on the project's machines, ext4 in a VM, about 0.4–2 ms of kernel time per new
 * file or folder, against a few microseconds for the bytes), so the render goes on on the main
 * thread while the worker creates the previous pages' files on the other core; and a file whose
 * bytes are the previous site's is linked to it rather than created again.
 * @module
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SiteFile } from './types.ts';

export interface WriteOptions {
  /** The site folder to produce, e.g. `<root>/site`. */
  out: string;
  /** Build the pagefind search index into `pagefind/`. */
  search: boolean;
  /** API docs being built by {@link startApiDocs} (they take the longest, so they start first), or false. */
  apiDocs: ApiDocsJob | false;
  /** Called when a sub-step starts, e.g. `search index`, with its result when done. */
  onStep?: (step: string, ms: number, detail?: string) => void;
}

/** The folders a build makes next to `out`: `.site.tmp-…`, `.site.old-…`, `.site.api-…`, each `-<pid>-<time>`. */
const SIBLING = /^\.(.+)\.(tmp|old|api)-(\d+)-[0-9a-z]+$/;

/** A folder name next to `out` that no other build uses. */
function sibling(out: string, tag: 'tmp' | 'old' | 'api'): string {
  return join(dirname(out), `.${basename(out)}.${tag}-${process.pid}-${Date.now().toString(36)}`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
  }
}

/**
 * Folders next to `out` left by builds that did not finish (their process is gone: killed, or the
 * machine stopped): a temporary site, an old site not yet removed, API docs not yet moved in.
 * A build still running (its process alive) keeps its folders.
 */
export function leftovers(out: string): string[] {
  const parent = dirname(out);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names) {
    const match = SIBLING.exec(name);
    if (match && match[1] === basename(out) && !alive(Number(match[3]))) found.push(join(parent, name));
  }
  return found.sort();
}

/**
 * Writing one file, as source text, so that one copy of the code runs on the caller's thread (a
 * site's first files) and in the worker (the rest): given `fs`, `path`, the folder, the previous
 * site (or undefined) and the set of folders already made, it returns `(relativePath, content) =>
 * linked`. It makes the file's folders, each once, without `recursive`; it hard-links the previous
 * site's file when that is a plain file of one name holding exactly these bytes (`true`), else
 * writes a new file (`false`).
 */
const WRITE_ONE = `(fs, path, root, previous, folders) => {
  function folder(dir) {
    if (folders.has(dir)) return;
    if (dir === root) fs.mkdirSync(dir, { recursive: true });
    else {
      folder(path.dirname(dir));
      fs.mkdirSync(dir);
    }
    folders.add(dir);
  }
  function unchanged(file, content) {
    let fd;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return false;
    }
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      const stat = fs.fstatSync(fd);
      // nlink 1: the file is the previous site's alone (not also a name elsewhere, which could change it).
      return stat.isFile() && stat.nlink === 1 && stat.size === bytes.byteLength && fs.readFileSync(fd).equals(bytes);
    } catch {
      return false;
    } finally {
      fs.closeSync(fd);
    }
  }
  return (rel, content) => {
    const target = path.join(root, rel);
    folder(path.dirname(target));
    if (previous !== undefined) {
      const before = path.join(previous, rel);
      if (unchanged(before, content)) {
        try {
          fs.linkSync(before, target);
          return true;
        } catch {}
      }
    }
    fs.writeFileSync(target, content);
    return false;
  };
}`;

type WriteOne = (path: string, content: string | Uint8Array) => boolean;

/**
 * The worker: messages in order, `{ path, content, size }` writes one file and answers
 * `{ written: size, linked }`, or `{ error, path }` after which it writes nothing more (but still
 * answers each file); `{ flush: n }` answers `{ flushed: n }` once everything before it is done.
 * CommonJS, started with `eval`: the same from the TypeScript sources, under vitest and in a bundle.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const writeOne = (${WRITE_ONE})(require('node:fs'), require('node:path'), workerData.root, workerData.previous, new Set(workerData.folders));
let failed = false;
parentPort.on('message', (m) => {
  if (m.flush !== undefined) return parentPort.postMessage({ flushed: m.flush });
  if (failed) return parentPort.postMessage({ written: m.size, linked: false });
  try {
    parentPort.postMessage({ written: m.size, linked: writeOne(m.path, m.content) });
  } catch (error) {
    failed = true;
    parentPort.postMessage({ error: error && error.message ? error.message : String(error), path: m.path });
  }
});
`;

type FromWorker = { written: number; linked: boolean } | { flushed: number } | { error: string; path: string };

const READY: Promise<void> = Promise.resolve();

/**
 * Writes files under one folder, refusing paths outside it and a path given twice (checked at once,
 * on the caller's thread). The first `inline` files are written at once on the caller's thread (a
 * small site is done before a thread would have started); then a worker thread takes over and
 * writes the rest in order while the caller goes on rendering: {@link write} returns at once unless
 * more than `limit` characters are waiting, {@link flush} waits until every file given so far is on
 * disk (or rejects with the first error), {@link close} stops the worker. The worker keeps the
 * process alive only while it has work.
 *
 * With `previous` (the site being replaced), a file whose bytes are exactly those of the previous
 * site's file at the same path is hard-linked to it instead of created: creating files is
 * what costs, and a rebuild mostly reproduces the same bytes. Neither copy is ever written in place
 * (a changed file is always a new file in the new folder), so the previous site stays as it was
 * until the swap, and once it is removed the link is an ordinary file.
 */
export interface FileWriterOptions {
  /** A folder whose unchanged files are linked rather than written again (the site being replaced). */
  previous?: string;
  /** How many files are written on the caller's thread before the worker starts (default 64). */
  inline?: number;
  /** Characters given but not yet written beyond which {@link FileWriter.write} makes the caller wait. */
  limit?: number;
}

/** See {@link FileWriterOptions}. */
export class FileWriter {
  private readonly seen = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly writeOne: WriteOne;
  private readonly previous: string | undefined;
  private readonly inline: number;
  private readonly limit: number;
  private worker: Worker | undefined;
  /** Messages sent to the worker and not answered yet (files and flushes). */
  private outstanding = 0;
  /** Characters given to the worker and not on disk yet. */
  private waiting = 0;
  private failure: Error | undefined;
  private room: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly flushes = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private flushCount = 0;
  private closed: Promise<void> | undefined;
  /** How many files were hard-linked from the previous site (so far, of those written). */
  linked = 0;

  constructor(
    readonly dir: string,
    options: FileWriterOptions = {},
  ) {
    this.previous = options.previous;
    this.inline = options.inline ?? 64;
    this.limit = options.limit ?? 4 * 1024 * 1024;
    this.writeOne = (new Function(`return ${WRITE_ONE}`)() as (...args: unknown[]) => WriteOne)(fs, path, dir, this.previous, this.folders);
  }

  /** How many files were given. */
  get count(): number {
    return this.seen.size;
  }

  /** Checks the path and writes the file or hands it to the worker; the promise resolves when there is room for more. */
  write(file: SiteFile): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the file writer is closed');
    if (file.path.startsWith('/') || file.path.split('/').includes('..')) throw new Error(`refusing to write outside the site: ${file.path}`);
    if (this.seen.has(file.path)) throw new Error(`two files with one path: ${file.path}`);
    this.seen.add(file.path);
    if (!this.worker && this.seen.size <= this.inline) {
      try {
        if (this.writeOne(file.path, file.content)) this.linked++;
      } catch (error) {
        this.failure = new Error(`${(error as Error).message} (writing ${file.path})`);
        throw this.failure;
      }
      return READY;
    }
    const size = file.content.length;
    this.send({ path: file.path, content: file.content, size });
    this.waiting += size;
    if (this.waiting <= this.limit) return READY;
    return new Promise((resolve, reject) => (this.room = { resolve, reject }));
  }

  /** Resolves when every file given so far is on disk; rejects with the first error. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the file writer is closed'));
    if (!this.worker) return READY;
    const n = ++this.flushCount;
    const done = new Promise<void>((resolve, reject) => this.flushes.set(n, { resolve, reject }));
    this.send({ flush: n });
    return done;
  }

  /** Stops the worker (a file being written is finished, the ones waiting are dropped). */
  close(): Promise<void> {
    this.closed ??= this.worker ? this.worker.terminate().then(() => {}) : READY;
    this.fail(new Error('the file writer is closed'), false);
    return this.closed;
  }

  private start(): Worker {
    // Plain CommonJS: no need for the parent's flags (under tsx, `--import tsx` would load a TypeScript loader into it).
    const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { root: this.dir, previous: this.previous, folders: [...this.folders] } });
    worker.unref();
    worker.on('message', (m: FromWorker) => this.answer(m));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the file writer stopped (exit code ${code})`));
    });
    return worker;
  }

  private send(message: object): void {
    this.worker ??= this.start();
    if (this.outstanding++ === 0) this.worker.ref();
    this.worker.postMessage(message);
  }

  private answer(m: FromWorker): void {
    if (this.closed) return;
    if (--this.outstanding === 0) this.worker?.unref();
    if ('written' in m) {
      this.waiting -= m.written;
      if (m.linked) this.linked++;
      if (this.room && this.waiting <= this.limit / 2) {
        this.room.resolve();
        this.room = undefined;
      }
    } else if ('flushed' in m) {
      this.flushes.get(m.flushed)?.resolve();
      this.flushes.delete(m.flushed);
    } else if ('error' in m) {
      this.fail(new Error(`${m.error} (writing ${m.path})`));
    }
  }

  /** Rejects whoever waits; the first error is the one reported (`record` false: waiters only). */
  private fail(error: Error, record = true): void {
    if (record) this.failure ??= error;
    const reason = this.failure ?? error;
    this.room?.reject(reason);
    this.room = undefined;
    for (const f of this.flushes.values()) f.reject(reason);
    this.flushes.clear();
  }
}

/** Writes the files under `dir`. */
export async function writeFiles(dir: string, files: Iterable<SiteFile> | AsyncIterable<SiteFile>): Promise<void> {
  const writer = new FileWriter(dir);
  try {
    for await (const file of files) await writer.write(file);
    await writer.flush();
  } finally {
    await writer.close();
  }
}

/** Indexes the site's HTML with pagefind (its Node API) into `<dir>/pagefind/`. Returns the page count. */
export async function buildSearchIndex(dir: string): Promise<number> {
  const pagefind = await import('pagefind');
  try {
    const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en', excludeSelectors: ['details.ev'] }); // evidence: transcripts, not prose
    if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
    const added = await index.addDirectory({ path: dir });
    if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
    const written = await index.writeFiles({ outputPath: join(dir, 'pagefind') });
    if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
    return added.page_count;
  } finally {
    await pagefind.close();
  }
}

/** A typedoc run in progress, writing into a folder next to the site. */
export interface ApiDocsJob {
  dir: string;
  done: Promise<void>;
}

/**
 * Starts typedoc for the project at `root`, into a fresh folder next to `out`. Start it early: it
 * needs nothing from the other stages. {@link writeSite} waits for it and moves the folder in.
 */
export function startApiDocs(root: string, out: string): ApiDocsJob {
  mkdirSync(dirname(out), { recursive: true });
  const dir = sibling(out, 'api');
  const done = buildApiDocs(root, dir);
  done.catch(() => {}); // reported when awaited
  return { dir, done };
}

/** Runs typedoc (the project's typedoc.json) with its output in `out`. */
export async function buildApiDocs(root: string, out: string): Promise<void> {
  const bin = join(root, 'node_modules/typedoc/bin/typedoc');
  const args = [bin, '--options', join(root, 'typedoc.json'), '--out', out];
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, output: text }));
  });
  if (code !== 0 || !existsSync(join(out, 'index.html'))) throw new Error(`typedoc failed (exit ${code}):\n${output.slice(-3000)}`);
}

/** What happens after the pages are in the temporary folder: search index, API docs, the swap. */
export type FinishOptions = Omit<WriteOptions, 'out'>;

/**
 * A site being written: pages go into a temporary folder next to `out` as they come
 * ({@link SiteWriter.write}, written by a worker thread while the caller renders on), and
 * {@link SiteWriter.finish} waits for them, adds the search index and the API docs and swaps the
 * folder into place. Until then `out` is untouched; {@link SiteWriter.abort} (a no-op after
 * `finish`) stops the worker and removes the temporary folder, so a failed build leaves nothing
 * behind. Folders left next to `out` by builds whose process died are removed on the way.
 */
export class SiteWriter {
  readonly tmp: string;
  private readonly files: FileWriter;
  private done = false;

  constructor(readonly out: string) {
    mkdirSync(dirname(out), { recursive: true });
    this.tmp = sibling(out, 'tmp');
    for (const dir of leftovers(out)) rmSync(dir, { recursive: true, force: true });
    this.files = new FileWriter(this.tmp, { previous: out });
  }

  /** How many files were given. */
  get count(): number {
    return this.files.count;
  }

  /** How many of the files written were the previous site's, unchanged (hard-linked, not created). */
  get linked(): number {
    return this.files.linked;
  }

  /** Hands one file to the writer (see {@link FileWriter.write}); await it to keep memory bounded. */
  write(file: SiteFile): Promise<void> {
    if (this.done) throw new Error('the site is already finished');
    return this.files.write(file);
  }

  /** Waits for the pages, then search index, API docs and the swap into `out`. The temporary folder is gone afterwards, whatever happens. */
  async finish(options: FinishOptions): Promise<void> {
    if (this.done) throw new Error('the site is already finished');
    this.done = true;
    const { out, tmp } = this;
    try {
      await this.files.flush();
      const closed = this.files.close(); // the worker is idle now: it stops while the rest goes on
      mkdirSync(tmp, { recursive: true }); // a site of no files is still a folder
      if (options.search) {
        const t = performance.now();
        const pages = await buildSearchIndex(tmp);
        options.onStep?.('search index (pagefind)', Math.round(performance.now() - t), `${pages} pages indexed`);
      }
      if (options.apiDocs) {
        const t = performance.now();
        await options.apiDocs.done;
        renameSync(options.apiDocs.dir, join(tmp, 'api'));
        options.onStep?.('API docs (typedoc, started with find)', Math.round(performance.now() - t), 'waited for');
      }
      // The swap: the old site moves aside, the new one takes its name, the old one goes.
      const old = sibling(out, 'old');
      if (existsSync(out)) renameSync(out, old);
      try {
        renameSync(tmp, out);
      } catch (error) {
        if (existsSync(old)) renameSync(old, out);
        throw error;
      }
      rmSync(old, { recursive: true, force: true });
      await closed;
    } finally {
      await this.files.close();
      rmSync(tmp, { recursive: true, force: true });
      if (options.apiDocs) rmSync(options.apiDocs.dir, { recursive: true, force: true });
    }
  }

  /** Stops the writer and removes the temporary folder; after {@link finish}, does nothing. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.files.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * Writes the site: files (written as the iterable yields them, so a render can stream its pages
 * here), then search index and API docs, then the swap into `out`. If the files' iterable throws,
 * nothing is swapped in and the temporary folder is removed.
 */
export async function writeSite(files: Iterable<SiteFile> | AsyncIterable<SiteFile>, options: WriteOptions): Promise<void> {
  const site = new SiteWriter(options.out);
  try {
    const t = performance.now();
    for await (const file of files) await site.write(file);
    options.onStep?.('pages', Math.round(performance.now() - t), `${site.count} files`);
    await site.finish(options);
  } finally {
    await site.abort();
    if (options.apiDocs) rmSync(options.apiDocs.dir, { recursive: true, force: true });
  }
}

/**
 * Stage 4, write: lays the rendered files out in a temporary folder next to the output as they come
 * (the render streams them), adds the search index (pagefind) and the API docs (typedoc), and only
 * then puts the new site in place.
 *
 * `site` is a symlink to the newest complete build, a folder `.site.build-…` beside it: a new build
 * is renamed to such a folder and the link is replaced by rename(2) of a new link over it, so
 * `site/` is never missing, not even for a moment. The build it replaced is kept until the next
 * build starts (a reader half-way through a request still finds its file), older ones are removed.
 * A `site` that is the user's own symlink stays that symlink: the new site replaces the folder it
 * points to (see {@link resolveOutput}).
 *
 * A build that fails at any point leaves the previous site untouched and no half-written folder; a
 * build killed outright (`kill -9`) leaves its temporary folders and perhaps its typedoc process
 * group, which the next build removes and ends ({@link prepareOutput}).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';
import { BuildError } from './errors.ts';
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

// ---- Where the site goes ------------------------------------------------------------------------

/** The kinds of folder a build makes beside the output; every name carries the pid of its build. */
const TAGS = ['tmp', 'api', 'build', 'link', 'old'] as const;
type Tag = (typeof TAGS)[number];

/** A name next to `path` that no other build uses: `.<name>.<tag>-<pid>-<time>-<random>`. */
function sibling(path: string, tag: Tag): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parses a name made by {@link sibling} for `base` (also the names builds before this one made, without the random part). */
function parseSibling(base: string, name: string): { tag: Tag; pid: number; createdMs: number } | undefined {
  const match = new RegExp(`^\\.${escape(base)}\\.(${TAGS.join('|')})-(\\d+)-([0-9a-z]+)(?:-[0-9a-f]+)?$`).exec(name);
  if (!match) return undefined;
  return { tag: match[1] as Tag, pid: Number(match[2]), createdMs: Number.parseInt(match[3] as string, 36) };
}

/** Whether `target`, the text of the symlink `link`, is one of our build folders beside it. */
function isBuildLink(link: string, target: string): boolean {
  return !target.includes('/') && parseSibling(basename(link), target)?.tag === 'build';
}

/** Where a build puts its site, once `out` and the symlinks it goes through are followed. */
export interface Output {
  /** `out` as the messages name it. */
  display: string;
  /**
   * `link`: `path` is `out`, our symlink to a build folder beside it (or a real folder, or nothing
   * yet, which the first build replaces with that symlink). `folder`: `path` is the folder a user's
   * symlink points to; it stays a folder and is replaced by two renames.
   */
  mode: 'link' | 'folder';
  path: string;
  /** For `link`, the build folder `out` points to now (kept by the clean-up). */
  current?: string;
}

/** `out` as an error message names it: relative to the working folder when inside it. */
function displayPath(out: string): string {
  const rel = relative(process.cwd(), out);
  return rel && !rel.startsWith('..') ? rel : out;
}

/** A file system error while writing the output, as the one-line build error naming the folder. */
function outputError(output: Pick<Output, 'display' | 'mode' | 'path'>, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || error instanceof BuildError) return error;
  const through = output.mode === 'folder' ? ` (a symlink to ${output.path})` : '';
  return new BuildError(output.display, `cannot write the site here${through} (${(error as Error).message}); make the folder writable, or build elsewhere with --out`);
}

/**
 * Follows `out`: our own symlink (to `.NAME.build-…` beside it) is replaced as a whole; a symlink
 * of the user's (to a folder elsewhere) is followed, one link at a time, to the folder it names,
 * which is then the one replaced, and the symlinks stay as they are. Throws a {@link BuildError}
 * when the path cannot be a folder.
 */
export function resolveOutput(out: string): Output {
  const abs = resolve(out);
  const display = displayPath(abs);
  let path = abs;
  for (let hops = 0; hops <= 40; hops++) {
    const mode = path === abs ? 'link' : 'folder';
    let stat;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { display, mode, path };
      throw outputError({ display, mode, path }, error);
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = readlinkSync(path);
        if (isBuildLink(path, target)) return { display, mode: 'link', path, current: target };
        path = resolve(realpathSync(dirname(path)), target); // as the kernel follows it: from the link's real folder
      } catch (error) {
        throw outputError({ display, mode, path }, error);
      }
      continue;
    }
    if (stat.isDirectory()) return { display, mode, path };
    throw new BuildError(display, `${mode === 'folder' ? `is a symlink to ${path}, which ` : ''}is a file, not a folder`);
  }
  throw new BuildError(display, 'too many levels of symlinks');
}

// ---- Processes ----------------------------------------------------------------------------------

let bootSeconds: number | undefined;

/** A process's state, group and start time from /proc (Linux); undefined when it is gone or there is no /proc. */
function processInfo(pid: number): { state: string; group: number; startMs: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's name in parentheses: field 3 (state), 5 (process group), 22 (start, in clock ticks after boot).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    bootSeconds ??= Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
    return { state: fields[0] ?? '', group: Number(fields[2]), startMs: (bootSeconds + Number(fields[19]) / 100) * 1000 };
  } catch {
    return undefined;
  }
}

/** Whether the process is gone: no such pid, or a zombie (ended, waiting to be reaped). */
function ended(pid: number): boolean {
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
function buildRunning(pid: number, createdMs: number): boolean {
  if (pid === process.pid) return true;
  if (ended(pid)) return false;
  const info = processInfo(pid);
  return !info || info.startMs <= createdMs + 5_000; // /proc's boot time is to the second
}

/** What a build records of its typedoc child, in `<api folder>/typedoc.pid`. */
interface ChildRecord {
  pid: number;
  argv: string[];
}

/**
 * Ends the process group of a typedoc that a killed build left running into `folder`, if the
 * recorded pid is really that typedoc: its command line (/proc/PID/cmdline) is the recorded one,
 * which writes into this folder, and it leads its own group. Waits until it has ended.
 */
async function endLeftoverChild(folder: string): Promise<void> {
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

/**
 * Removes what builds killed outright left beside the output: their temporary, API docs, link
 * and set-aside folders, and build folders nothing points to, and ends the typedoc process group a
 * killed build left running. Folders of builds still running are left alone. Then checks that the
 * output's folder can be written: a {@link BuildError} naming it otherwise, before any spec runs.
 */
export async function prepareOutput(out: string): Promise<void> {
  const output = resolveOutput(out);
  const places = new Map([[dirname(output.path), basename(output.path)]]);
  places.set(dirname(resolve(out)), basename(resolve(out))); // leftovers from before `out` became the user's symlink
  for (const [dir, base] of places) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const made = parseSibling(base, name);
      if (!made || name === output.current || buildRunning(made.pid, made.createdMs)) continue;
      if (made.tag === 'api') await endLeftoverChild(join(dir, name));
      rmSync(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
    }
  }
  const dir = dirname(output.path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw outputError(output, error);
  }
}

/** Removes a folder if it can; what is left is removed by a later build. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  } catch {}
}

/** Build folders beside `link` other than `keep` whose build is over. */
function removeOldBuilds(link: string, keep: Set<string>): void {
  const dir = dirname(link);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {}
  for (const name of names) {
    const made = parseSibling(basename(link), name);
    if (made?.tag === 'build' && !keep.has(name) && (made.pid === process.pid || !buildRunning(made.pid, made.createdMs))) removeQuietly(join(dir, name));
  }
}

// ---- Writing ------------------------------------------------------------------------------------

/** Writes files under one folder, one at a time, refusing paths outside it and a path given twice. */
export class FileWriter {
  private readonly seen = new Set<string>();
  private readonly dirs = new Set<string>();
  constructor(readonly dir: string) {}

  /** How many files were written. */
  get count(): number {
    return this.seen.size;
  }

  write(file: SiteFile): void {
    if (file.path.startsWith('/') || file.path.split('/').includes('..')) throw new Error(`refusing to write outside the site: ${file.path}`);
    if (this.seen.has(file.path)) throw new Error(`two files with one path: ${file.path}`);
    this.seen.add(file.path);
    const target = join(this.dir, file.path);
    const parent = dirname(target);
    if (!this.dirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      this.dirs.add(parent);
    }
    writeFileSync(target, file.content);
  }
}

/** Writes the files under `dir`. */
export function writeFiles(dir: string, files: Iterable<SiteFile>): void {
  const writer = new FileWriter(dir);
  for (const file of files) writer.write(file);
}

/** Indexes the site's HTML with pagefind (its Node API) into `<dir>/pagefind/`. Returns how many pages the index holds. */
export async function buildSearchIndex(dir: string): Promise<number> {
  // pagefind's binary runs as pagefind's own service process, reading requests on a pipe; it exits
  // when the pipe closes, so it does not outlive a killed build.
  const pagefind = await import('pagefind');
  try {
    const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en', excludeSelectors: ['details.ev'] }); // evidence: transcripts, not prose
    if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
    const added = await index.addDirectory({ path: dir });
    if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
    const written = await index.writeFiles({ outputPath: join(dir, 'pagefind') });
    if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
    // addDirectory counts every HTML file it read, evidence pages (marked not to be indexed) too;
    // the index's own entry file says how many pages it holds.
    const entry = JSON.parse(readFileSync(join(dir, 'pagefind', 'pagefind-entry.json'), 'utf8')) as { languages: Record<string, { page_count: number }> };
    return Object.values(entry.languages).reduce((sum, language) => sum + language.page_count, 0);
  } finally {
    await pagefind.close();
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
}

/** Ends the child's process group when this process exits or is told to stop by a signal. Returns the undo. */
function endWithThisProcess(child: ChildProcess): () => void {
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

/**
 * Starts typedoc for the project at `root`, into a fresh folder next to `out` (next to the folder
 * `out` stands for, when it is the user's symlink). Start it early: it needs nothing from the other
 * stages. {@link writeSite} waits for it and moves the docs in.
 *
 * typedoc runs in its own process group (it is two processes: its command line forks its CLI),
 * which is ended as a whole by {@link ApiDocsJob.stop}, when this process exits or is stopped by a
 * signal, and, after a `kill -9` of this process, by the next build ({@link prepareOutput}), which
 * finds its pid and command line in `typedoc.pid`.
 */
export function startApiDocs(root: string, out: string): ApiDocsJob {
  const output = resolveOutput(out);
  const dir = sibling(output.path, 'api');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw outputError(output, error);
  }
  const docs = join(dir, 'out');
  const argv = [process.execPath, join(root, 'node_modules/typedoc/bin/typedoc'), '--options', join(root, 'typedoc.json'), '--out', docs];
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, detached: true });
  if (child.pid) writeFileSync(join(dir, 'typedoc.pid'), JSON.stringify({ pid: child.pid, argv } satisfies ChildRecord));
  const undo = endWithThisProcess(child);
  let printed = '';
  child.stdout?.on('data', (c: Buffer) => (printed += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (printed += c.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveClosed) => {
    child.on('error', (error) => resolveClosed({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolveClosed({ code, signal }));
  }).finally(undo);
  let stopped = false;
  const done = closed.then(({ code, signal, error }) => {
    if (error) throw error;
    if (stopped) throw new Error('typedoc was stopped');
    if (code !== 0 || !existsSync(join(docs, 'index.html'))) throw new Error(`typedoc failed (${signal ? `signal ${signal}` : `exit ${code}`}):\n${printed.slice(-3000)}`);
  });
  done.catch(() => {}); // reported when awaited
  return {
    dir,
    docs,
    done,
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

/** What happens after the pages are in the temporary folder: search index, API docs, the swap. */
export type FinishOptions = Omit<WriteOptions, 'out'>;

/**
 * A site being written: pages go into a temporary folder next to `out` as they come
 * ({@link SiteWriter.write}), and {@link SiteWriter.finish} adds the search index and the API docs
 * and puts the site in place. Until then `out` is untouched; {@link SiteWriter.abort} (a no-op
 * after `finish`) removes the temporary folder, so a failed build leaves nothing behind.
 * A folder that cannot be written is a {@link BuildError} naming `out`.
 */
export class SiteWriter {
  readonly tmp: string;
  private readonly output: Output;
  private readonly files: FileWriter;
  private done = false;

  constructor(readonly out: string) {
    this.output = resolveOutput(out);
    this.tmp = sibling(this.output.path, 'tmp');
    try {
      mkdirSync(dirname(this.output.path), { recursive: true });
      mkdirSync(this.tmp); // at once: a folder that cannot be written fails the build now
    } catch (error) {
      throw outputError(this.output, error);
    }
    this.files = new FileWriter(this.tmp);
  }

  /** How many files were written. */
  get count(): number {
    return this.files.count;
  }

  /** Writes one file into the temporary folder. */
  write(file: SiteFile): void {
    if (this.done) throw new Error('the site is already finished');
    try {
      this.files.write(file);
    } catch (error) {
      throw outputError(this.output, error);
    }
  }

  /** Search index, API docs, then the swap into `out`. The temporary folder is gone afterwards, whatever happens. */
  async finish(options: FinishOptions): Promise<void> {
    if (this.done) throw new Error('the site is already finished');
    this.done = true;
    const { tmp } = this;
    try {
      if (options.search) {
        const t = performance.now();
        const pages = await buildSearchIndex(tmp);
        options.onStep?.('search index (pagefind)', Math.round(performance.now() - t), `${pages} pages indexed`);
      }
      if (options.apiDocs) {
        const t = performance.now();
        await options.apiDocs.done;
        options.onStep?.('API docs (typedoc, started with find)', Math.round(performance.now() - t), 'waited for');
      }
      try {
        if (options.apiDocs) renameSync(options.apiDocs.docs, join(tmp, 'api'));
        if (this.output.mode === 'link') this.flip();
        else this.replaceFolder();
      } catch (error) {
        throw outputError(this.output, error);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      if (options.apiDocs) removeQuietly(options.apiDocs.dir);
    }
  }

  /**
   * `out` becomes (or stays) a symlink to the new build: a new link renamed over the old one, one
   * atomic step. The first time, a real folder `out` must first move aside (a directory cannot be
   * replaced by a symlink in one step): `out` is missing between those two renames, once.
   */
  private flip(): void {
    const link = this.output.path;
    const build = sibling(link, 'build');
    renameSync(this.tmp, build);
    const next = sibling(link, 'link');
    let aside: string | undefined;
    let previous: string | undefined;
    try {
      symlinkSync(basename(build), next);
      let stat;
      try {
        stat = lstatSync(link);
      } catch {}
      if (stat?.isSymbolicLink()) previous = readlinkSync(link);
      else if (stat?.isDirectory()) {
        aside = sibling(link, 'old');
        renameSync(link, aside);
      }
      renameSync(next, link);
    } catch (error) {
      rmSync(next, { force: true });
      if (aside && !existsSync(link)) renameSync(aside, link);
      rmSync(build, { recursive: true, force: true });
      throw error;
    }
    if (aside) removeQuietly(aside);
    const keep = new Set([basename(build)]);
    if (previous && isBuildLink(link, previous)) keep.add(previous);
    removeOldBuilds(link, keep);
  }

  /** The user's symlink points to a folder: the new site takes that folder's place (two renames beside it). */
  private replaceFolder(): void {
    const target = this.output.path;
    if (!existsSync(target)) {
      renameSync(this.tmp, target);
      return;
    }
    const aside = sibling(target, 'old');
    renameSync(target, aside);
    try {
      renameSync(this.tmp, target);
    } catch (error) {
      renameSync(aside, target);
      throw error;
    }
    removeQuietly(aside);
  }

  /** Removes the temporary folder; after {@link finish}, does nothing. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * Writes the site: files (written as the iterable yields them, so a render can stream its pages
 * here), then search index and API docs, then the swap into `out`. If the files' iterable throws,
 * nothing is swapped in and the temporary folder is removed.
 */
export async function writeSite(files: Iterable<SiteFile> | AsyncIterable<SiteFile>, options: WriteOptions): Promise<void> {
  let site: SiteWriter | undefined;
  try {
    site = new SiteWriter(options.out);
    const t = performance.now();
    for await (const file of files) site.write(file);
    options.onStep?.('pages', Math.round(performance.now() - t), `${site.count} files`);
    await site.finish(options);
  } finally {
    site?.abort();
    if (options.apiDocs) await options.apiDocs.stop();
  }
}

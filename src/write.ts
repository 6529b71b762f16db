/**
 * Stage 4, write: lays the rendered files out in a temporary folder next to the output as they come
 * (the render streams them), adds the search index (pagefind) and the API docs (typedoc), and only
 * then swaps the folder into place.
 * A build that fails at any point leaves the previous site untouched and no half-written folder.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/** A folder name next to `out` that no other build uses. */
function sibling(out: string, tag: string): string {
  return join(dirname(out), `.${basename(out)}.${tag}-${process.pid}-${Date.now().toString(36)}`);
}

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
 * ({@link SiteWriter.write}), and {@link SiteWriter.finish} adds the search index and the API docs
 * and swaps the folder into place. Until then `out` is untouched; {@link SiteWriter.abort} (a no-op
 * after `finish`) removes the temporary folder, so a failed build leaves nothing behind.
 */
export class SiteWriter {
  readonly tmp: string;
  private readonly files: FileWriter;
  private done = false;

  constructor(readonly out: string) {
    mkdirSync(dirname(out), { recursive: true });
    this.tmp = sibling(out, 'tmp');
    this.files = new FileWriter(this.tmp);
  }

  /** How many files were written. */
  get count(): number {
    return this.files.count;
  }

  /** Writes one file into the temporary folder. */
  write(file: SiteFile): void {
    if (this.done) throw new Error('the site is already finished');
    this.files.write(file);
  }

  /** Search index, API docs, then the swap into `out`. The temporary folder is gone afterwards, whatever happens. */
  async finish(options: FinishOptions): Promise<void> {
    if (this.done) throw new Error('the site is already finished');
    this.done = true;
    const { out, tmp } = this;
    try {
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
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      if (options.apiDocs) rmSync(options.apiDocs.dir, { recursive: true, force: true });
    }
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
  const site = new SiteWriter(options.out);
  try {
    const t = performance.now();
    for await (const file of files) site.write(file);
    options.onStep?.('pages', Math.round(performance.now() - t), `${site.count} files`);
    await site.finish(options);
  } finally {
    site.abort();
    if (options.apiDocs) rmSync(options.apiDocs.dir, { recursive: true, force: true });
  }
}

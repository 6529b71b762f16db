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
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SiteFile } from './types.ts';
import type { ApiDocsJob } from './write/api-docs.ts';
import {
  isBuildLink,
  type Output,
  outputError,
  removeOldBuilds,
  removeQuietly,
  resolveOutput,
  sibling,
} from './write/output.ts';
import { buildSearchIndex } from './write/search.ts';

export { type ApiDocsJob, apiDocsKey, startApiDocs } from './write/api-docs.ts';
export { type Output, prepareOutput, resolveOutput } from './write/output.ts';
export { buildSearchIndex } from './write/search.ts';

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
    if (file.path.startsWith('/') || file.path.split('/').includes('..'))
      throw new Error(`refusing to write outside the site: ${file.path}`);
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
        options.onStep?.(
          options.apiDocs.source === 'cache'
            ? 'API docs (kept in .cache/api: src/ unchanged)'
            : 'API docs (typedoc, started with find)',
          Math.round(performance.now() - t),
          options.apiDocs.source === 'cache' ? 'copied' : 'waited for',
        );
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
export async function writeSite(
  files: Iterable<SiteFile> | AsyncIterable<SiteFile>,
  options: WriteOptions,
): Promise<void> {
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

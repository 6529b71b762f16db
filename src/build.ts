/**
 * The pipeline: find → verify (or load saved results) → render → write, with progress and timings
 * reported stage by stage. Command lines live in `scripts/`; this module never reads `process.argv`.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { findChapters } from './find.ts';
import { loadMutationView } from './mutation-view.ts';
import {
  type ChapterMutationView,
  createCodeHighlighter,
  type HighlightCache,
  type MutationView,
  renderSiteFiles,
  type Tally,
  tally,
} from './render/index.ts';
import type { Chapter, ChapterResult, TestResult, Verification } from './types.ts';
import { DEFAULT_TIME_LIMIT_S, loadVerification, saveVerification, verifyChapters } from './verify.ts';
import { VerifyCache } from './cache.ts';
import { readSiteConfig, type SiteConfig } from './site-config.ts';
export { loadMutationView, mutationView } from './mutation-view.ts';
import { type ApiDocsJob, prepareOutput, SiteWriter, startApiDocs } from './write.ts';

function readCache(file: string): HighlightCache {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HighlightCache) : {};
  } catch {
    return {}; // a broken cache is only a slower build
  }
}

function writeCache(file: string, cache: HighlightCache): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(cache));
}

export interface BuildOptions {
  /** The project root (node_modules, vitest.config.ts, typedoc.json). */
  root: string;
  /** Where the chapter folders are; `<root>/chapters` by default. */
  chaptersDir?: string;
  /** The site folder to write. */
  out: string;
  /** Build from results saved earlier instead of running the specs. */
  results?: string;
  /** Save the verify stage's results here, for a later build with {@link results}. */
  saveResults?: string;
  /**
   * Where verify keeps each chapter's results with the hash of its inputs (`<root>/.cache/verify`
   * from the command line): a chapter whose inputs are unchanged is not run again. Off by default
   * (every chapter runs), and off with `--no-cache`.
   */
  verifyCache?: string | false;
  /** Seconds a spec file may run before its chapter is stopped and reported as timed out. */
  timeLimit?: number;
  /** Build the search index (pagefind); on by default. */
  search?: boolean;
  /** Build the API docs (typedoc); on by default. */
  apiDocs?: boolean;
  /**
   * Where typedoc's output is kept with the hash of what it reads (`<root>/.cache/api` from the
   * command line): with `src/` unchanged, the kept copy is used and typedoc does not run. Off by
   * default, and off with `--no-cache`.
   */
  apiDocsCache?: string | false;
  /**
   * The saved mutation run (`npm run mutate`) to show beside each chapter's claims:
   * `<root>/mutation-results.json` by default; `false`, or a file that does not exist, for none.
   */
  mutationResults?: string | false;
  /** A file to keep highlighted code in between builds (render is the same with or without it). */
  highlightCache?: string;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /**
   * Where the site and its source live; by default read from `<root>/package.json` (`homepage`,
   * `repository`) and the environment (`SITE_URL`, `SITE_BASE_PATH`): see src/site-config.ts.
   */
  site?: SiteConfig;
}

/** A failing claim, for the summary a command line prints. */
export interface FailedClaim {
  chapter: string;
  name: string;
  /** `chapters/NN-slug/app.test.ts:29` */
  where: string;
  message: string;
}

export interface BuildReport {
  chapters: Chapter[];
  verification: Verification;
  tally: Tally;
  failed: FailedClaim[];
  /** Milliseconds per stage, in order. */
  timings: Array<{ stage: string; ms: number }>;
  /** Which chapters' specs ran in this build and which results came from the verify cache (both empty with `--results`). */
  verify: { ran: string[]; cached: string[] };
}

/** Runs one build. Throws a `BuildError` on bad input, before anything is written. */
export async function build(options: BuildOptions): Promise<BuildReport> {
  await prepareOutput(options.out); // what a killed build left (folders, its typedoc); an unwritable output fails here
  let api: ApiDocsJob | undefined;
  try {
    return await run(options, (job) => (api = job));
  } finally {
    // On failure, end typedoc's process group so that its folder can be removed (writeSite removes it on success).
    if (api) {
      await api.stop();
      rmSync(api.dir, { recursive: true, force: true });
    }
  }
}

async function run(options: BuildOptions, started: (job: ApiDocsJob) => void): Promise<BuildReport> {
  const log = options.log ?? (() => {});
  const root = options.root;
  const timings: Array<{ stage: string; ms: number }> = [];
  const stage = async <T>(name: string, run: () => Promise<T> | T, detail: (value: T) => string): Promise<T> => {
    const start = performance.now();
    log(`${name.padEnd(8)} …`);
    const value = await run();
    const ms = Math.round(performance.now() - start);
    timings.push({ stage: name, ms });
    log(`${name.padEnd(8)} ${String(ms).padStart(6)} ms  ${detail(value)}`);
    return value;
  };

  // Read before anything runs: a bad base URL or repository is bad input, reported at once.
  const config = options.site ?? readSiteConfig(root);
  if (config.baseUrl === undefined)
    log('sitemap.xml skipped: no base URL (set SITE_URL, or "homepage" in package.json); no canonical or og:url tags');
  const chapters = await stage(
    'find',
    () => findChapters(options.chaptersDir ?? join(root, 'chapters'), root),
    (c) => `${c.length} chapters`,
  );
  // Which saved mutation results stand for these files: hashed now, as find read them (the specs
  // run on the same files).
  const mutationFile = options.mutationResults ?? join(root, 'mutation-results.json');
  const mutation =
    mutationFile === false
      ? undefined
      : await stage(
          'mutation',
          () => loadMutationView(mutationFile, chapters, root),
          (v) => mutationSummary(v, relative(process.cwd(), mutationFile) || mutationFile),
        );
  const search = options.search ?? true;
  const apiDocs = options.apiDocs ?? true;
  // typedoc needs nothing from the chapters and takes longest: it runs while the specs do.
  const api = apiDocs
    ? startApiDocs(root, options.out, options.apiDocsCache ? { cache: options.apiDocsCache } : {})
    : undefined;
  if (api) started(api);

  let verification: Verification;
  const ran: string[] = [];
  const cached: string[] = [];
  if (options.results) {
    const file = options.results;
    verification = await stage(
      'verify',
      () => loadVerification(file, relative(root, file) || file),
      () => `results loaded from ${relative(process.cwd(), file) || file} (specs not run)`,
    );
    const ids = new Set(verification.chapters.map((r) => r.id));
    for (const c of chapters) {
      if (!ids.has(c.id))
        log(
          `warning: ${relative(process.cwd(), file)} has no results for ${c.id}: its claims are shown as not verified`,
        );
    }
  } else {
    const cache = options.verifyCache ? new VerifyCache(options.verifyCache, root) : undefined;
    const limit = options.timeLimit ?? DEFAULT_TIME_LIMIT_S;
    verification = await stage(
      'verify',
      async () => {
        const saved = new Map<string, ChapterResult>();
        for (const chapter of chapters) {
          const result = cache?.get(chapter);
          if (result) saved.set(chapter.id, result);
        }
        const toRun = chapters.filter((c) => !saved.has(c.id));
        const fresh = await verifyChapters(toRun, {
          root,
          timeLimit: limit,
          onChapter: (chapter, result) => {
            // A fault is said at once, not only in the summary: the build goes on with the others.
            for (const e of result.fileErrors)
              if (e.fault) log(`  ✗ ${chapter.dir}/${e.file}: ${e.message.split('\n')[0]}`);
            cache?.save(chapter, result);
          },
        });
        ran.push(...toRun.map((c) => c.id));
        cached.push(...saved.keys());
        const byId = new Map(fresh.chapters.map((r) => [r.id, r]));
        return { run: fresh.run, chapters: chapters.map((c) => (saved.get(c.id) ?? byId.get(c.id)) as ChapterResult) };
      },
      (v) => {
        const t = sum(v, chapters);
        const counts = `${t.total} claims: ${t.passed} passed, ${t.failed} failed, ${t.skipped} not verified`;
        return cache
          ? `${counts}; ${ran.length} of ${chapters.length} chapters run, ${cached.length} unchanged (results from the verify cache)`
          : counts;
      },
    );
    if (options.saveResults) saveVerification(options.saveResults, verification);
  }

  // Render streams each page into the site's temporary folder as soon as it is ready (no page is
  // held until the end); write then adds the search index and API docs and swaps the folder in.
  const site = new SiteWriter(options.out);
  try {
    await stage(
      'render',
      async () => {
        const cacheFile = options.highlightCache;
        // With a cache, shiki is loaded only if a block is missing from it.
        const highlighter = await createCodeHighlighter(cacheFile ? readCache(cacheFile) : {}, { load: 'lazy' });
        let pages = 0;
        for await (const file of renderSiteFiles(chapters, verification, highlighter, {
          api: apiDocs,
          config,
          ...(mutation ? { mutation } : {}),
        })) {
          site.write(file);
          if (file.path.endsWith('.html')) pages++;
        }
        if (cacheFile) writeCache(cacheFile, highlighter.cache());
        return { pages, files: site.count };
      },
      (r) => `${r.pages} pages (${r.files} files written as rendered)`,
    );
    await stage(
      'write',
      () =>
        site.finish({
          search,
          apiDocs: api ?? false,
          onStep: (step, ms, detail) => log(`  ${step}: ${ms} ms${detail ? `, ${detail}` : ''}`),
        }),
      () => `${relative(process.cwd(), options.out) || options.out}/`,
    );
  } finally {
    site.abort();
  }

  const failed: FailedClaim[] = [];
  const byId = new Map(verification.chapters.map((r) => [r.id, r]));
  for (const chapter of chapters) {
    const result = byId.get(chapter.id);
    for (const e of result?.fileErrors ?? [])
      failed.push({
        chapter: chapter.id,
        name: fileErrorName(e),
        where: `${chapter.dir}/${e.file}`,
        message: e.message,
      });
    for (const t of result?.tests ?? []) if (t.status === 'failed') failed.push(failure(chapter, t));
  }
  return { chapters, verification, tally: sum(verification, chapters), failed, timings, verify: { ran, cached } };
}

/** What happened to a spec file that gave no claims: `app.test.ts timed out`, `… did not run`. */
export function fileErrorName(error: ChapterResult['fileErrors'][number]): string {
  if (error.fault === 'timeout') return `${error.file} was stopped: its chapter timed out`;
  if (error.fault === 'crash') return `${error.file} was stopped: its chapter's process died`;
  return `${error.file} did not run`;
}

function failure(chapter: Chapter, t: TestResult): FailedClaim {
  return {
    chapter: chapter.id,
    name: [...t.describe, t.name].join(' › '),
    where: `${chapter.dir}/${t.file}${t.line ? `:${t.line}` : ''}`,
    message: t.failure ?? '',
  };
}

/** The tally of all chapters together. */
function sum(v: Verification, chapters: Chapter[]): Tally {
  const total: Tally = { passed: 0, failed: 0, skipped: 0, total: 0 };
  const byId = new Map(v.chapters.map((r) => [r.id, r]));
  for (const c of chapters) {
    const t = tally(byId.get(c.id));
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    total.total += t.total;
  }
  return total;
}

function mutationSummary(view: MutationView | undefined, file: string): string {
  if (!view) return `no ${file}: pages show no mutation results`;
  const states = Object.values(view.chapters).map((v) => v.state);
  const count = (state: ChapterMutationView['state']) => states.filter((s) => s === state).length;
  return `${file} (${view.run.date.slice(0, 10)}): ${count('current')} chapters current, ${count('stale')} out of date, ${count('untested')} not mutation-tested`;
}

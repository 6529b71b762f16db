/**
 * `npm run dev`: the site served from memory while you write. It watches `chapters/` and `src/`:
 *
 * - a saved code file of one chapter (`app.ts`, a spec, …) re-runs only that chapter's spec files,
 *   in a vitest instance kept alive between runs, then re-renders only that chapter's page (and the
 *   contents page; every page when the chapter's pass/fail mark changed, since the sidebar shows it);
 * - a saved README.md (or any other non-code file) of a chapter re-renders only its page: prose
 *   cannot change a test's outcome;
 * - a change under `src/` re-renders everything with freshly loaded render code (the renderer runs in
 *   a worker thread that is replaced), and under `src/testkit/` re-runs every chapter's specs too.
 *
 * Open pages reload themselves: every HTML page loads `/__dev/reload.js`, which listens to
 * Server-Sent Events on `/__dev/events`. Both exist only in dev; `npm run build` never writes
 * them. The search index and API docs are not rebuilt: they are served from the last
 * `npm run build` in `site/` when there is one.
 *
 * The parts, each in its file: what a change means (changes.ts), the work queue with its debounce
 * (queue.ts), the specs (specs.ts), the render worker (renderer.ts, render-worker.ts) and the site
 * server with its event stream (server.ts). This file joins them: the watchers feed the queue, the
 * queue's handler runs specs and renders, and the server publishes.
 * @module
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { findChapters, readChapter } from '../find.ts';
import { tally, tallyState } from '../render/index.ts';
import type { Chapter, Verification } from '../types.ts';
import { loadVerification, runInfo } from '../verify.ts';
import type { Batch } from './changes.ts';
import { WorkQueue } from './queue.ts';
import { Renderer } from './renderer.ts';
import { DevSite, type ReloadEvent } from './server.ts';
import { mergeResults, SpecRunner } from './specs.ts';

export { addChange, type Batch, type Change, classifyChange, emptyBatch } from './changes.ts';
export { WorkQueue } from './queue.ts';
export {
  builtFile,
  DevSite,
  injectDev,
  isLoopbackHost,
  refuseDevRequest,
  RELOAD_JS,
  RELOAD_PATH,
  type ReloadEvent,
} from './server.ts';
export { mergeResults, SpecRunner } from './specs.ts';

export interface DevOptions {
  /** The project root. */
  root: string;
  /** 0 for any free port. */
  port?: number;
  /** Results to start from (e.g. `.cache/results.json` from the last build); without them every spec runs first. */
  results?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  url: string;
  close(): Promise<void>;
  /** Resolves when no work is pending. */
  idle(): Promise<void>;
}

/** Starts the dev server: first render, HTTP on 127.0.0.1, watchers. */
export async function startDev(options: DevOptions): Promise<DevServer> {
  const root = resolve(options.root);
  const chaptersDir = join(root, 'chapters');
  const siteDir = join(root, 'site');
  const log = options.log ?? (() => {});
  const api = existsSync(join(siteDir, 'api', 'index.html'));
  const site = new DevSite(siteDir);
  const renderer = new Renderer();
  let chapters = findChapters(chaptersDir, root);

  let verification: Verification = { run: runInfo(root), chapters: [] };
  let runAllFirst = true;
  if (options.results && existsSync(options.results)) {
    verification = loadVerification(options.results);
    runAllFirst = false;
    log(`results: ${relative(root, options.results)} (from ${verification.run.date}); specs re-run as you save`);
  }
  const specs = await SpecRunner.create(root);

  /** Re-reads the chapters (all of them, or only `ids` when none appeared); a bad one is the page's error. */
  function reread(ids?: string[]): void {
    try {
      if (!ids || ids.some((id) => !chapters.some((c) => c.id === id))) chapters = findChapters(chaptersDir, root);
      else
        for (const id of ids)
          chapters[chapters.findIndex((c) => c.id === id)] = readChapter(join(chaptersDir, id), root);
    } catch (e) {
      site.error = (e as Error).message;
    }
  }

  async function renderInto(ids: string[] | null): Promise<{ ms: number; pages: string[] }> {
    const start = performance.now();
    let reply = await renderer.render({ root, chaptersDir, verification, ids, api });
    if (reply.error === 'RESCAN') reply = await renderer.render({ root, chaptersDir, verification, ids: null, api });
    const ms = Math.round(performance.now() - start);
    if (reply.error) {
      site.error = reply.error;
      log(`render failed: ${reply.error}`);
      return { ms, pages: ['*'] };
    }
    site.error = undefined;
    if (reply.chapters) chapters = reply.chapters;
    const files = reply.files ?? [];
    site.update(files, ids === null || files.some((f) => f.path === '404.html'));
    return { ms, pages: ids === null ? ['*'] : files.filter((f) => f.path.endsWith('.html')).map((f) => f.path) };
  }

  const mark = (id: string) => tallyState(tally(verification.chapters.find((r) => r.id === id)));

  async function handle(batch: Batch, seenAt: number): Promise<void> {
    const order = chapters.map((c) => c.id);
    const before = new Map(order.map((id) => [id, mark(id)]));
    let specsMs = 0;
    const ran: ReloadEvent['ran'] = [];
    if (batch.all) {
      await renderer.restart();
      reread();
    }
    const rerun = batch.rerunAll
      ? chapters.map((c) => c.id)
      : [...batch.chapters].filter(([, r]) => r).map(([id]) => id);
    if (rerun.length > 0) {
      // Read the chapters again, so a spec file that appeared (or a new chapter folder) runs too.
      reread(rerun);
      const t = performance.now();
      const run = runInfo(root);
      const results = await specs.run(
        chapters.filter((c: Chapter) => rerun.includes(c.id)),
        batch.files,
      );
      // Each chapter says which run its results come from, as a build's do.
      for (const r of results) r.run = { date: run.date, commit: run.commit, dirty: run.dirty };
      specsMs = Math.round(performance.now() - t);
      verification = mergeResults(
        { ...verification, run },
        results,
        chapters.map((c) => c.id),
      );
      for (const r of results) ran.push({ id: r.id, ...tally(r) });
    }
    const changedMark = chapters.some((c) => before.get(c.id) !== mark(c.id));
    const whole =
      batch.all ||
      batch.rerunAll ||
      changedMark ||
      batch.chapters.size === 0 ||
      [...batch.chapters.keys()].some((id) => !order.includes(id));
    const r = await renderInto(whole ? null : [...batch.chapters.keys()]);
    const total = Math.round(performance.now() - seenAt);
    const event: ReloadEvent = {
      generation: site.generation + 1,
      pages: r.pages,
      cause: [...batch.files],
      ms: { total, specs: specsMs, render: r.ms },
      ran,
    };
    site.publish(event);
    const tallies = ran
      .map((x) => `${x.id.slice(0, 2)}: ${x.passed} passed${x.failed ? `, ${x.failed} failed` : ''}`)
      .join('; ');
    const what = ran.length ? `specs ${specsMs} ms (${tallies}), ` : '';
    log(
      `${event.cause.join(', ')} → ${what}render ${r.ms} ms, ${whole ? 'every page' : r.pages.join(', ')} (${total} ms from save)`,
    );
  }

  const queue = new WorkQueue(handle, (e) => {
    site.error = e instanceof Error ? e.message : String(e);
    log(`dev: ${site.error}`);
  });

  // First render, from saved results (or none yet), then every spec when there were no results.
  const first = await renderInto(null);
  log(`rendered ${chapters.length} chapters in ${first.ms} ms`);
  if (runAllFirst) {
    log('no saved results: running every spec once (pages show "not verified" until then)');
    queue.rerunAll('chapters');
  }

  const watchers: FSWatcher[] = ['chapters', 'src'].map((dir) =>
    watch(join(root, dir), { recursive: true }, (_event, name) => {
      if (name) queue.add(`${dir}/${String(name).split(sep).join('/')}`);
    }),
  );

  const url = await site.listen(options.port ?? 4000);
  return {
    url,
    idle: () => queue.idle(),
    async close() {
      for (const w of watchers) w.close();
      await site.close();
      await queue.close();
      await specs.close();
      await renderer.close();
    },
  };
}

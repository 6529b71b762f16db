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
 * Open pages reload themselves: every HTML page is served with a tiny script that listens to
 * Server-Sent Events on `/__dev/events`. The script exists only in dev; `npm run build` never
 * writes it. The search index and API docs are not rebuilt: they are served from the last
 * `npm run build` in `site/` when there is one.
 * @module
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, relative, resolve, sep } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FOLDER_NAME, findChapters, readChapter } from './find.ts';
import { contentType, resolveSitePath } from './serve.ts';
import { tally, tallyState } from './render/index.ts';
import type { Chapter, ChapterResult, SiteFile, TestResult, TestStatus, Verification } from './types.ts';
import { cleanFailure, loadVerification, runInfo } from './verify.ts';

// ---------------------------------------------------------------------------------------------
// Pure parts: what a changed path means, merging changes, turning vitest's tasks into results.
// ---------------------------------------------------------------------------------------------

/** What one changed file asks the dev server to do. */
export type Change =
  | { kind: 'chapter'; id: string; file: string; rerun: boolean }
  | { kind: 'src'; file: string; rerunAll: boolean }
  | { kind: 'ignore' };

/** Editor droppings and other files that never matter. */
function ignoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || name.endsWith('.swp') || name.endsWith('.swx') || /^\d+$/.test(name) || name === 'node_modules';
}

/** Code: a change to it can change a test's outcome. */
const CODE = /\.(?:[cm]?[jt]sx?|json)$/;

/**
 * Classifies a changed path, given relative to the project root with `/` separators
 * (e.g. `chapters/04-storing-session-data/app.ts`).
 */
export function classifyChange(path: string): Change {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..') || parts.slice(1).some(ignoredName)) return { kind: 'ignore' };
  const [top, second] = parts;
  const name = parts[parts.length - 1] ?? '';
  if (top === 'chapters') {
    if (parts.length < 3 || second === undefined || !FOLDER_NAME.test(second)) return { kind: 'ignore' };
    return { kind: 'chapter', id: second, file: parts.slice(2).join('/'), rerun: CODE.test(name) };
  }
  if (top === 'src' && parts.length >= 2) {
    // The build's own unit tests do not change the site.
    if (/\.test\.[cm]?[jt]s$/.test(name)) return { kind: 'ignore' };
    return { kind: 'src', file: parts.slice(1).join('/'), rerunAll: second === 'testkit' && CODE.test(name) };
  }
  return { kind: 'ignore' };
}

/** Changes collected while the previous batch was being handled, merged into one piece of work. */
export interface Batch {
  /** Re-read every chapter and re-render every page (a src/ change). */
  all: boolean;
  /** Re-run every chapter's specs (a src/testkit/ change). */
  rerunAll: boolean;
  /** Chapter id → whether its specs must re-run. */
  chapters: Map<string, boolean>;
  /** The changed files, relative to the project root (vitest must forget their old versions). */
  files: Set<string>;
}

export function emptyBatch(): Batch {
  return { all: false, rerunAll: false, chapters: new Map(), files: new Set() };
}

/** Adds a changed path to a batch; returns false when the path does not matter. */
export function addChange(batch: Batch, path: string): boolean {
  const change = classifyChange(path);
  if (change.kind === 'ignore') return false;
  batch.files.add(path);
  if (change.kind === 'src') {
    batch.all = true;
    batch.rerunAll ||= change.rerunAll;
  } else {
    batch.chapters.set(change.id, (batch.chapters.get(change.id) ?? false) || change.rerun);
  }
  return true;
}

/** The parts of vitest's reported tasks (`TestModule`, `TestCase`) that {@link toChapterResult} reads. */
export interface ReportedTest {
  name: string;
  parent: { type: string; name?: string; parent?: unknown };
  location?: { line: number } | undefined;
  result(): { state: string; errors?: ReadonlyArray<{ message?: string; stack?: string }> | undefined };
  diagnostic(): { duration: number } | undefined;
  meta(): { exchanges?: TestResult['exchanges'] };
}
export interface ReportedModule {
  moduleId: string;
  state(): string;
  errors(): ReadonlyArray<{ message?: string }>;
  children: { allTests(): Iterable<ReportedTest> };
}

function describePath(test: ReportedTest): string[] {
  const names: string[] = [];
  let node = test.parent as { type: string; name?: string; parent?: unknown } | undefined;
  while (node && node.type === 'suite') {
    names.unshift(node.name ?? '');
    node = node.parent as typeof node;
  }
  return names;
}

function status(state: string): TestStatus {
  return state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'skipped';
}

/**
 * One chapter's {@link ChapterResult} from the test modules of a vitest run, in the shape
 * `verify` gives (same names, statuses, durations, lines, failures and exchanges).
 * @param chapter the chapter's id and folder (relative to `root`)
 */
export function toChapterResult(chapter: Pick<Chapter, 'id' | 'dir'>, modules: Iterable<ReportedModule>, root: string): ChapterResult {
  const result: ChapterResult = { id: chapter.id, tests: [], fileErrors: [] };
  const prefix = `${chapter.dir}/`;
  const mine = [...modules]
    .map((m) => ({ m, rel: relative(root, m.moduleId).split(sep).join('/') }))
    .filter(({ rel }) => rel.startsWith(prefix))
    .sort((a, b) => a.rel.localeCompare(b.rel));
  for (const { m, rel } of mine) {
    const file = rel.slice(prefix.length);
    const tests = [...m.children.allTests()];
    if (tests.length === 0 && m.state() === 'failed') {
      const message = m.errors().map((e) => e.message ?? '').join('\n') || 'the spec file failed to run';
      result.fileErrors.push({ file, message: cleanFailure(message, root) });
      continue;
    }
    for (const t of tests) {
      const r = t.result();
      const s = status(r.state);
      const test: TestResult = {
        name: t.name,
        describe: describePath(t),
        status: s,
        durationMs: Math.round(t.diagnostic()?.duration ?? 0),
        file,
        exchanges: t.meta().exchanges ?? [],
      };
      if (t.location) test.line = t.location.line;
      if (s === 'failed') test.failure = cleanFailure((r.errors ?? []).map((e) => e.stack ?? e.message ?? '').join('\n') || 'failed', root);
      result.tests.push(test);
    }
  }
  return result;
}

/** Replaces (or adds) chapter results in a verification, keeping the chapters' order. */
export function mergeResults(verification: Verification, results: ChapterResult[], order: string[]): Verification {
  const byId = new Map(verification.chapters.map((c) => [c.id, c]));
  for (const r of results) byId.set(r.id, r);
  const chapters = [...byId.values()].sort((a, b) => {
    const ia = order.indexOf(a.id);
    const ib = order.indexOf(b.id);
    return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib) || a.id.localeCompare(b.id);
  });
  return { ...verification, chapters };
}

/** The script every served page gets in dev: reload when the server says this page changed. */
export const RELOAD_SCRIPT = `<script>(function(){var s=new EventSource('/__dev/events');s.addEventListener('reload',function(e){var d=JSON.parse(e.data),p=location.pathname;if(d.pages.indexOf('*')>=0||d.pages.some(function(x){return p==='/'+x||p==='/'+x.replace(/index\\.html$/,'')}))location.reload()});})();</script>`;

/** Adds the reload script (and an error banner, if any) to a page. */
export function injectDev(html: string, error?: string): string {
  const banner = error
    ? `<pre style="position:sticky;top:0;z-index:9;margin:0;padding:.6em;background:#b00020;color:#fff;white-space:pre-wrap">dev: ${error.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c)}</pre>`
    : '';
  const at = html.lastIndexOf('</body>');
  const add = `${banner}${RELOAD_SCRIPT}`;
  return at === -1 ? html + add : `${html.slice(0, at)}${add}${html.slice(at)}`;
}

/** The site path a URL path asks for: `/04-x/` → `04-x/index.html`; undefined for `..` tricks. */
export function sitePath(urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const clean = normalize(path).replace(/\\/g, '/');
  if (clean.split('/').includes('..')) return undefined;
  let rel = clean.replace(/^\/+/, '');
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  return rel;
}

// ---------------------------------------------------------------------------------------------
// The render worker: loads src/render once per generation, so a change under src/ is picked up by
// replacing the worker, while a chapter change re-renders one page with a warm highlighter.
// ---------------------------------------------------------------------------------------------

const WORKER_FLAG = 'sessions-and-cookies-verified:dev-render';

interface RenderRequest {
  seq: number;
  root: string;
  chaptersDir: string;
  verification: Verification;
  /** Chapter ids to re-render, or null for the whole site (chapters re-read from disk). */
  ids: string[] | null;
  api: boolean;
}
interface RenderReply {
  seq: number;
  files?: SiteFile[];
  chapters?: Chapter[];
  error?: string;
  ms?: number;
}

async function renderWorker(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const render = await import('./render/index.ts');
  const highlighter = await render.createCodeHighlighter();
  const md = render.createMarkdown(highlighter);
  let chapters: Chapter[] = [];
  // The stylesheet of the last full render, plus the rules of code colours that pages rendered
  // since then use for the first time.
  let sheet = '';
  const known = new Set<string>();
  const used = new Set<string>();
  const css = (): SiteFile => {
    const fresh = [...used].filter((c) => !known.has(c));
    for (const c of fresh) known.add(c);
    if (fresh.length > 0) sheet = `${sheet.trimEnd()}\n${highlighter.css(fresh)}\n`;
    return { path: 'assets/site.css', content: sheet };
  };

  port.on('message', (req: RenderRequest) => {
    const start = performance.now();
    try {
      let files: SiteFile[];
      if (req.ids === null) {
        chapters = findChapters(req.chaptersDir, req.root);
        files = render.renderSite(chapters, req.verification, highlighter, { api: req.api });
        sheet = String(files.find((f) => f.path === 'assets/site.css')?.content ?? '');
        known.clear();
        for (const m of sheet.matchAll(/(?:^|[\s}])(h-[0-9a-z]+)\{/g)) known.add(m[1] as string);
      } else {
        files = [];
        for (const id of req.ids) {
          const dir = join(req.chaptersDir, id);
          const index = chapters.findIndex((c) => c.id === id);
          if (!existsSync(join(dir, 'README.md')) || index === -1) {
            // A chapter appeared or went away: the whole site changes (contents, sidebar, pager).
            port.postMessage({ seq: req.seq, error: 'RESCAN' } satisfies RenderReply);
            return;
          }
          chapters[index] = readChapter(dir, req.root);
        }
        const ctx = render.renderContext(md, chapters, req.verification, { used });
        for (const id of req.ids) {
          const index = chapters.findIndex((c) => c.id === id);
          files.push(...render.chapterFiles(ctx, index)); // its page, evidence page and code files
        }
        files.push({ path: 'index.html', content: render.indexPage(ctx, { api: req.api }) });
        files.push(css());
      }
      port.postMessage({ seq: req.seq, files, chapters, ms: Math.round(performance.now() - start) } satisfies RenderReply);
    } catch (error) {
      port.postMessage({ seq: req.seq, error: error instanceof Error ? error.message : String(error) } satisfies RenderReply);
    }
  });
  port.postMessage({ seq: 0, ms: 0 } satisfies RenderReply);
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) void renderWorker();

class Renderer {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private seq = 0;
  private waiting = new Map<number, (reply: RenderReply) => void>();

  private start(): Promise<void> {
    // The worker loads this module through tsx's loader, registered inside the worker itself
    // (Node 20 does not carry --import hooks into worker threads).
    const code = `(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(import.meta.url)}); })().catch((e) => { throw e; });`;
    const worker = new Worker(code, { eval: true, workerData: { [WORKER_FLAG]: true } });
    this.worker = worker;
    worker.on('message', (reply: RenderReply) => {
      if (reply.seq === 0) return;
      this.waiting.get(reply.seq)?.(reply);
      this.waiting.delete(reply.seq);
    });
    worker.on('error', (error) => {
      for (const done of this.waiting.values()) done({ seq: -1, error: `render worker: ${error.message}` });
      this.waiting.clear();
      if (this.worker === worker) this.worker = undefined;
    });
    return new Promise((resolveReady, reject) => {
      worker.once('message', () => resolveReady());
      worker.once('error', reject);
    });
  }

  /** Replaces the worker, so the next render uses src/render as it is now on disk. */
  async restart(): Promise<void> {
    const old = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (old) await old.terminate();
  }

  async render(req: Omit<RenderRequest, 'seq'>): Promise<RenderReply> {
    if (!this.worker || !this.ready) this.ready = this.start();
    await this.ready;
    const seq = ++this.seq;
    return new Promise((done) => {
      this.waiting.set(seq, done);
      this.worker?.postMessage({ ...req, seq });
    });
  }

  async close(): Promise<void> {
    await this.restart();
  }
}

// ---------------------------------------------------------------------------------------------
// The dev server.
// ---------------------------------------------------------------------------------------------

export interface DevOptions {
  /** The project root. */
  root: string;
  /** 0 for any free port. */
  port?: number;
  /** Results to start from (e.g. `.cache/results.json` from the last build); without them every spec runs first. */
  results?: string;
  log?: (line: string) => void;
}

/** What the server tells open pages (and the benchmark) after each piece of work. */
export interface ReloadEvent {
  generation: number;
  /** Site paths that changed, or `*`. */
  pages: string[];
  /** What caused it, e.g. `chapters/01-cookies-and-sessions/app.ts`. */
  cause: string[];
  /** Milliseconds: first change seen → pages ready to serve; and the spec and render parts of it. */
  ms: { total: number; specs: number; render: number };
  /** Chapters whose specs ran, with their tallies. */
  ran: Array<{ id: string; passed: number; failed: number; skipped: number }>;
}

export interface DevServer {
  url: string;
  close(): Promise<void>;
  /** Resolves when no work is pending. */
  idle(): Promise<void>;
}

/**
 * Whether a request's `Host` names this machine by a loopback name: `localhost`, `127.0.0.1` or
 * `[::1]`, with any port. Anything else (a DNS name that a rebinding attack pointed at 127.0.0.1, an
 * IP of the machine) is refused: the pages and the event stream are for the author's own browser.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i.test(host);
}

/**
 * Answers the requests the dev server refuses, before it looks at the path: a `Host` that is not a
 * loopback name (403, against DNS rebinding), and any method but GET on the event stream (405).
 * Returns true when it answered.
 */
export function refuseDevRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isLoopbackHost(req.headers.host)) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('npm run dev answers only http://localhost, http://127.0.0.1 and http://[::1] (this Host is not one of them)\n');
    return true;
  }
  if ((req.url ?? '/').split('?')[0] === '/__dev/events' && req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-length': 0 }).end();
    return true;
  }
  return false;
}

/**
 * A file of the last full build in `siteDir` (`pagefind/…` or `api/…`, which dev does not make),
 * mapped as the preview server maps it: no dotfiles, nothing outside `siteDir`, symlinks included.
 */
export function builtFile(siteDir: string, path: string): Buffer | undefined {
  if (!path.startsWith('pagefind/') && !path.startsWith('api/')) return undefined;
  const target = resolveSitePath(siteDir, `/${path.split('/').map(encodeURIComponent).join('/')}`);
  return target.kind === 'file' ? readFileSync(target.path) : undefined;
}

/** Starts the dev server: first render, HTTP on 127.0.0.1, watchers. */
export async function startDev(options: DevOptions): Promise<DevServer> {
  const root = resolve(options.root);
  const chaptersDir = join(root, 'chapters');
  const siteDir = join(root, 'site');
  const log = options.log ?? (() => {});
  const api = existsSync(join(siteDir, 'api', 'index.html'));
  const files = new Map<string, string | Uint8Array>();
  const clients = new Set<ServerResponse>();
  const renderer = new Renderer();
  let chapters = findChapters(chaptersDir, root);
  let error: string | undefined;
  let generation = 0;

  let verification: Verification = { run: runInfo(root), chapters: [] };
  let runAllFirst = true;
  if (options.results && existsSync(options.results)) {
    verification = loadVerification(options.results);
    runAllFirst = false;
    log(`results: ${relative(root, options.results)} (from ${verification.run.date}); specs re-run as you save`);
  }

  // The test runner, created once and kept warm. Imported lazily: only dev needs vitest's Node API.
  const { createVitest } = await import('vitest/node');
  const vitest = await createVitest('test', { watch: false, includeTaskLocation: true, reporters: [{}], root }, {});

  async function runSpecs(ids: string[], changed: Iterable<string>): Promise<ChapterResult[]> {
    for (const file of changed) vitest.invalidateFile(join(root, file));
    const targets = chapters.filter((c) => ids.includes(c.id));
    const specs = targets.flatMap((c) => c.files.filter((f) => f.role === 'spec').map((f) => join(root, f.path)));
    if (specs.length === 0) return targets.map((c) => ({ id: c.id, tests: [], fileErrors: [] }));
    const run = await vitest.runTestFiles(specs);
    const modules = run.testModules as unknown as ReportedModule[];
    return targets.map((c) => toChapterResult(c, modules, root));
  }

  function publish(event: ReloadEvent): void {
    const data = `event: reload\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of clients) client.write(data);
  }

  async function renderInto(ids: string[] | null): Promise<{ ms: number; pages: string[] }> {
    const start = performance.now();
    let reply = await renderer.render({ root, chaptersDir, verification, ids, api });
    if (reply.error === 'RESCAN') reply = await renderer.render({ root, chaptersDir, verification, ids: null, api });
    if (reply.error) {
      error = reply.error;
      log(`render failed: ${reply.error}`);
      return { ms: Math.round(performance.now() - start), pages: ['*'] };
    }
    error = undefined;
    if (reply.chapters) chapters = reply.chapters;
    if (ids === null || reply.files?.some((f) => f.path === '404.html')) files.clear();
    for (const f of reply.files ?? []) files.set(f.path, f.content);
    const pages = ids === null ? ['*'] : (reply.files ?? []).filter((f) => f.path.endsWith('.html')).map((f) => f.path);
    return { ms: Math.round(performance.now() - start), pages };
  }

  // The work queue: changes arriving during a run are merged into the next batch.
  let pending = emptyBatch();
  let firstSeen = 0;
  let timer: NodeJS.Timeout | undefined;
  let working: Promise<void> = Promise.resolve();
  let busy = false;

  async function handle(batch: Batch, seenAt: number): Promise<void> {
    const order = chapters.map((c) => c.id);
    const before = new Map(order.map((id) => [id, tallyState(tally(verification.chapters.find((r) => r.id === id)))]));
    let specsMs = 0;
    const ran: ReloadEvent['ran'] = [];
    if (batch.all) {
      await renderer.restart();
      try {
        chapters = findChapters(chaptersDir, root);
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const rerun = batch.rerunAll ? chapters.map((c) => c.id) : [...batch.chapters].filter(([, r]) => r).map(([id]) => id);
    if (rerun.length > 0) {
      // Read the chapters again, so a spec file that appeared (or a new chapter folder) runs too.
      try {
        if (rerun.some((id) => !chapters.some((c) => c.id === id))) chapters = findChapters(chaptersDir, root);
        else for (const id of rerun) chapters[chapters.findIndex((c) => c.id === id)] = readChapter(join(chaptersDir, id), root);
      } catch (e) {
        error = (e as Error).message;
      }
      const t = performance.now();
      const results = await runSpecs(rerun.filter((id) => chapters.some((c) => c.id === id)), batch.files);
      specsMs = Math.round(performance.now() - t);
      verification = mergeResults({ ...verification, run: runInfo(root) }, results, chapters.map((c) => c.id));
      for (const r of results) ran.push({ id: r.id, ...tally(r) });
    }
    const changedMark = chapters.some((c) => before.get(c.id) !== tallyState(tally(verification.chapters.find((r) => r.id === c.id))));
    const whole = batch.all || batch.rerunAll || changedMark || batch.chapters.size === 0 || [...batch.chapters.keys()].some((id) => !order.includes(id));
    const r = await renderInto(whole ? null : [...batch.chapters.keys()]);
    generation++;
    const event: ReloadEvent = { generation, pages: r.pages, cause: [...batch.files], ms: { total: Math.round(performance.now() - seenAt), specs: specsMs, render: r.ms }, ran };
    publish(event);
    const what = ran.length ? `specs ${specsMs} ms (${ran.map((x) => `${x.id.slice(0, 2)}: ${x.passed} passed${x.failed ? `, ${x.failed} failed` : ''}`).join('; ')}), ` : '';
    log(`${event.cause.join(', ')} → ${what}render ${r.ms} ms, ${whole ? 'every page' : r.pages.join(', ')} (${event.ms.total} ms from save)`);
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (busy) return; // picked up when the current batch ends
      if (pending.files.size === 0 && !pending.all) return;
      const batch = pending;
      const seenAt = firstSeen;
      pending = emptyBatch();
      firstSeen = 0;
      busy = true;
      working = handle(batch, seenAt)
        .catch((e: unknown) => {
          error = e instanceof Error ? e.message : String(e);
          log(`dev: ${error}`);
        })
        .finally(() => {
          busy = false;
          if (pending.files.size > 0 || pending.all) schedule();
        });
    }, 15);
  }

  function onChange(path: string): void {
    if (addChange(pending, path)) {
      if (firstSeen === 0) firstSeen = performance.now();
      schedule();
    }
  }

  // First render, from saved results (or none yet), then every spec when there were no results.
  const first = await renderInto(null);
  log(`rendered ${chapters.length} chapters in ${first.ms} ms`);
  if (runAllFirst) {
    pending.all = false;
    pending.rerunAll = true;
    pending.files.add('chapters');
    firstSeen = performance.now();
    log('no saved results: running every spec once (pages show "not verified" until then)');
    schedule();
  }

  const watchers: FSWatcher[] = [];
  for (const dir of ['chapters', 'src']) {
    const w = watch(join(root, dir), { recursive: true }, (_event, name) => {
      if (name) onChange(`${dir}/${String(name).split(sep).join('/')}`);
    });
    watchers.push(w);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (refuseDevRequest(req, res)) return;
    const url = req.url ?? '/';
    if (url === '/__dev/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 500\nevent: hello\ndata: ${JSON.stringify({ generation })}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    const path = sitePath(url);
    if (!path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(400).end();
      return;
    }
    let body = files.get(path);
    if (body === undefined && !files.has(path)) {
      const alt = files.has(`${path}/index.html`) ? `${path}/index.html` : undefined;
      if (alt) {
        res.writeHead(301, { location: `/${path}/` }).end();
        return;
      }
      // The last full build's search index and API docs, read-only.
      body = builtFile(siteDir, path);
    }
    const type = contentType(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': contentType('404.html'), 'cache-control': 'no-store' });
      res.end(injectDev(String(files.get('404.html') ?? 'Not found'), error));
      return;
    }
    const out = type.startsWith('text/html') ? injectDev(String(body), error) : body;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'x-dev-generation': String(generation) });
    res.end(req.method === 'HEAD' ? undefined : out);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4000, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    async idle() {
      for (;;) {
        await working;
        await new Promise((r) => setTimeout(r, 30));
        if (!busy && pending.files.size === 0 && !pending.all) return;
      }
    },
    async close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await working.catch(() => {});
      await vitest.close();
      await renderer.close();
    },
  };
}

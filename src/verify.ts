/**
 * Stage 2, verify: runs the chapters' specs with vitest and returns what happened as plain data.
 * This is the only stage that executes chapter code. Its output can be saved and replayed
 * (`--results FILE`), so the later stages can run without it.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildChapterResults, fromJsonReport, type VitestJsonReport } from './results.ts';
import type { Chapter, ChapterResult, Verification } from './types.ts';
import { killTree } from './verify/process-tree.ts';
import { runInfo } from './verify/run-info.ts';

export { cleanFailure, type VitestJsonReport } from './results.ts';
export { dependencyVersions, runInfo } from './verify/run-info.ts';
export { loadVerification, saveVerification } from './verify/saved.ts';
export { DEFAULT_TIME_LIMIT_S } from './verify/events.ts';
import { DEFAULT_TIME_LIMIT_S, type FileState, faultResult, readEvents } from './verify/events.ts';

/**
 * Turns vitest's JSON report into one {@link ChapterResult} per chapter (in the chapters' order),
 * with the builder `npm run dev` uses too (see results.ts). Pure: the same report gives the same results.
 */
export function parseVitestReport(report: VitestJsonReport, chapters: Chapter[], root: string): ChapterResult[] {
  return buildChapterResults(fromJsonReport(report), chapters, root);
}

/**
 * How long vitest may take to start before the first spec file does, on top of the time limit:
 * its start-up is not the spec's time (it takes about a second, much more on a loaded machine).
 */
const STARTUP_ALLOWANCE_MS = 60_000;

/** The files verify adds to a chapter's run: they run inside vitest, so they are inputs of its results too. */
export const VERIFY_RUNTIME_FILES = [
  join(import.meta.dirname, 'verify-probe.ts'),
  join(import.meta.dirname, 'verify-reporter.ts'),
  join(import.meta.dirname, 'verify-guard.mjs'),
];

/** The vitest processes of the verify stage running now: ended with the build when it is interrupted. */
const running = new Set<number>();

/** Ends every chapter's process, then the build, on Ctrl-C or a termination signal. */
function onSignal(signal: NodeJS.Signals): void {
  for (const pid of running) killTree(pid);
  running.clear();
  removeSignalHandlers();
  process.kill(process.pid, signal);
}
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
function addSignalHandlers(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
function removeSignalHandlers(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** The vitest config for one run: the project's config, with `include` set to exactly these specs and the probe added. */
function runConfig(root: string, specs: string[]): string {
  const base = join(root, 'vitest.config.ts');
  const include = JSON.stringify(specs);
  const probe = JSON.stringify(VERIFY_RUNTIME_FILES[0]);
  const setup = JSON.stringify(join(root, 'src/testkit/setup.ts'));
  if (!existsSync(base)) return `export default { test: { include: ${include}, setupFiles: [${probe}, ${setup}] } };\n`;
  return [
    `import base from ${JSON.stringify(pathToFileURL(base).href)};`,
    `const test = base.test ?? {};`,
    `const setupFiles = (Array.isArray(test.setupFiles) ? test.setupFiles : test.setupFiles ? [test.setupFiles] : [])`,
    `  .map((f) => f.startsWith('/') ? f : ${JSON.stringify(`${root}/`)} + f);`,
    // The probe first: it must log the file before any setup file or the spec can hang.
    `export default { ...base, test: { ...test, include: ${include}, setupFiles: [${probe}, ...setupFiles] } };`,
    '',
  ].join('\n');
}

export interface VerifyOptions {
  /** The project root: where node_modules, vitest.config.ts and .git are. */
  root: string;
  /** Called with each line vitest prints on stderr (progress, errors). */
  onOutput?: (line: string) => void;
  /**
   * Seconds one spec file may run (from its first import to its last hook) before the build kills
   * the vitest process running it and reports its chapter as timed out; {@link DEFAULT_TIME_LIMIT_S}
   * by default.
   */
  timeLimit?: number;
  /** Called as each chapter's results are known. */
  onChapter?: (chapter: Chapter, result: ChapterResult) => void;
}

/**
 * Runs the specs of `chapters` and returns the results with the run's versions, date and commit.
 *
 * All the chapters run in one vitest process (the project's vitest.config.ts, JSON reporter),
 * under a watchdog. A failing test is a result, not an error. When a spec file runs past the time
 * limit, the watchdog kills the process (with everything under it): that file's chapter is marked
 * `timeout`, and the other chapters of the run go on in a new process. When the process dies
 * (a signal, an exit code) the chapters whose files were running are run again each alone, to
 * know which one is at fault (marked `crash`), and the others in a new process. So a fault costs
 * time, never another chapter's results.
 */
export async function verifyChapters(chapters: Chapter[], options: VerifyOptions): Promise<Verification> {
  const run = runInfo(options.root);
  const results = new Map<string, ChapterResult>();
  const settle = (chapter: Chapter, result: ChapterResult, date: string): void => {
    result.run = { date, commit: run.commit, dirty: run.dirty };
    results.set(chapter.id, result);
    options.onChapter?.(chapter, result);
  };
  const runAll = async (batch: Chapter[]): Promise<void> => {
    if (batch.length === 0) return;
    const date = new Date().toISOString();
    const outcome = await runBatch(batch, options);
    if (outcome.kind === 'report') {
      for (const chapter of batch) settle(chapter, outcome.results.get(chapter.id) as ChapterResult, date);
      return;
    }
    const ofChapter = (chapter: Chapter) =>
      new Map(
        [...outcome.files]
          .filter(([file]) => file.startsWith(`${chapter.dir}/`))
          .map(([file, state]) => [file.slice(chapter.dir.length + 1), state]),
      );
    if (outcome.kind === 'timeout') {
      const late = batch.filter((c) => outcome.late.some((file) => file.startsWith(`${c.dir}/`)));
      // Past the limit outside any spec file: with one chapter it is that chapter's; otherwise each alone.
      if (late.length === 0) {
        if (batch.length === 1)
          settle(
            batch[0] as Chapter,
            faultResult(
              batch[0] as Chapter,
              ofChapter(batch[0] as Chapter),
              'timeout',
              undefined,
              options,
              outcome.stderr,
            ),
            date,
          );
        else for (const chapter of batch) await runAll([chapter]);
        return;
      }
      for (const chapter of late)
        settle(
          chapter,
          faultResult(
            chapter,
            ofChapter(chapter),
            'timeout',
            outcome.late.find((f) => f.startsWith(`${chapter.dir}/`))?.slice(chapter.dir.length + 1),
            options,
            outcome.stderr,
          ),
          date,
        );
      await runAll(batch.filter((c) => !late.includes(c)));
      return;
    }
    // The process died: alone, the chapter is at fault; in company, each suspect runs again alone.
    if (batch.length === 1) {
      settle(
        batch[0] as Chapter,
        faultResult(batch[0] as Chapter, ofChapter(batch[0] as Chapter), 'crash', outcome.how, options, outcome.stderr),
        date,
      );
      return;
    }
    const suspects = batch.filter((c) => [...ofChapter(c).values()].some((state) => !state.ended));
    for (const chapter of suspects.length > 0 ? suspects : batch) await runAll([chapter]);
    await runAll(suspects.length > 0 ? batch.filter((c) => !suspects.includes(c)) : []);
  };
  // The processes are in their own groups: a Ctrl-C reaches them only through the build.
  addSignalHandlers();
  try {
    await runAll(chapters.filter((c) => c.files.some((f) => f.role === 'spec')));
  } finally {
    removeSignalHandlers();
  }
  return { run, chapters: chapters.map((c) => results.get(c.id) ?? { id: c.id, tests: [], fileErrors: [] }) };
}

/** How a vitest process ended: with its report, past the time limit, or dead without a report. */
type BatchOutcome =
  | { kind: 'report'; results: Map<string, ChapterResult> }
  | { kind: 'timeout'; late: string[]; files: Map<string, FileState>; stderr: string }
  | { kind: 'crash'; how: string; files: Map<string, FileState>; stderr: string };

/** Runs the specs of `chapters` in one vitest process, under the watchdog. Paths in the outcome are relative to the root. */
async function runBatch(chapters: Chapter[], options: VerifyOptions): Promise<BatchOutcome> {
  const { root } = options;
  const limit = options.timeLimit ?? DEFAULT_TIME_LIMIT_S;
  const specs = chapters.flatMap((c) => c.files.filter((f) => f.role === 'spec').map((f) => f.path));
  const work = mkdtempSync(join(tmpdir(), 'verify-'));
  try {
    const config = join(work, 'vitest.config.mjs');
    const output = join(work, 'report.json');
    const events = join(work, 'events.ndjson');
    writeFileSync(events, '');
    writeFileSync(config, runConfig(root, specs));
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const args = [
      '--import',
      pathToFileURL(VERIFY_RUNTIME_FILES[2] as string).href,
      vitest,
      'run',
      '--config',
      config,
      '--root',
      root,
      '--reporter=json',
      `--reporter=${VERIFY_RUNTIME_FILES[1] as string}`,
      `--outputFile.json=${output}`,
      '--includeTaskLocation',
    ];
    const spawned = Date.now();
    let late: string[] | undefined;
    const { code, signal, stderr } = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stderr: string;
    }>((resolve, reject) => {
      // Its own process group, so that the watchdog can end it with everything it started.
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', VERIFY_EVENTS: events },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      if (child.pid !== undefined) running.add(child.pid);
      let err = '';
      let partial = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        err = (err + chunk).slice(-20_000);
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onOutput?.(line);
      });
      const watchdog = setInterval(() => {
        const now = Date.now();
        const { files, last } = readEvents(events, root);
        const over = [...files]
          .filter(([, state]) => !state.ended && now - state.started > limit * 1000)
          .map(([file]) => file);
        const busy = [...files.values()].some((f) => !f.ended);
        // Nothing running: vitest starting (with an allowance), between files or closing.
        const idleSince = files.size === 0 ? spawned + STARTUP_ALLOWANCE_MS : last;
        if (over.length > 0) late = over;
        else if (!busy && now - idleSince > limit * 1000) late = [];
        if (late && child.pid !== undefined) {
          clearInterval(watchdog);
          killTree(child.pid);
        }
      }, 200);
      child.on('error', (error) => {
        clearInterval(watchdog);
        reject(error);
      });
      // 'exit', not 'close': a grandchild may still hold stderr open for a moment.
      child.on('exit', (exitCode, exitSignal) => {
        clearInterval(watchdog);
        if (child.pid !== undefined) {
          running.delete(child.pid);
          killTree(child.pid); // whatever the specs left behind
        }
        resolve({ code: exitCode, signal: exitSignal, stderr: err });
      });
    });
    const { files } = readEvents(events, root);
    if (late) return { kind: 'timeout', late, files, stderr };
    if (existsSync(output)) {
      const report = JSON.parse(readFileSync(output, 'utf8')) as VitestJsonReport;
      return { kind: 'report', results: new Map(parseVitestReport(report, chapters, root).map((r) => [r.id, r])) };
    }
    return { kind: 'crash', how: signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`, files, stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Stage 2, verify: runs the chapters' specs with vitest and returns what happened as plain data.
 * This is the only stage that executes chapter code. Its output can be saved and replayed
 * (`--results FILE`), so the later stages can run without it.
 * @module
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildError } from './errors.ts';
import type { Chapter, ChapterResult, Exchange, RunInfo, TestResult, TestStatus, Verification } from './types.ts';
import type { ProbeEvent } from './verify-probe.ts';

/** The parts of vitest's JSON report that we read. */
export interface VitestJsonReport {
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{
      ancestorTitles: string[];
      title: string;
      status: string;
      duration?: number | null;
      failureMessages?: string[] | null;
      location?: { line: number; column: number } | null;
      meta?: { exchanges?: Exchange[] } | null;
    }>;
  }>;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Boils a vitest failure message down to what a reader needs: the assertion message and diff,
 * without colours, stack frames or this machine's paths.
 */
export function cleanFailure(message: string, root: string): string {
  const lines = message.replace(ANSI, '').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^\s+at /.test(line)) break;
    kept.push(line.trimEnd());
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const text = kept.slice(0, 30).join('\n') + (kept.length > 30 ? '\n…' : '');
  return text.split(root + sep).join('').split(root).join('.');
}

function toStatus(status: string): TestStatus {
  if (status === 'passed') return 'passed';
  if (status === 'failed') return 'failed';
  return 'skipped';
}

/**
 * Turns vitest's JSON report into one {@link ChapterResult} per chapter (in the chapters' order).
 * Pure: the same report gives the same results.
 */
export function parseVitestReport(report: VitestJsonReport, chapters: Chapter[], root: string): ChapterResult[] {
  const results = new Map<string, ChapterResult>(chapters.map((c) => [c.id, { id: c.id, tests: [], fileErrors: [] }]));
  for (const file of report.testResults) {
    const rel = relative(root, file.name).split(sep).join('/');
    const chapter = chapters.find((c) => rel.startsWith(`${c.dir}/`));
    if (!chapter) continue;
    const result = results.get(chapter.id) as ChapterResult;
    const specName = rel.slice(chapter.dir.length + 1);
    if (file.assertionResults.length === 0 && file.status === 'failed') {
      result.fileErrors.push({ file: specName, message: cleanFailure(file.message ?? 'the spec file failed to run', root) });
      continue;
    }
    for (const a of file.assertionResults) {
      const status = toStatus(a.status);
      const test: TestResult = {
        name: a.title,
        describe: [...a.ancestorTitles],
        status,
        durationMs: Math.round(a.duration ?? 0),
        file: specName,
        exchanges: a.meta?.exchanges ?? [],
      };
      if (a.location) test.line = a.location.line;
      if (status === 'failed') test.failure = cleanFailure((a.failureMessages ?? []).join('\n') || 'failed', root);
      result.tests.push(test);
    }
  }
  return [...results.values()];
}

function packageVersion(root: string, name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return json.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The installed version of each of `root`'s package.json runtime dependencies, and of tsx, by name. */
export function dependencyVersions(root: string): Record<string, string> {
  let names: string[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    // tsx too: it is what a reader runs a snippet with.
    names = [...Object.keys(manifest.dependencies ?? {}), 'tsx'].sort();
  } catch {
    return {};
  }
  const versions: Record<string, string> = {};
  for (const name of names) versions[name] = packageVersion(root, name);
  return versions;
}

/** Versions, date and commit of a run made now in `root`. */
export function runInfo(root: string, date = new Date()): RunInfo {
  return {
    versions: {
      node: process.versions.node,
      express: packageVersion(root, 'express'),
      'express-session': packageVersion(root, 'express-session'),
      'cookie-parser': packageVersion(root, 'cookie-parser'),
    },
    packages: dependencyVersions(root),
    date: date.toISOString(),
    commit: git(root, ['rev-parse', 'HEAD']) ?? 'unknown',
    dirty: (git(root, ['status', '--porcelain']) ?? '') !== '',
  };
}

/** Seconds a spec file may run before the build stops its chapter, unless `--time-limit` says otherwise. */
export const DEFAULT_TIME_LIMIT_S = 120;

/**
 * How long vitest may take to start before the first spec file does, on top of the time limit:
 * its start-up is not the spec's time (it takes about a second, much more on a loaded machine).
 */
const STARTUP_ALLOWANCE_MS = 60_000;

/** The files verify adds to a chapter's run: they run inside vitest, so they are inputs of its results too. */
export const VERIFY_RUNTIME_FILES = [join(import.meta.dirname, 'verify-probe.ts'), join(import.meta.dirname, 'verify-reporter.ts'), join(import.meta.dirname, 'verify-guard.mjs')];

/** The chapters' vitest processes running now: ended with the build when it is interrupted. */
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
    `  .map((f) => f.startsWith('/') ? f : ${JSON.stringify(root + '/')} + f);`,
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
   * its chapter's vitest process and reports it as timed out; {@link DEFAULT_TIME_LIMIT_S} by default.
   */
  timeLimit?: number;
  /** How many chapters run at once, each in its own vitest process: 2 by default (or 1 on one core). */
  concurrency?: number;
  /** Called as each chapter's run ends, with its results and how long it took. */
  onChapter?: (chapter: Chapter, result: ChapterResult, ms: number) => void;
}

/**
 * Runs the specs of `chapters`, each chapter in its own vitest process (the project's
 * vitest.config.ts, JSON reporter), `concurrency` at a time, and returns the results with the
 * run's versions, date and commit. A failing test is a result, not an error; so are a chapter that
 * ran past the time limit (stopped, its spec files marked `timeout`) and one whose process died
 * (marked `crash`): the other chapters' results are unaffected.
 */
export async function verifyChapters(chapters: Chapter[], options: VerifyOptions): Promise<Verification> {
  const run = runInfo(options.root);
  const results: ChapterResult[] = new Array<ChapterResult>(chapters.length);
  const concurrency = Math.max(1, options.concurrency ?? Math.min(2, availableParallelism()));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < chapters.length) {
      const index = next++;
      const chapter = chapters[index] as Chapter;
      const started = performance.now();
      const date = new Date().toISOString();
      const result = await verifyChapter(chapter, options);
      result.run = { date, commit: run.commit, dirty: run.dirty };
      results[index] = result;
      options.onChapter?.(chapter, result, Math.round(performance.now() - started));
    }
  };
  // The chapters' processes are in their own groups: a Ctrl-C reaches them only through the build.
  addSignalHandlers();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, chapters.length) }, lane));
  } finally {
    removeSignalHandlers();
  }
  return { run, chapters: results };
}

/** What the probe's events say about one spec file. */
interface FileState {
  started: number;
  ended: boolean;
  /** The test running now (started, not ended). */
  test?: { describe: string[]; name: string };
}

/** Reads the probe's events file: each spec file's state, and when the last event was. */
function readEvents(path: string, root: string, dir: string): { files: Map<string, FileState>; last: number } {
  const files = new Map<string, FileState>();
  let last = 0;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { files, last };
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let event: ProbeEvent;
    try {
      event = JSON.parse(line) as ProbeEvent;
    } catch {
      continue; // a line cut by a kill
    }
    last = Math.max(last, event.t);
    const name = relative(join(root, dir), event.file).split(sep).join('/');
    if (event.e === 'file') files.set(name, { started: event.t, ended: false });
    const state = files.get(name);
    if (!state) continue;
    if (event.e === 'test') state.test = { describe: event.describe, name: event.name };
    else if (event.e === 'test-end') delete state.test;
    else if (event.e === 'file-end') {
      state.ended = true;
      delete state.test;
    }
  }
  return { files, last };
}

/** Every process under `pid` (Linux: read from /proc), children first found first. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the fields after its closing one.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // gone already
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Kills a chapter's vitest process, its process group, and every process under it (a browser or
 * redis-server a spec started may have made its own group).
 */
function killTree(pid: number): void {
  const all = descendants(pid);
  for (const target of [-pid, pid, ...all]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of all) {
    try {
      process.kill(-child, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
  }
}

/** `"describe › name"` of a running test, or undefined. */
function testName(state: FileState | undefined): string | undefined {
  return state?.test ? `"${[...state.test.describe, state.test.name].join(' › ')}"` : undefined;
}

function seconds(limit: number): string {
  return `${limit} s`;
}

/** Runs one chapter's specs in its own vitest process, under the watchdog. */
export async function verifyChapter(chapter: Chapter, options: VerifyOptions): Promise<ChapterResult> {
  const { root } = options;
  const limit = options.timeLimit ?? DEFAULT_TIME_LIMIT_S;
  const specFiles = chapter.files.filter((f) => f.role === 'spec');
  if (specFiles.length === 0) return { id: chapter.id, tests: [], fileErrors: [] };
  const work = mkdtempSync(join(tmpdir(), 'verify-'));
  try {
    const config = join(work, 'vitest.config.mjs');
    const output = join(work, 'report.json');
    const events = join(work, 'events.ndjson');
    writeFileSync(events, '');
    writeFileSync(config, runConfig(root, specFiles.map((f) => f.path)));
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const args = ['--import', pathToFileURL(VERIFY_RUNTIME_FILES[2] as string).href, vitest, 'run', '--config', config, '--root', root, '--reporter=json', `--reporter=${VERIFY_RUNTIME_FILES[1] as string}`, `--outputFile.json=${output}`, '--includeTaskLocation'];
    const spawned = Date.now();
    let stopped: { file?: string; state?: FileState } | undefined;
    const { code, signal, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
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
        const { files, last } = readEvents(events, root, chapter.dir);
        let late: [string, FileState] | undefined;
        for (const entry of files) if (!entry[1].ended && now - entry[1].started > limit * 1000) late = entry;
        const running = [...files.values()].some((f) => !f.ended);
        // Nothing running: vitest starting (with an allowance), between files or closing.
        const idleSince = files.size === 0 ? spawned + STARTUP_ALLOWANCE_MS : last;
        if (late) stopped = { file: late[0], state: late[1] };
        else if (!running && now - idleSince > limit * 1000) stopped = {};
        if (stopped && child.pid !== undefined) {
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
    const { files } = readEvents(events, root, chapter.dir);
    if (stopped) return faultResult(chapter, specFiles.map((f) => f.name), files, 'timeout', stopped.file, limit, stderr, root);
    if (existsSync(output)) {
      const report = JSON.parse(readFileSync(output, 'utf8')) as VitestJsonReport;
      const [result] = parseVitestReport(report, [chapter], root);
      return result as ChapterResult;
    }
    const how = signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`;
    return faultResult(chapter, specFiles.map((f) => f.name), files, 'crash', how, limit, stderr, root);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The result of a chapter whose run was stopped (`timeout`: `detail` is the late spec file, if
 * any) or died (`crash`: `detail` says how): every spec file gets an error, the one at fault with
 * what was running, the others saying their results were lost with the run.
 */
function faultResult(
  chapter: Chapter,
  specs: string[],
  files: Map<string, FileState>,
  fault: 'timeout' | 'crash',
  detail: string | undefined,
  limit: number,
  stderr: string,
  root: string,
): ChapterResult {
  const fileErrors: ChapterResult['fileErrors'] = [];
  // The files at fault: for a time-out, the late one; for a crash, every file that was running.
  const guilty = fault === 'timeout' ? (detail ? [detail] : []) : [...files].filter(([, s]) => !s.ended).map(([name]) => name);
  const where = (name: string): string => {
    const state = files.get(name);
    const test = testName(state);
    if (test) return `in test ${test}`;
    return state ? 'while loading the spec file or in a hook outside any test (no test was running)' : 'before the spec file started';
  };
  const cause =
    fault === 'timeout'
      ? detail
        ? `${detail} timed out`
        : `vitest ran past the time limit of ${seconds(limit)} outside any spec file`
      : `the vitest process died (${detail ?? 'unknown'})`;
  for (const name of specs) {
    if (guilty.includes(name)) {
      const message =
        fault === 'timeout'
          ? `Timed out after ${seconds(limit)} ${where(name)}: the build stopped this chapter's run (the time limit is ${seconds(limit)}; --time-limit changes it). No claim of ${name} is verified.`
          : `The process running this spec died (${detail ?? 'unknown'}) ${where(name)}. No claim of ${name} is verified.`;
      fileErrors.push({ file: name, message, fault });
    } else {
      const text = `Not verified: ${cause}, and the chapter's run was stopped with it, so the results of ${name} were lost.`;
      const tail = guilty.length === 0 ? cleanFailure(stderr.replace(ANSI, '').trim().split('\n').slice(-12).join('\n'), root) : '';
      fileErrors.push({ file: name, message: tail ? `${text}\n\nvitest said:\n${tail}` : text, fault });
    }
  }
  return { id: chapter.id, tests: [], fileErrors };
}

/** Writes results to a JSON file, for a later `--results FILE` build. */
export function saveVerification(path: string, verification: Verification): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(verification, null, 1)}\n`);
}

/**
 * Reads results saved by {@link saveVerification}.
 * @param display the path to show in messages
 * @throws BuildError when the file is missing or not a results file
 */
export function loadVerification(path: string, display = path): Verification {
  if (!existsSync(path)) throw new BuildError(display, 'results file not found');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BuildError(display, `not valid JSON: ${(error as Error).message}`);
  }
  const v = data as Partial<Verification>;
  if (!v || typeof v !== 'object' || !v.run || !Array.isArray(v.chapters) || !v.run.versions) {
    throw new BuildError(display, 'not a results file: expected { run: { versions, date, commit }, chapters: [...] }');
  }
  for (const chapter of v.chapters) {
    if (typeof chapter?.id !== 'string' || !Array.isArray(chapter.tests)) {
      throw new BuildError(display, 'not a results file: every chapter needs an id and a tests array');
    }
    chapter.fileErrors ??= [];
  }
  return v as Verification;
}

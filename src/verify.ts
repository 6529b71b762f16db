/**
 * Stage 2, verify: runs the chapters' specs with vitest and returns what happened as plain data.
 * This is the only stage that executes chapter code. Its output can be saved and replayed
 * (`--results FILE`), so the later stages can run without it.
 * @module
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildError } from './errors.ts';
import type { Chapter, ChapterResult, Exchange, RunInfo, TestResult, TestStatus, Verification } from './types.ts';

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

export interface VerifyOptions {
  /** The project root: where node_modules, vitest.config.ts and .git are. */
  root: string;
  /** Called with each line vitest prints on stderr (progress, errors). */
  onOutput?: (line: string) => void;
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

/** The vitest config for one run: the project's config, with `include` set to exactly these specs. */
function runConfig(root: string, specs: string[]): string {
  const base = join(root, 'vitest.config.ts');
  const include = JSON.stringify(specs);
  const setup = JSON.stringify(join(root, 'src/testkit/setup.ts'));
  if (!existsSync(base)) return `export default { test: { include: ${include}, setupFiles: [${setup}] } };\n`;
  return [
    `import base from ${JSON.stringify(pathToFileURL(base).href)};`,
    `const test = base.test ?? {};`,
    `const setupFiles = (Array.isArray(test.setupFiles) ? test.setupFiles : test.setupFiles ? [test.setupFiles] : [])`,
    `  .map((f) => f.startsWith('/') ? f : ${JSON.stringify(root + '/')} + f);`,
    `export default { ...base, test: { ...test, include: ${include}, setupFiles } };`,
    '',
  ].join('\n');
}

/**
 * Runs every spec of `chapters` in one vitest process (the project's vitest.config.ts, JSON
 * reporter) and returns the results with the run's versions, date and commit.
 * A failing test is a result, not an error; an error is thrown only when vitest gives no report.
 */
export async function verifyChapters(chapters: Chapter[], options: VerifyOptions): Promise<Verification> {
  const { root } = options;
  const specs = chapters.flatMap((c) => c.files.filter((f) => f.role === 'spec').map((f) => f.path));
  const work = mkdtempSync(join(tmpdir(), 'verify-'));
  try {
    const config = join(work, 'vitest.config.mjs');
    const output = join(work, 'report.json');
    writeFileSync(config, runConfig(root, specs));
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const args = [vitest, 'run', '--config', config, '--root', root, '--reporter=json', `--outputFile=${output}`, '--includeTaskLocation'];
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      let partial = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        err += chunk;
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onOutput?.(line);
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, stderr: err }));
    });
    if (!existsSync(output)) {
      throw new Error(`vitest exited with code ${code} and wrote no report:\n${stderr.replace(ANSI, '').slice(-3000)}`);
    }
    const report = JSON.parse(readFileSync(output, 'utf8')) as VitestJsonReport;
    return { run: runInfo(root), chapters: parseVitestReport(report, chapters, root) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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

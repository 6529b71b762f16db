/**
 * `npm test` measured (issue 11, targets 2, 3 and 4): the whole suite side by side with a baseline
 * commit in a `git worktree`, one chapter against the runner's start-up on one empty spec, and the
 * suite under load. Everything here but {@link addBaselineWorktree} and {@link removeBaselineWorktree}
 * is pure.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Figure, figure, median } from './stats.ts';

/** The commit `npm test` is compared with (main as of issue 11). */
export const BASELINE_COMMIT = 'db4b9ba';
/** Target 2: the whole suite takes at most this share of the baseline's time. */
export const WHOLE_SUITE_MAX_RATIO = 0.65;
/** Target 3: `npm test -- 01` takes at most this many times vitest's start-up on one empty spec. */
export const ONE_CHAPTER_MAX_RATIO = 1.25;
/** Target 4: whole-suite runs under load, all of which must pass. */
export const LOAD_RUNS = 3;

/** One round of the side-by-side figure: the baseline's suite, then this tree's, one after the other. */
export interface SuiteRound {
  baselineMs: number;
  currentMs: number;
  /** Whether each suite passed (a failing run is still timed, and said so in the note). */
  baselineOk: boolean;
  currentOk: boolean;
}

/** How the baseline worktree gets its node_modules. */
export type NodeModulesPlan = 'symlink' | 'npm ci --offline';

/**
 * The project's own node_modules serves the baseline when the lockfiles are byte-identical;
 * otherwise the baseline installs its own from npm's cache.
 */
export function nodeModulesPlan(currentLock: string, baselineLock: string): NodeModulesPlan {
  return currentLock === baselineLock ? 'symlink' : 'npm ci --offline';
}

/**
 * Figure 1: the whole `npm test` as a ratio of the baseline's, the median of per-round ratios (each
 * round runs both suites back to back, so a change in the machine's load hits both alike).
 */
export function wholeSuiteFigure(
  rounds: SuiteRound[],
  commit: string,
  plan: NodeModulesPlan | string,
  tests?: { current?: number; baseline?: number },
): Figure {
  const ratios = rounds.map((r) => r.currentMs / r.baselineMs);
  const f = figure(
    '1',
    `npm test, whole suite, side by side with main at ${commit} (a git worktree; its node_modules: ${plan})`,
    ratios,
    '×',
    { op: '<=', value: WHOLE_SUITE_MAX_RATIO, text: `≤ ${WHOLE_SUITE_MAX_RATIO} × ${commit}` },
  );
  const failed = rounds.flatMap((r, i) => [
    ...(r.currentOk ? [] : [`this tree's run ${i + 1}`]),
    ...(r.baselineOk ? [] : [`${commit}'s run ${i + 1}`]),
  ]);
  const count = (n: number | undefined) => (n === undefined ? '' : `, ${n} tests`);
  f.note = `this tree ${seconds(median(rounds.map((r) => r.currentMs)))}${count(tests?.current)}; ${commit} ${seconds(median(rounds.map((r) => r.baselineMs)))}${count(tests?.baseline)}; per round: ${rounds.map((r) => `${seconds(r.currentMs)} / ${seconds(r.baselineMs)}`).join(', ')}${failed.length ? `; FAILING: ${failed.join(', ')}` : ''}`;
  if (failed.length > 0) f.met = false; // a fast suite that fails meets nothing
  return f;
}

/**
 * Figure 2: `npm test -- NN` as a ratio of `npm test` on one empty spec (vitest's own start-up,
 * with the project's config and setup file), the median of per-round ratios; the two alternate.
 */
export function oneChapterFigure(pairs: Array<{ chapterMs: number; emptyMs: number }>, nn: string): Figure {
  const f = figure(
    '2',
    `npm test -- ${nn} (one chapter), against npm test on one empty spec (vitest's start-up)`,
    pairs.map((p) => p.chapterMs / p.emptyMs),
    '×',
    { op: '<=', value: ONE_CHAPTER_MAX_RATIO, text: `≤ ${ONE_CHAPTER_MAX_RATIO} × the start-up` },
  );
  f.note = `npm test -- ${nn} ${seconds(median(pairs.map((p) => p.chapterMs)))}; one empty spec ${seconds(median(pairs.map((p) => p.emptyMs)))}; per round: ${pairs.map((p) => `${seconds(p.chapterMs)} / ${seconds(p.emptyMs)}`).join(', ')}`;
  return f;
}

/** Figure L: the whole suite under load: how many of the runs passed, against all of them. */
export function loadFigure(runs: Array<{ ms: number; ok: boolean; failures?: string[] }>, busyLoops: number): Figure {
  const passed = runs.filter((r) => r.ok).length;
  const f = figure(
    'L',
    `npm test, whole suite, while ${busyLoops} busy loops (node -e 'for(;;);') hold the cores: runs passed`,
    [passed],
    '',
    { op: 'info', text: `${runs.length} of ${runs.length} pass` },
  );
  f.runs = runs.map((r) => (r.ok ? 1 : 0));
  f.met = runs.length > 0 && passed === runs.length;
  const failing = runs.flatMap((r, i) =>
    r.ok ? [] : [`run ${i + 1}: ${r.failures?.length ? r.failures.join('; ') : 'failed'}`],
  );
  f.note = `${passed} of ${runs.length} passed; times ${runs.map((r) => seconds(r.ms)).join(', ')}${failing.length ? `; ${failing.join(' | ')}` : ''}`;
  return f;
}

/** The names of the failing tests in a vitest JSON report (file › test), for the load figure's note. */
export function failingTests(
  report: {
    testResults?: Array<{
      name: string;
      message?: string;
      assertionResults?: Array<{ fullName?: string; title: string; status: string }>;
    }>;
  },
  root: string,
): string[] {
  const out: string[] = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.startsWith(`${root}/`) ? file.name.slice(root.length + 1) : file.name;
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) out.push(`${name} › ${a.fullName ?? a.title}`);
    if (failed.length === 0 && file.message) out.push(`${name}: ${file.message.split('\n')[0]}`);
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Adds a detached `git worktree` of `commit` at `dir` and gives it node_modules: a symlink to the
 * project's own when the lockfiles are the same; otherwise one installed by `npm ci --offline`
 * (npm's cache only) into `cacheDir/node_modules-<hash of the baseline's lockfile>`, once, and linked
 * from then on (the install compiles better-sqlite3: minutes on a busy machine).
 */
export function addBaselineWorktree(
  root: string,
  commit: string,
  dir: string,
  cacheDir: string,
  say: (line: string) => void = () => {},
): { plan: NodeModulesPlan; installed: 'linked' | 'installed now' | 'kept from an earlier run' } {
  execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: root, stdio: 'ignore' });
  const baselineLock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
  const plan = nodeModulesPlan(readFileSync(join(root, 'package-lock.json'), 'utf8'), baselineLock);
  if (plan === 'symlink') {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { plan, installed: 'linked' };
  }
  const kept = join(cacheDir, baselineModulesFolder(baselineLock));
  const done = join(kept, '.complete');
  let installed: 'installed now' | 'kept from an earlier run' = 'kept from an earlier run';
  if (!existsSync(done)) {
    say(`the lockfiles differ: npm ci --offline for ${commit} into ${kept} (once; later runs link it)`);
    rmSync(kept, { recursive: true, force: true });
    mkdirSync(kept, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(dir, file), join(kept, file));
    execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: kept, stdio: 'ignore' });
    writeFileSync(done, `${new Date().toISOString()}\n`);
    installed = 'installed now';
  }
  symlinkSync(join(kept, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { plan, installed };
}

/** The folder name a baseline's node_modules is kept under: keyed by its lockfile's content. */
export function baselineModulesFolder(lockfile: string): string {
  return `node_modules-${createHash('sha256').update(lockfile).digest('hex').slice(0, 16)}`;
}

/** Removes the worktree (and git's record of it). */
export function removeBaselineWorktree(root: string, dir: string): void {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
  } catch {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
  }
}

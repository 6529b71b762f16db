/**
 * Incremental verification, measured (issue 11, target 1): whole `npm run build` processes in a
 * temporary copy of the project, side by side in one run: a cold build (`--no-cache`), a build after
 * a one-chapter change, a build with nothing changed, and the same build from saved results
 * (`--results`: render and write, no specs). The copy keeps the real tree and its `.cache/` untouched.
 * Everything here but {@link copyProject} is pure.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Figure, figure, median } from './stats.ts';

/** The target for a build after a one-chapter change, as a share of a cold build (issue 11). */
export const ONE_CHANGE_MAX_PERCENT = 15;

/**
 * Copies the project's files (tracked and untracked, not ignored: as `git ls-files` lists them) into
 * `dest`, with `node_modules` a symlink to the project's own. Returns the number of files copied.
 */
export function copyProject(root: string, dest: string): number {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  })
    .split('\0')
    .filter(Boolean);
  let copied = 0;
  for (const file of files) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    try {
      copyFileSync(join(root, file), join(dest, file));
      copied++;
    } catch (error) {
      // A tracked file deleted in the working tree is not part of the project as it stands.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'), 'dir');
  return copied;
}

/** A chapter file's text with a change a spec could observe (a new comment line), different for each `n`. */
export function withBenchChange(text: string, n: number): string {
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}// npm run bench: change ${n}\n`;
}

/** A stage's milliseconds from `npm run build`'s output (`verify   1234 ms  …`), or undefined. */
export function stageMs(stdout: string, stage: string): number | undefined {
  const found = new RegExp(`^${stage}\\s+(\\d+) ms`, 'm').exec(stdout);
  return found ? Number(found[1]) : undefined;
}

/** Where a build's time went, from its output: the verify and render stages, and the search index and API docs steps of write. */
export interface BuildStages {
  verify?: number;
  render?: number;
  search?: number;
  /** The time the build still waited for typedoc (started with find, alongside the specs). */
  api?: number;
}

export function buildStages(stdout: string): BuildStages {
  const step = (name: string) => {
    const found = new RegExp(`^\\s+${name}[^:\n]*: (\\d+) ms`, 'm').exec(stdout);
    return found ? Number(found[1]) : undefined;
  };
  const found: BuildStages = {
    verify: stageMs(stdout, 'verify'),
    render: stageMs(stdout, 'render'),
    search: step('search index'),
    api: step('API docs'),
  };
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined)) as BuildStages;
}

/** How many chapters a build ran and out of how many (`… 1 of 21 chapters run, 20 unchanged …`), or undefined. */
export function chaptersRun(stdout: string): { ran: number; of: number } | undefined {
  const found = /(\d+) of (\d+) chapters run/.exec(stdout);
  return found ? { ran: Number(found[1]), of: Number(found[2]) } : undefined;
}

/** One round of the four builds, each a whole process, taken one after the other. */
export interface IncrementalRound {
  /** `npm run build -- --no-cache`: every chapter's specs. */
  coldMs: number;
  /** After a change to one chapter's file. */
  oneMs: number;
  /** Straight after, nothing changed. */
  noneMs: number;
  /** `npm run build -- --results FILE`: the same build from saved results, no specs (render and write). */
  renderOnlyMs: number;
  /** Where the one-change and the nothing-changed builds' time went, from their output. */
  oneStages?: BuildStages;
  noneStages?: BuildStages;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * The two figures of target 1, each a median of per-round ratios (each round's builds were taken
 * side by side): a one-chapter change against a cold build (≤ 15 %), and nothing changed against
 * the build from saved results (≤ 100 %: no longer than render plus write).
 */
export function incrementalFigures(rounds: IncrementalRound[], changed: string, chapterCount: number): Figure[] {
  const med = (pick: (r: IncrementalRound) => number | undefined) => median(rounds.map((r) => pick(r) ?? Number.NaN));
  const stagesNote = (pick: (r: IncrementalRound) => BuildStages | undefined) => {
    const names: Array<[keyof BuildStages, string]> = [
      ['verify', 'verify'],
      ['render', 'render'],
      ['search', 'search index'],
      ['api', 'API docs waited for'],
    ];
    const parts = names.flatMap(([key, name]) => {
      const v = med((r) => pick(r)?.[key]);
      return Number.isFinite(v) ? [`${name} ${Math.round(v)} ms`] : [];
    });
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  return [
    figure(
      '7a',
      `npm run build after a one-chapter change (${changed}), as a share of a cold build (--no-cache, ${chapterCount} chapters)`,
      rounds.map((r) => (r.oneMs / r.coldMs) * 100),
      '%',
      { op: '<=', value: ONE_CHANGE_MAX_PERCENT, text: `≤ ${ONE_CHANGE_MAX_PERCENT} % of a cold build` },
      `medians: one-chapter change ${sec(med((r) => r.oneMs))}${stagesNote((r) => r.oneStages)}; cold build ${sec(med((r) => r.coldMs))}`,
    ),
    figure(
      '7b',
      'npm run build with nothing changed, as a share of the same build from saved results (render + write, no specs)',
      rounds.map((r) => (r.noneMs / r.renderOnlyMs) * 100),
      '%',
      { op: '<=', value: 100, text: '≤ 100 % (no longer than render + write)' },
      `medians: nothing changed ${sec(med((r) => r.noneMs))}${stagesNote((r) => r.noneStages)}; from saved results (--results) ${sec(med((r) => r.renderOnlyMs))}`,
    ),
  ];
}

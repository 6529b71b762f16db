/**
 * The values that flow between the build stages:
 * `find` → {@link Chapter}[] → `verify` → {@link Verification} → `render` → {@link SiteFile}[] → `write`.
 *
 * Every value is plain data (JSON-serialisable), so a stage can be tested alone and results can be
 * saved and replayed.
 * @module
 */
import type { Exchange } from './testkit/exchange.ts';

export type { Exchange };

/** The verdict a chapter gives on the article section it checks. */
export type Verdict = 'right' | 'incomplete' | 'wrong' | 'beyond';

/** The verdicts a chapter's front matter may give. */
export const VERDICTS: readonly Verdict[] = ['right', 'incomplete', 'wrong', 'beyond'];

/** A chapter's front matter: the required keys, plus any others as strings. */
export interface FrontMatter {
  title: string;
  /** The article section the chapter checks, or `beyond the article`. */
  article: string;
  verdict: Verdict;
  summary: string;
  /** Other `key: value` lines, kept as written. */
  extra: Record<string, string>;
}

/**
 * The role a chapter's file plays on the site: `snippet` (code to copy), `article` (the article's own
 * code, `article*.ts`), `pitfall` (a mistake shown on purpose, `pitfall*.ts`), `spec` (`*.test.ts`),
 * `other`. Article and pitfall code is labelled "not the one to copy" and has no copy button.
 */
export type FileRole = 'snippet' | 'article' | 'pitfall' | 'spec' | 'other';

/** One file of a chapter folder, read in full. */
export interface ChapterFile {
  /** Path relative to the chapter folder, with `/` separators, e.g. `app.ts`. */
  name: string;
  /** Path relative to the project root, for messages, e.g. `chapters/01-x/app.ts`. */
  path: string;
  role: FileRole;
  text: string;
}

/** One chapter folder `chapters/NN-slug/` (or `NNN-slug/`), read and checked. */
export interface Chapter {
  /** The folder's number (two or three digits) as a number, e.g. `4`. */
  number: number;
  /** The folder name, e.g. `04-storing-session-data`; also the page's URL segment. */
  id: string;
  /** The folder name without its number, e.g. `storing-session-data`. */
  slug: string;
  /** The folder, relative to the project root, e.g. `chapters/04-storing-session-data`. */
  dir: string;
  meta: FrontMatter;
  /** The README.md prose. */
  readme: {
    /** Path relative to the project root. */
    path: string;
    /** The markdown after the front matter. */
    body: string;
    /** The README line number (1-based) on which `body` starts. */
    bodyLine: number;
  };
  /** Every file of the folder (README.md excluded), sorted by name. */
  files: ChapterFile[];
}

/** The outcome of one test, as the site shows it. */
export type TestStatus = 'passed' | 'failed' | 'skipped';

/** One test: one claim. */
export interface TestResult {
  /** The test's name: the claim. */
  name: string;
  /** The `describe` blocks around it, outermost first. */
  describe: string[];
  status: TestStatus;
  /** Milliseconds, rounded. */
  durationMs: number;
  /** The spec file, relative to the chapter folder, and the line of the test. */
  file: string;
  line?: number;
  /** For a failed test: the assertion message (first lines, no ANSI colours). */
  failure?: string;
  /** The HTTP exchanges the test made, raw (render masks them). */
  exchanges: Exchange[];
}

/** The tests of one chapter. */
export interface ChapterResult {
  /** The chapter's {@link Chapter.id}. */
  id: string;
  tests: TestResult[];
  /**
   * An error that stopped a spec file from running at all (syntax error, import failure), or a
   * fault that stopped it part-way: `timeout` (it ran past the build's time limit and was killed)
   * or `crash` (the process running it died: an exit code or a signal).
   */
  fileErrors: Array<{ file: string; message: string; fault?: 'timeout' | 'crash' }>;
  /**
   * The run these results come from, when it differs from the build's: a build with the verify
   * cache re-runs only the chapters whose inputs changed and takes the others from earlier runs.
   */
  run?: ChapterRun;
}

/** When and at which commit a chapter's specs ran. */
export interface ChapterRun {
  /** ISO date-time of the run. */
  date: string;
  /** Git commit hash of the working tree, or `unknown`. */
  commit: string;
  /** True when the working tree had uncommitted changes. */
  dirty: boolean;
}

/** Where and with what the specs ran. */
export interface RunInfo {
  versions: { node: string; express: string; 'express-session': string; 'cookie-parser': string };
  /**
   * Installed version of each runtime dependency in package.json (the packages snippets import),
   * so that a snippet's install command names the major version it was verified with.
   * Absent in results saved before it was recorded.
   */
  packages?: Record<string, string>;
  /** ISO date-time of the run. */
  date: string;
  /** Git commit hash of the working tree, or `unknown`. */
  commit: string;
  /** True when the working tree had uncommitted changes. */
  dirty: boolean;
}

/** What the verify stage produces, and what `--results FILE` holds. */
export interface Verification {
  run: RunInfo;
  chapters: ChapterResult[];
}

/** One output file of the site, path relative to the site root. */
export interface SiteFile {
  path: string;
  content: string | Uint8Array;
}

/** One mutant: a one-line mistake applied to a chapter's snippet file (see `src/mutate/`). */
export interface Mutant {
  /** Stable id: operator and a short hash of the change, e.g. `flip-option-3fa2b1c`. */
  id: string;
  /** The mutated file, relative to the chapter folder, e.g. `app.ts`. */
  file: string;
  /** The 1-based line the change starts on. */
  line: number;
  /** The operator that made it, e.g. `remove-call`. */
  operator: string;
  /** The mistake in words, e.g. "`regenerate()` left out (its callback runs at once)". */
  description: string;
  /** True when the change weakens a safety property (secret, cookie flags, regenerate, logout, trust proxy, expiry, guards). */
  safety: boolean;
  /** The lines before (`- `) and after (`+ `) the change. */
  diff: string;
  /** The replaced range of the original text, and its replacement. */
  start: number;
  end: number;
  replacement: string;
}

/** What a chapter's specs did with one mutant. */
export type MutantStatus = 'killed' | 'survived';

/** One mutant and its outcome. */
export interface MutantResult extends Mutant {
  status: MutantStatus;
  /** For a killed mutant: the first claim that failed (or the spec file that could not run). */
  killedBy?: string;
}

/** A chapter's mutation run. */
export interface ChapterMutation {
  /** The chapter's {@link Chapter.id}. */
  id: string;
  /** Hash of every input the run could observe (chapter files, testkit, config, lockfile, Node). */
  inputs: string;
  /** True when the unmutated chapter passed in the same run (otherwise no mutant result means anything). */
  baselinePassed: boolean;
  mutants: MutantResult[];
}

/** What `npm run mutate` saves: `mutation-results.json`. */
export interface MutationReport {
  /** ISO date-time and commit of the run. */
  date: string;
  commit: string;
  node: string;
  chapters: ChapterMutation[];
}

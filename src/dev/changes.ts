/**
 * What a changed path means to `npm run dev`, and how the changes that arrive while a batch is
 * handled merge into the next one. Pure.
 * @module
 */
import { FOLDER_NAME } from '../find.ts';

/** What one changed file asks the dev server to do. */
export type Change =
  | { kind: 'chapter'; id: string; file: string; rerun: boolean }
  | { kind: 'src'; file: string; rerunAll: boolean }
  | { kind: 'ignore' };

/** Editor droppings and other files that never matter. */
function ignoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    name.endsWith('.swp') ||
    name.endsWith('.swx') ||
    /^\d+$/.test(name) ||
    name === 'node_modules'
  );
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

/** Whether a batch asks for any work. */
export function hasWork(batch: Batch): boolean {
  return batch.files.size > 0 || batch.all;
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

/**
 * What the watchdog knows of a run: the probe's events read into each spec file's state, and the
 * results of a chapter whose run timed out or died.
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { ANSI, cleanFailure } from '../results.ts';
import type { Chapter, ChapterResult } from '../types.ts';
import type { ProbeEvent } from '../verify-probe.ts';

/** Seconds a spec file may run before the build stops its chapter, unless `--time-limit` says otherwise. */
export const DEFAULT_TIME_LIMIT_S = 120;

/** What the probe's events say about one spec file. */
export interface FileState {
  started: number;
  ended: boolean;
  /** The test running now (started, not ended). */
  test?: { describe: string[]; name: string };
}

/** Reads the probe's events file: each spec file's state, and when the last event was. */
export function readEvents(path: string, root: string): { files: Map<string, FileState>; last: number } {
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
    const name = relative(root, event.file).split(sep).join('/');
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

/** `"describe › name"` of a running test, or undefined. */
export function testName(state: FileState | undefined): string | undefined {
  return state?.test ? `"${[...state.test.describe, state.test.name].join(' › ')}"` : undefined;
}

export function seconds(limit: number): string {
  return `${limit} s`;
}

/**
 * The result of a chapter whose run was stopped (`timeout`: `detail` is the late spec file, if
 * any) or died (`crash`: `detail` says how): every spec file gets an error, the one at fault with
 * what was running, the others saying their results were lost with the run.
 */
export function faultResult(
  chapter: Chapter,
  files: Map<string, FileState>,
  fault: 'timeout' | 'crash',
  detail: string | undefined,
  options: { root: string; timeLimit?: number },
  stderr: string,
): ChapterResult {
  const { root } = options;
  const limit = options.timeLimit ?? DEFAULT_TIME_LIMIT_S;
  const specs = chapter.files.filter((f) => f.role === 'spec').map((f) => f.name);
  const fileErrors: ChapterResult['fileErrors'] = [];
  // The files at fault: for a time-out, the late one; for a crash, every file that was running.
  const guilty =
    fault === 'timeout' ? (detail ? [detail] : []) : [...files].filter(([, s]) => !s.ended).map(([name]) => name);
  const where = (name: string): string => {
    const state = files.get(name);
    const test = testName(state);
    if (test) return `in test ${test}`;
    return state
      ? 'while loading the spec file or in a hook outside any test (no test was running)'
      : 'before the spec file started';
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
      const tail =
        guilty.length === 0
          ? cleanFailure(stderr.replace(ANSI, '').trim().split('\n').slice(-12).join('\n'), root)
          : '';
      fileErrors.push({ file: name, message: tail ? `${text}\n\nvitest said:\n${tail}` : text, fault });
    }
  }
  return { id: chapter.id, tests: [], fileErrors };
}

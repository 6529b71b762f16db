/**
 * A setup file the verify stage adds to every chapter's vitest run (never to `npm test`). It runs
 * inside the worker, before each spec file, and appends one line of JSON to the file named by
 * `VERIFY_EVENTS` at each step: the spec file starting, each test starting and ending, the file
 * ending. The writes are synchronous, so the file is on disk even when the worker then spins in a
 * loop or the process is killed: the build's watchdog reads it to know which file and test were
 * running when it stopped a chapter, or when the process died.
 * @module
 */
import { appendFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

/** One line of the events file. */
export type ProbeEvent =
  | { e: 'file'; file: string; t: number }
  | { e: 'test'; file: string; describe: string[]; name: string; t: number }
  | { e: 'test-end'; file: string; t: number }
  | { e: 'file-end'; file: string; t: number };

const target = process.env.VERIFY_EVENTS;
const file = expect.getState().testPath ?? 'unknown';

function log(event: ProbeEvent): void {
  if (!target) return;
  try {
    appendFileSync(target, `${JSON.stringify(event)}\n`);
  } catch {
    // The build went away; nothing to tell.
  }
}

interface Named {
  name: string;
  suite?: Named | undefined;
}

function describePath(task: Named): string[] {
  const path: string[] = [];
  for (let suite = task.suite; suite; suite = suite.suite) if (suite.name) path.unshift(suite.name);
  return path;
}

log({ e: 'file', file, t: Date.now() });
beforeEach((context) =>
  log({ e: 'test', file, describe: describePath(context.task as Named), name: context.task.name, t: Date.now() }),
);
afterEach(() => log({ e: 'test-end', file, t: Date.now() }));
afterAll(() => log({ e: 'file-end', file, t: Date.now() }));

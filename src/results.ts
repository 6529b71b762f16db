/**
 * vitest's output as the build's results, in one place. `npm run build` reads vitest's JSON report
 * (a vitest process of its own, see verify.ts) and `npm run dev` reads the test modules of the
 * vitest instance it keeps warm (see dev/specs.ts): each is first turned into the same plain
 * {@link SpecOutcome}s by a small adapter that only copies fields, and one builder makes the
 * {@link ChapterResult}s from those, with one status mapping, one failure cleaning and one order:
 *
 * - chapters in the order given; a chapter without spec outcomes gets an empty result;
 * - a chapter's spec files by their path (code-unit order), whatever order vitest finished them in;
 * - a file's tests in the order vitest reports them (the order they are declared);
 * - a test's failure from its errors' stacks (or messages), a spec file's error from its first error.
 * @module
 */
import { relative, sep } from 'node:path';
import type { Chapter, ChapterResult, Exchange, TestResult, TestStatus } from './types.ts';

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

/** The parts of vitest's reported tasks (`TestModule`, `TestCase`) that {@link fromTestModules} reads. */
export interface ReportedTest {
  name: string;
  parent: { type: string; name?: string; parent?: unknown };
  location?: { line: number } | undefined;
  result(): { state: string; errors?: ReadonlyArray<{ message?: string; stack?: string }> | undefined };
  diagnostic(): { duration: number } | undefined;
  meta(): { exchanges?: Exchange[] };
}
export interface ReportedModule {
  moduleId: string;
  state(): string;
  errors(): ReadonlyArray<{ message?: string }>;
  children: { allTests(): Iterable<ReportedTest> };
}

/** One spec file's outcome, whichever way vitest told it. */
export interface SpecOutcome {
  /** Absolute path of the spec file. */
  file: string;
  /** Whether the file itself failed (failed to load, or a hook outside any test threw). */
  failed: boolean;
  /** The file's own error, if any. */
  error?: string | undefined;
  tests: Array<{
    describe: string[];
    name: string;
    /** vitest's state or status word (`passed`, `failed`, `skipped`, `pending`, `todo`, …). */
    state: string;
    duration?: number | null | undefined;
    line?: number | undefined;
    /** Each error's stack, or its message when it has no stack. */
    errors: string[];
    exchanges?: Exchange[] | undefined;
  }>;
}

/** vitest's word for a test's outcome as ours: anything but passed or failed did not run. */
export function toStatus(state: string): TestStatus {
  if (state === 'passed') return 'passed';
  if (state === 'failed') return 'failed';
  return 'skipped';
}

/** Colour codes in vitest's output. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI colour code starts with ESC
export const ANSI = /\u001b\[[0-9;]*m/g;

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
  return text
    .split(root + sep)
    .join('')
    .split(root)
    .join('.');
}

/**
 * One {@link ChapterResult} per chapter, in the chapters' order, from the spec outcomes of a run
 * (outcomes of files outside every chapter are left out). Pure: the same outcomes, in any order,
 * give the same results.
 * @param root the project root the chapters' `dir`s are relative to
 */
export function buildChapterResults(
  outcomes: Iterable<SpecOutcome>,
  chapters: ReadonlyArray<Pick<Chapter, 'id' | 'dir'>>,
  root: string,
): ChapterResult[] {
  const results = new Map<string, ChapterResult>(chapters.map((c) => [c.id, { id: c.id, tests: [], fileErrors: [] }]));
  const files = [...outcomes]
    .map((outcome) => ({ outcome, rel: relative(root, outcome.file).split(sep).join('/') }))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const { outcome, rel } of files) {
    const chapter = chapters.find((c) => rel.startsWith(`${c.dir}/`));
    if (!chapter) continue;
    const result = results.get(chapter.id) as ChapterResult;
    const file = rel.slice(chapter.dir.length + 1);
    if (outcome.tests.length === 0 && outcome.failed) {
      result.fileErrors.push({ file, message: cleanFailure(outcome.error || 'the spec file failed to run', root) });
      continue;
    }
    for (const t of outcome.tests) {
      const status = toStatus(t.state);
      const test: TestResult = {
        name: t.name,
        describe: [...t.describe],
        status,
        durationMs: Math.round(t.duration ?? 0),
        file,
        exchanges: t.exchanges ?? [],
      };
      if (t.line !== undefined) test.line = t.line;
      if (status === 'failed') test.failure = cleanFailure(t.errors.join('\n') || 'failed', root);
      result.tests.push(test);
    }
  }
  return [...results.values()];
}

/** The spec outcomes of vitest's JSON report (`--reporter=json`). */
export function fromJsonReport(report: VitestJsonReport): SpecOutcome[] {
  return report.testResults.map((file) => ({
    file: file.name,
    failed: file.status === 'failed',
    error: file.message,
    tests: file.assertionResults.map((a) => ({
      describe: a.ancestorTitles,
      name: a.title,
      state: a.status,
      duration: a.duration,
      line: a.location?.line,
      errors: a.failureMessages ?? [],
      exchanges: a.meta?.exchanges,
    })),
  }));
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

/**
 * The spec outcomes of the test modules a vitest instance reports (`vitest.runTestFiles()`), read
 * as the JSON reporter reads them: an error's stack, else its message; the file's first error.
 */
export function fromTestModules(modules: Iterable<ReportedModule>): SpecOutcome[] {
  return [...modules].map((m) => ({
    file: m.moduleId,
    failed: m.state() === 'failed',
    error: m.errors()[0]?.message,
    tests: [...m.children.allTests()].map((t) => {
      const r = t.result();
      return {
        describe: describePath(t),
        name: t.name,
        state: r.state,
        duration: t.diagnostic()?.duration,
        line: t.location?.line,
        errors: (r.errors ?? []).map((e) => e.stack || e.message || ''),
        exchanges: t.meta().exchanges,
      };
    }),
  }));
}

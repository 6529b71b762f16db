/**
 * The dev server's test runner: one vitest instance, created once and kept warm, that re-runs the
 * spec files of the chapters asked for; its test modules become results with the build's own
 * builder (results.ts), so a chapter's results in dev are those a build would give.
 * @module
 */
import { join } from 'node:path';
import { buildChapterResults, fromTestModules, type ReportedModule } from '../results.ts';
import type { Chapter, ChapterResult, Verification } from '../types.ts';

export class SpecRunner {
  private constructor(
    private readonly root: string,
    private readonly vitest: import('vitest/node').Vitest,
  ) {}

  /**
   * A runner for the project in `root`, with its vitest.config.ts.
   * @param include overrides the config's `include` (the spec files runTestFiles may run)
   */
  static async create(root: string, include?: string[]): Promise<SpecRunner> {
    // Imported lazily: only dev needs vitest's Node API.
    const { createVitest } = await import('vitest/node');
    const vitest = await createVitest(
      'test',
      { watch: false, includeTaskLocation: true, reporters: [{}], root, ...(include ? { include } : {}) },
      {},
    );
    return new SpecRunner(root, vitest);
  }

  /**
   * Runs the spec files of `chapters`, after making vitest forget the old versions of `changed`
   * (paths relative to the root); one result per chapter, in their order.
   */
  async run(chapters: Chapter[], changed: Iterable<string> = []): Promise<ChapterResult[]> {
    for (const file of changed) this.vitest.invalidateFile(join(this.root, file));
    const specs = chapters.flatMap((c) => c.files.filter((f) => f.role === 'spec').map((f) => join(this.root, f.path)));
    if (specs.length === 0) return buildChapterResults([], chapters, this.root);
    const run = await this.vitest.runTestFiles(specs);
    return buildChapterResults(fromTestModules(run.testModules as unknown as ReportedModule[]), chapters, this.root);
  }

  async close(): Promise<void> {
    await this.vitest.close();
  }
}

/** Replaces (or adds) chapter results in a verification, keeping the chapters' order. */
export function mergeResults(verification: Verification, results: ChapterResult[], order: string[]): Verification {
  const byId = new Map(verification.chapters.map((c) => [c.id, c]));
  for (const r of results) byId.set(r.id, r);
  const chapters = [...byId.values()].sort((a, b) => {
    const ia = order.indexOf(a.id);
    const ib = order.indexOf(b.id);
    return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib) || a.id.localeCompare(b.id);
  });
  return { ...verification, chapters };
}

/**
 * The saved mutation run (`mutation-results.json`) as the pages show it: per chapter, current
 * (its inputs hash is today's), out of date, or never mutation-tested.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BuildError } from './errors.ts';
import { inputsHash } from './mutate/inputs.ts';
import { percent, scoreChapter, TARGET } from './mutate/score.ts';
import type { ChapterMutationView, FileMutationView, MutationView } from './render/index.ts';
import type { Chapter, MutationReport } from './types.ts';

/**
 * Reads a saved mutation run and decides, chapter by chapter, whether it stands for the files of
 * this build: only when the chapter's recorded `inputs` hash equals {@link inputsHash} now.
 * Undefined when the file does not exist (no mutation data); a file that cannot be read is a
 * {@link BuildError}.
 */
export function loadMutationView(file: string, chapters: Chapter[], root: string): MutationView | undefined {
  if (!existsSync(file)) return undefined;
  const where = relative(root, file) || file;
  let report: MutationReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
  } catch (error) {
    throw new BuildError(where, `not a mutation results file: ${(error as Error).message}`);
  }
  if (typeof report?.date !== 'string' || !Array.isArray(report.chapters)) {
    throw new BuildError(
      where,
      'not a mutation results file: expected { date, commit, node, chapters } as npm run mutate writes it',
    );
  }
  return mutationView(report, chapters, (chapter) => inputsHash(root, chapter));
}

/** The per-chapter view of a mutation run; `inputsOf` gives a chapter's current inputs hash. */
export function mutationView(
  report: MutationReport,
  chapters: Chapter[],
  inputsOf: (chapter: Chapter) => string,
): MutationView {
  const run = { date: report.date, commit: report.commit ?? 'unknown' };
  const saved = new Map(report.chapters.map((c) => [c.id, c]));
  const views: Record<string, ChapterMutationView> = {};
  for (const chapter of chapters) {
    const result = saved.get(chapter.id);
    if (!result) views[chapter.id] = { state: 'untested', run };
    else if (result.inputs !== inputsOf(chapter)) views[chapter.id] = { state: 'stale', run };
    else {
      const files = scoreChapter(result).files.map((f): FileMutationView => {
        const role = /^article/.test(f.file) ? 'article' : /^pitfall/.test(f.file) ? 'pitfall' : 'snippet';
        const target = role === 'snippet' ? Math.round(TARGET * 100) : undefined;
        const pctOk = role !== 'snippet' || f.killed >= Math.ceil(TARGET * f.total);
        return {
          file: f.file,
          role,
          killed: f.killed,
          total: f.total,
          percent: percent(f.killed, f.total),
          ...(target === undefined ? {} : { target }),
          safetySurvived: f.safetySurvivors.length,
          met: pctOk && f.safetySurvivors.length === 0,
          survivors: f.survivors,
        };
      });
      views[chapter.id] = { state: 'current', run, baselinePassed: result.baselinePassed, files };
    }
  }
  return { run, chapters: views };
}

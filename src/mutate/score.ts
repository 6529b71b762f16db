/**
 * Targets of a mutation run, and each chapter's score against them. Pure.
 * @module
 */
import type { ChapterMutation, MutantResult } from '../types.ts';

/** The share of a snippet's mutants its chapter's specs must kill. */
export const TARGET = 0.9;

/** One file's mutants, counted. */
export interface FileScore {
  file: string;
  killed: number;
  total: number;
  /** Surviving mutants, in line order. */
  survivors: MutantResult[];
  /** Surviving mutants that weaken a safety property. */
  safetySurvivors: MutantResult[];
}

export interface ChapterScore {
  id: string;
  files: FileScore[];
  /** Why the chapter misses its targets; empty when it meets them. */
  problems: string[];
}

/** True for the file a reader copies (the snippet), whose score has the {@link TARGET}. */
export function isSnippetFile(file: string): boolean {
  return !/^(article|pitfall)/.test(file) && !file.includes('/');
}

/** Percentage with no decimals, rounded down (89.9 % is not 90 %). */
export function percent(killed: number, total: number): number {
  return total === 0 ? 100 : Math.floor((killed * 100) / total);
}

/**
 * Counts each file's mutants and checks the targets: ≥ 90 % of a snippet's killed, and every safety
 * mutant of every file killed (in article and pitfall code, a safety mutant usually removes the flaw
 * the chapter proves, so the claim proving the flaw must fail).
 */
export function scoreChapter(mutation: ChapterMutation): ChapterScore {
  const byFile = new Map<string, MutantResult[]>();
  for (const m of mutation.mutants) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  const files: FileScore[] = [...byFile.entries()]
    .sort(([a], [b]) =>
      isSnippetFile(a) === isSnippetFile(b) ? (a < b ? -1 : a > b ? 1 : 0) : isSnippetFile(a) ? -1 : 1,
    )
    .map(([file, list]) => {
      const survivors = list.filter((m) => m.status === 'survived').sort((a, b) => a.line - b.line);
      return {
        file,
        killed: list.length - survivors.length,
        total: list.length,
        survivors,
        safetySurvivors: survivors.filter((m) => m.safety),
      };
    });
  const problems: string[] = [];
  if (!mutation.baselinePassed) problems.push('the unmutated chapter does not pass its own specs');
  for (const f of files) {
    if (isSnippetFile(f.file) && f.killed < Math.ceil(TARGET * f.total)) {
      problems.push(
        `${f.file}: ${f.killed} of ${f.total} mutants killed (${percent(f.killed, f.total)} %), below ${TARGET * 100} %`,
      );
    }
    if (f.safetySurvivors.length > 0) {
      problems.push(
        `${f.file}: ${f.safetySurvivors.length} safety mutant${f.safetySurvivors.length === 1 ? '' : 's'} survived`,
      );
    }
  }
  return { id: mutation.id, files, problems };
}

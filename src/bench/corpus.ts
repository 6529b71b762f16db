/**
 * Generated chapters for the render benchmark: N chapter folders made from the real ones (each a
 * copy of real chapter `i mod count`, with its own title, folder and an extra paragraph, so every
 * page differs), and the saved results that go with them. Rendering them runs no spec.
 *
 * The code files are copied as they are, so the corpus has as many distinct code blocks as the real
 * handbook: that is what a content-keyed highlight cache is for. `distinctCode: true` adds a comment
 * line unique to each copy to every code file instead, so every block is new (the worst case).
 *
 * Chapter folders are named `NN-slug`, and `NNN-slug` beyond 99 (see `FOLDER_NAME` in src/find.ts),
 * so the corpus goes through the normal find stage.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chapter, ChapterResult, Exchange, Verification } from '../types.ts';

/** The folder name of generated chapter `i` (1-based) copying a chapter with this slug. */
export function corpusFolder(i: number, slug: string): string {
  return `${String(i).padStart(2, '0')}-${slug}`;
}

/** The README of a copy: the same prose with its own title and one paragraph of its own. */
export function copyReadme(source: Chapter, i: number): string {
  const m = source.meta;
  const q = (s: string) => JSON.stringify(s);
  const extra = Object.entries(m.extra)
    .map(([k, v]) => `${k}: ${q(v)}\n`)
    .join('');
  return `---\ntitle: ${q(`${m.title} (generated copy ${i})`)}\narticle: ${q(m.article)}\nverdict: ${m.verdict}\nsummary: ${q(m.summary)}\n${extra}---\n\nThis is generated chapter ${i}, a copy of chapter ${String(source.number).padStart(2, '0')} made by the benchmark.\n${source.readme.body}`;
}

/** Test names of a spec, found by their `test('…'` / `it('…'` calls (for synthesised results). */
export function testNames(spec: string): string[] {
  const names: string[] = [];
  for (const m of spec.matchAll(/\b(?:test|it)(?:\.\w+(?:\([^)]*\))?)*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g))
    names.push(m[2] as string);
  return names;
}

/** Results for a chapter that has none saved: every test passed, one exchange each. */
export function synthesiseResult(chapter: Chapter): ChapterResult {
  const exchange: Exchange = {
    method: 'GET',
    path: '/',
    status: 200,
    setCookie: ['connect.sid=s%3Aabc.def; Path=/; HttpOnly'],
    body: 'ok',
  };
  return {
    id: chapter.id,
    fileErrors: [],
    tests: chapter.files
      .filter((f) => f.role === 'spec')
      .flatMap((f) =>
        testNames(f.text).map((name, n) => ({
          name,
          describe: [],
          status: 'passed' as const,
          durationMs: 3,
          file: f.name,
          line: n + 1,
          exchanges: [exchange],
        })),
      ),
  };
}

export interface CorpusOptions {
  /** Make every code block unique to its copy. */
  distinctCode?: boolean;
}

/**
 * Writes `count` chapters into `dir` (which must exist and be empty) and returns the saved results
 * for them: the real results of the source chapter when `real` has them, else synthesised ones.
 */
export function generateCorpus(
  dir: string,
  sources: Chapter[],
  count: number,
  real: Verification | undefined,
  options: CorpusOptions = {},
): Verification {
  if (sources.length === 0) throw new Error('no source chapters');
  const results: ChapterResult[] = [];
  for (let i = 1; i <= count; i++) {
    const source = sources[(i - 1) % sources.length] as Chapter;
    const id = corpusFolder(i, source.slug);
    const folder = join(dir, id);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'README.md'), copyReadme(source, i));
    for (const file of source.files) {
      const target = join(folder, file.name);
      mkdirSync(join(target, '..'), { recursive: true });
      const unique = options.distinctCode && /\.[cm]?[jt]s$/.test(file.name) ? `// generated copy ${i}\n` : '';
      writeFileSync(target, unique + file.text);
    }
    const saved = real?.chapters.find((r) => r.id === source.id);
    results.push(saved ? { ...saved, id } : { ...synthesiseResult(source), id });
  }
  return {
    run: real?.run ?? {
      versions: {
        node: process.versions.node,
        express: 'unknown',
        'express-session': 'unknown',
        'cookie-parser': 'unknown',
      },
      date: new Date(0).toISOString(),
      commit: 'unknown',
      dirty: false,
    },
    chapters: results,
  };
}

import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import type { Chapter, SiteFile, Verification } from '../types.ts';
import {
  type CachingHighlighter,
  CodeNotCached,
  createCodeHighlighter,
  type EngineLoader,
  LANGS,
  THEMES,
} from './highlight.ts';
import { renderSite, renderSiteFiles } from './index.ts';
import { createSidebar, resultsById, SIDEBAR_AROUND, SIDEBAR_FULL, shortTitle, sidebar } from './layout.ts';
import { createMarkdown } from './markdown.ts';
import { chapterPage } from './pages.ts';
import { renderContext, type SiteContext, siteContext } from './view.ts';
import { snippetFigure } from './snippet.ts';

const root = join(import.meta.dirname, '../..');
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const verification: Verification = {
  run: {
    versions: { node: '20', express: '5', 'express-session': '1.19', 'cookie-parser': '1.4' },
    date: '2025-01-01T00:00:00.000Z',
    commit: 'unknown',
    dirty: false,
  },
  chapters: [
    {
      id: '02-failing',
      fileErrors: [],
      tests: [{ name: 'x', describe: [], status: 'failed', durationMs: 1, file: 'app.test.ts', exchanges: [] }],
    },
  ],
};

/** The real shiki loader, counted. */
function countingEngine(): { engine: EngineLoader; loads: () => number } {
  let loads = 0;
  return {
    engine: async () => {
      loads++;
      const { createHighlighter } = await import('shiki');
      return (await createHighlighter({ themes: [THEMES.light, THEMES.dark], langs: [...LANGS] })) as never;
    },
    loads: () => loads,
  };
}

async function collect(files: AsyncIterable<SiteFile>): Promise<SiteFile[]> {
  const out: SiteFile[] = [];
  for await (const f of files) out.push(f);
  return out;
}

let reference: SiteFile[];
let warm: CachingHighlighter;

beforeAll(async () => {
  warm = await createCodeHighlighter();
  reference = renderSite(chapters, verification, warm, { api: false });
});

describe('highlighter: shiki only when a block is missing from the cache', () => {
  test('with every block cached, the site renders without ever loading shiki, byte for byte the same', async () => {
    const counted = countingEngine();
    const cached = await createCodeHighlighter(warm.cache(), { engine: counted.engine });
    const files = await collect(renderSiteFiles(chapters, verification, cached, { api: false }));
    expect(counted.loads()).toBe(0);
    expect(cached.stats()).toMatchObject({ engine: false, tokenized: 0 });
    expect(files.map((f) => [f.path, String(f.content)])).toEqual(reference.map((f) => [f.path, String(f.content)]));
  });

  test('with an empty cache and lazy loading, shiki is loaded once, on the first missing block, and the bytes are the same', async () => {
    const counted = countingEngine();
    const lazy = await createCodeHighlighter({}, { load: 'lazy', engine: counted.engine });
    expect(counted.loads()).toBe(0);
    expect(() => lazy.highlight('const a = 1;', 'ts')).toThrow(CodeNotCached);
    const files = await collect(renderSiteFiles(chapters, verification, lazy, { api: false }));
    expect(counted.loads()).toBe(1);
    expect(lazy.stats().engine).toBe(true);
    expect(files.map((f) => [f.path, String(f.content)])).toEqual(reference.map((f) => [f.path, String(f.content)]));
  });

  test('the cache is keyed by content: a block highlighted once is not tokenized again', async () => {
    const h = await createCodeHighlighter();
    h.highlight('let x = 1;', 'ts');
    h.highlight('let x = 1;', 'ts');
    h.highlight('let x = 1;', 'typescript');
    expect(h.stats()).toMatchObject({ calls: 3, distinct: 1, tokenized: 1 });
  });
});

describe('sidebar: built once per build', () => {
  test('the one-off sidebar marks exactly the current chapter, the same as building it for that page', () => {
    const results = resultsById(verification);
    const make = createSidebar(chapters, results, '../');
    for (const c of chapters) {
      const html = make(c.id);
      expect(html).toBe(sidebar(chapters, verification, '../', c.id));
      expect(html.match(/aria-current="page"/g)).toHaveLength(1);
      expect(html).toContain(`<a href="../${c.id}/" aria-current="page">`);
    }
    expect(make()).not.toContain('aria-current');
  });

  test('pages take the sidebar from the build’s context instead of building their own', () => {
    const site = siteContext(chapters, verification);
    let calls = 0;
    const counted: SiteContext = {
      ...site,
      chapterSidebar: (current) => {
        calls++;
        return site.chapterSidebar(current);
      },
    };
    const ctx = renderContext(createMarkdown(warm), chapters, verification, { site: counted });
    const pages = chapters.map((_, i) => chapterPage(ctx, i));
    expect(calls).toBe(chapters.length);
    expect(pages[0]).toBe(reference.find((f) => f.path === `${chapters[0]?.id}/index.html`)?.content);
  });

  test('up to 40 chapters every page lists them all; above, a window around the current one, the first and the last, bounded', () => {
    const book = (n: number): Chapter[] =>
      Array.from({ length: n }, (_, i) => ({
        ...(chapters[0] as Chapter),
        number: i + 1,
        id: `${String(i + 1).padStart(3, '0')}-c`,
        meta: { ...(chapters[0] as Chapter).meta, title: `Chapter ${i + 1}` },
      }));
    const listed = (html: string) => [...html.matchAll(/<a href="\.\.\/(\d{3})-c\/"/g)].map((m) => Number(m[1]));
    const full = book(SIDEBAR_FULL);
    const fullSidebar = createSidebar(full, new Map(), '../');
    for (const c of full) expect(listed(fullSidebar(c.id))).toHaveLength(SIDEBAR_FULL);

    for (const n of [SIDEBAR_FULL + 1, 400]) {
      const big = book(n);
      const make = createSidebar(big, new Map(), '../');
      for (const at of [0, 1, 6, Math.floor(n / 2), n - 7, n - 2, n - 1]) {
        const current = big[at] as Chapter;
        const html = make(current.id);
        const shown = listed(html);
        expect(html.match(/aria-current="page"/g)).toHaveLength(1);
        expect(html).toContain(`<a href="../${current.id}/" aria-current="page">`);
        // The first, the last, and the current one with its neighbours, in order.
        expect(shown[0]).toBe(1);
        expect(shown.at(-1)).toBe(n);
        expect(shown).toEqual([...shown].sort((a, b) => a - b));
        for (let k = Math.max(1, at + 1 - SIDEBAR_AROUND); k <= Math.min(n, at + 1 + SIDEBAR_AROUND); k++)
          expect(shown).toContain(k);
        expect(shown.length).toBeLessThanOrEqual(2 * SIDEBAR_AROUND + 3);
        // What the window leaves out is counted where it is left out.
        const gaps = [...html.matchAll(/<li class="gap">… (\d+) more<\/li>/g)].map((m) => Number(m[1]));
        expect(gaps.reduce((a, b) => a + b, 0) + shown.length).toBe(n);
        expect(html).toContain(`<a href="../">Contents</a> (all ${n} chapters)`);
      }
      expect(listed(make())[0]).toBe(1); // the index page: the first chapters
    }
    // Bounded: a page of a 400-chapter book carries about as much sidebar as one of a 41-chapter book.
    const size = (n: number) =>
      createSidebar(book(n), new Map(), '../')(`${String(Math.ceil(n / 2)).padStart(3, '0')}-c`).length;
    expect(size(400)).toBeLessThan(size(SIDEBAR_FULL + 1) + 100);
  });

  test('long titles are cut at a word for the sidebar', () => {
    expect(shortTitle('Short title')).toBe('Short title');
    expect(shortTitle('Storing and reading session data (generated copy 137)')).toBe(
      'Storing and reading session data…',
    );
  });
});

describe('code not to copy', () => {
  test('a block from pitfall*.ts is labelled a pitfall shown on purpose, without a copy button', () => {
    const chapter = chapters[1] as Chapter;
    const text = "import express from 'express';\nexport const x = 1;\n";
    const file = {
      name: 'pitfall-no-save.ts',
      path: `${chapter.dir}/pitfall-no-save.ts`,
      role: 'pitfall' as const,
      text,
    };
    const html = snippetFigure(warm, file, undefined, 'export const x = 1;', new Set());
    expect(html).toMatch(
      /^<figure class="snippet pitfall"><p class="label">A pitfall, shown on purpose — not the one to copy<\/p>/,
    );
    expect(html).not.toContain('data-copy');
    expect(html).not.toContain('Run the whole file'); // a pitfall file starts no server: nothing to run on its own
  });
});

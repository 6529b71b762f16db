import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import type { Chapter, Verification } from '../types.ts';
import type { CodeHighlighter } from './highlight.ts';
import { BlockCache, type HighlightCache } from './highlight/cache.ts';
import { ColourClasses } from './highlight/colours.ts';
import { chapterNumber, head } from './layout.ts';
import { createMarkdown } from './markdown.ts';
import { notFoundPage } from './pages.ts';
import { chapterView, evidenceView, indexView, renderContext, runView } from './view.ts';

const root = join(import.meta.dirname, '../..');
const fixtures = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const base = fixtures[0] as Chapter;
/** Three chapters: the view data of the middle one has both neighbours. */
const chapters: Chapter[] = [1, 2, 12].map((number, i) => ({
  ...base,
  number,
  id: `${chapterNumber(number)}-c${i}`,
  meta: { ...base.meta, title: `Title ${number}` },
}));
const run = { versions: { node: '20.20.2', express: '5.1.0', 'express-session': '1.19.0', 'cookie-parser': '1.4.7' } };
const verification: Verification = {
  run: { ...run, date: '2026-01-02T03:04:05.678Z', commit: '0123456789abcdef0123', dirty: true },
  chapters: [
    {
      id: '01-c0',
      fileErrors: [],
      tests: [{ name: 'a', describe: [], status: 'passed', durationMs: 1, file: 'app.test.ts', exchanges: [] }],
    },
    {
      id: '02-c1',
      fileErrors: [],
      tests: [
        { name: 'b', describe: [], status: 'failed', durationMs: 1, file: 'app.test.ts', exchanges: [] },
        { name: 'c', describe: [], status: 'skipped', durationMs: 0, file: 'app.test.ts', exchanges: [] },
      ],
      run: { date: '2025-12-31T23:59:59.000Z', commit: 'unknown', dirty: false },
    },
  ],
};
// View data needs no markdown: a highlighter that is never called.
const ctx = renderContext(createMarkdown({} as CodeHighlighter), chapters, verification);

describe('view data, before any HTML', () => {
  test('chapterNumber pads to two digits and no further', () => {
    expect([1, 9, 12, 100].map(chapterNumber)).toEqual(['01', '09', '12', '100']);
  });

  test('a chapter page’s data: its number, both neighbours, its specs with their line counts', () => {
    const view = chapterView(ctx, 1);
    expect(view).toMatchObject({ id: '02-c1', number: '02', title: 'Title 2', verdict: base.meta.verdict });
    expect(view.prev).toEqual({ id: '01-c0', number: '01', title: 'Title 1' });
    expect(view.next).toEqual({ id: '12-c2', number: '12', title: 'Title 12' });
    const specs = base.files.filter((f) => f.role === 'spec');
    expect(view.specs.map((s) => s.name)).toEqual(specs.map((s) => s.name));
    expect(view.specs[0]?.lines).toBe(specs[0]?.text.trimEnd().split('\n').length);
    expect(chapterView(ctx, 0).prev).toBeUndefined();
    expect(chapterView(ctx, 2).next).toBeUndefined();
  });

  test('a spec written with CRLF line ends counts its lines once', () => {
    const crlf = {
      ...base,
      files: [{ name: 'x.test.ts', path: 'x.test.ts', role: 'spec' as const, text: 'a\r\nb\r\nc\r\n' }],
    };
    expect(chapterView(renderContext(ctx.md, [crlf], verification), 0).specs).toEqual([
      { name: 'x.test.ts', lines: 3 },
    ]);
  });

  test('a chapter’s result carries the build’s run when it has none of its own, and keeps its own', () => {
    const first = chapterView(ctx, 0);
    expect(first.result?.run).toEqual({ date: verification.run.date, commit: verification.run.commit, dirty: true });
    expect(first.tally).toEqual({ passed: 1, failed: 0, skipped: 0, total: 1 });
    const second = chapterView(ctx, 1);
    expect(second.result?.run?.commit).toBe('unknown');
    expect(second.tally).toEqual({ passed: 0, failed: 1, skipped: 1, total: 2 });
    expect(chapterView(ctx, 2).result).toBeUndefined();
  });

  test('the run as pages state it: versions in a line, the date without its fraction, a 12-character commit', () => {
    expect(runView(verification)).toEqual({
      versions: 'Node 20.20.2, express 5.1.0, express-session 1.19.0, cookie-parser 1.4.7',
      date: '2026-01-02T03:04:05.678Z',
      dateText: '2026-01-02 03:04:05 UTC',
      commit: '0123456789ab',
      dirty: true,
    });
  });

  test('an evidence page states the run of its chapter’s results, not the build’s', () => {
    const view = evidenceView(ctx, 1);
    expect(view).toMatchObject({ number: '02', title: '02. Title 2', plainTitle: 'Title 2' });
    expect(view.run).toMatchObject({ commit: 'unknown', dirty: false, dateText: '2025-12-31 23:59:59 UTC' });
    expect(evidenceView(ctx, 0).run.commit).toBe('0123456789ab');
  });

  test('the index: a row per chapter with its state, and the claims of all chapters counted together', () => {
    const view = indexView(ctx, { api: true });
    expect(view.rows.map((r) => [r.number, r.state])).toEqual([
      ['01', 'passed'],
      ['02', 'failed'],
      ['12', 'failed'], // no results: nothing ran
    ]);
    expect(view.total).toEqual({ passed: 1, failed: 1, skipped: 1, total: 3 });
    expect(view).toMatchObject({ api: true, mutation: undefined });
  });
});

describe('one head for every page', () => {
  const elements = (html: string) => [...html.matchAll(/<(meta|link|title|script)\b[^>]*>/g)].map((m) => m[0]);

  test('the 404 page’s head is the shared head, with the script (for search) and noindex', () => {
    const page = notFoundPage(ctx);
    const description = 'No page at this address in Sessions & Cookies, Verified.';
    const shared = head({
      title: 'Not found — Sessions & Cookies, Verified',
      description,
      root: '/',
      links: ['<meta name="robots" content="noindex">'],
    });
    expect(page).toContain(shared);
  });

  test('a description and the script are in the head only when asked for', () => {
    const full = head({ title: 't', description: 'd <b>', root: '../' });
    expect(full).toContain('<meta name="description" content="d &lt;b&gt;">');
    expect(full).toContain('<script src="../assets/site.js" defer></script>');
    expect(elements(head({ title: 't', root: '/', script: false })).join('')).not.toMatch(/description|<script/);
  });
});

describe('the highlighter’s parts', () => {
  const style = (light: string, dark: string) => ({ '--shiki-light': light, '--shiki-dark': dark });

  test('colours to classes: palette names, hashed names, none for the foreground, the same name for the same pair', () => {
    const colours = new ColourClasses();
    const fg = '--l:#1f2328;--d:#e6edf3';
    expect(colours.classFor(style('#CF222E', '#FF7B72'), fg)).toBe('h-k');
    expect(colours.classFor(style('#1F2328', '#E6EDF3'), fg)).toBeUndefined();
    const odd = colours.classFor(style('#123456', '#abcdef'), fg);
    expect(odd).toMatch(/^h-[0-9a-f]{5}$/);
    expect(colours.classFor(style('#123456', '#abcdef'), fg)).toBe(odd);
    // Sorted by name, each once.
    expect(colours.css(['h-k', odd as string, 'h-k'])).toBe(
      `${odd}{--l:#123456;--d:#abcdef}\nh-k{--l:#cf222e;--d:#ff7b72}`,
    );
  });

  test('the cache: a block seen in this build is not made again; a saved one is taken with its rules', () => {
    let made = 0;
    const rules: Record<string, string> = { 'h-k': '--l:#cf222e;--d:#ff7b72' };
    const from = (saved: HighlightCache) => {
      const cache = new BlockCache<{ html: string; classes: string[] }>(saved);
      const get = (code: string) =>
        cache.get(code, 'typescript', {
          saved: (old) => ({ html: old.html, classes: Object.keys(old.rules) }),
          make: () => {
            made++;
            return { html: `<h-k>${code}</h-k>`, classes: ['h-k'] };
          },
          rule: (name) => rules[name] ?? '',
        });
      return { cache, get };
    };
    const first = from({});
    first.get('let');
    first.get('let');
    expect(made).toBe(1);
    expect(first.cache.size).toBe(1);
    const second = from(first.cache.stored);
    expect(second.get('let')).toEqual({ html: '<h-k>let</h-k>', classes: ['h-k'] });
    expect(made).toBe(1);
    expect(second.cache.stored).toEqual(first.cache.stored);
    expect(Object.values(first.cache.stored)).toEqual([{ html: '<h-k>let</h-k>', rules }]);
  });
});

/**
 * The page layout's pieces without a browser (issue 13): the headings the anchors plugin lists,
 * the "On this page" table of contents, the collapsible chapter list and the licence footer.
 * The browser checks (positions, keyboard, print) are in tests/handbook.browser.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import { CLAIMS_ENTRY, tableOfContents, TOC_MIN } from './anchors.ts';
import type { ChapterEnv, TocEntry } from './env.ts';
import type { CodeHighlighter } from './highlight.ts';
import { collapsibleNav, licenceLine, licenceUrl, shell } from './layout.ts';
import { createMarkdown, renderChapterMarkdown } from './markdown.ts';

const root = join(import.meta.dirname, '../..');
const [chapter] = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const md = createMarkdown({} as CodeHighlighter);

/** Renders prose and returns the headings the anchors plugin listed. */
function headingsOf(body: string): TocEntry[] {
  if (!chapter) throw new Error('no fixture chapter');
  const env: ChapterEnv = { chapter, result: undefined, used: new Set(), shownRun: new Set() };
  renderChapterMarkdown(md, body, env);
  return env.headings ?? [];
}

describe('the headings of a page', () => {
  test('h2 and h3 are listed in order with their anchors and plain text; h1 and h4 are not', () => {
    const body = '# Title\n\n## The `app`\n\ntext\n\n### One *case*\n\n#### Detail\n\n## The app\n';
    expect(headingsOf(body)).toEqual([
      { level: 2, id: 'the-app', text: 'The app' },
      { level: 3, id: 'one-case', text: 'One case' },
      { level: 2, id: 'the-app-2', text: 'The app' },
    ]);
  });

  test('{{#results}} puts the claims section in the list where it stands', () => {
    expect(headingsOf('## Before\n\n{{#results}}\n\n## After\n').map((h) => h.id)).toEqual([
      'before',
      'claims',
      'after',
    ]);
  });
});

describe('the table of contents', () => {
  const h = (level: 2 | 3, id: string, text = id): TocEntry => ({ level, id, text });

  test(`a page with fewer than ${TOC_MIN} headings has none`, () => {
    expect(tableOfContents([h(2, 'a'), h(2, 'b')])).toBe('');
  });

  test('h3 headings nest under the h2 before them, in a collapsible <details> with a named <nav>', () => {
    const html = tableOfContents([h(2, 'a'), h(3, 'a1'), h(3, 'a2'), h(2, 'b'), h(3, 'b1')]);
    expect(html).toBe(
      '<details class="toc"><summary>On this page</summary><nav aria-label="On this page"><ol>' +
        '<li><a href="#a">a</a><ol><li><a href="#a1">a1</a></li><li><a href="#a2">a2</a></li></ol></li>' +
        '<li><a href="#b">b</a><ol><li><a href="#b1">b1</a></li></ol></li></ol></nav></details>',
    );
  });

  test('an h3 before any h2 is listed at the top level (a nested list needs an item)', () => {
    expect(tableOfContents([h(3, 'x'), h(2, 'a'), CLAIMS_ENTRY])).toContain(
      '<ol><li><a href="#x">x</a></li><li><a href="#a">a</a></li><li>',
    );
  });

  test("a heading's text is escaped: prose is input", () => {
    const html = tableOfContents([h(2, 'a', '<script>alert(1)</script>'), h(2, 'b'), h(2, 'c')]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('the page shell', () => {
  const page = (extra: { toc?: string; licence?: string } = {}) =>
    shell({
      title: 't',
      description: 'd',
      root: '../',
      sidebar: '<nav class="sidebar">list</nav>',
      main: '<h1>T</h1>',
      ...extra,
    });

  test('the chapter list is a <details> ("Chapters") that works without a script', () => {
    expect(collapsibleNav('<nav>x</nav>')).toBe(
      '<details class="side"><summary>Chapters</summary><nav>x</nav></details>',
    );
    expect(page()).toContain(
      '<details class="side"><summary>Chapters</summary><nav class="sidebar">list</nav></details>',
    );
  });

  test('the table of contents comes after the chapter list and before the main text; none when not given', () => {
    const html = page({ toc: '<details class="toc">toc</details>' });
    expect(html.indexOf('class="side"')).toBeLessThan(html.indexOf('class="toc"'));
    expect(html.indexOf('class="toc"')).toBeLessThan(html.indexOf('<main'));
    expect(page()).not.toContain('class="toc"');
  });

  test("every page's footer states the licences in one line, LICENSE linked when its address is known", () => {
    expect(licenceLine()).toBe('<p class="licence">Code and snippets: 0BSD. Prose: CC BY 4.0. See LICENSE.</p>');
    expect(page()).toContain(`<footer>`);
    expect(page().split('<footer>')[1]).toContain(licenceLine());
    const url = 'https://github.com/o/n/blob/main/LICENSE';
    expect(page({ licence: url })).toContain(`See <a href="${url}">LICENSE</a>.</p></footer>`);
    expect(licenceLine('https://x/"><script>')).not.toContain('"><script>');
  });

  test("the LICENSE file's address: the repository's, at the project's folder and branch; none without a repository", () => {
    expect(licenceUrl(undefined)).toBeUndefined();
    expect(licenceUrl({ web: 'https://github.com/o/n', host: 'github', branch: 'main', directory: '' })).toBe(
      'https://github.com/o/n/blob/main/LICENSE',
    );
    expect(
      licenceUrl({ web: 'https://gitlab.com/o/n', host: 'gitlab', branch: 'dev', directory: 'site/handbook' }),
    ).toBe('https://gitlab.com/o/n/-/blob/dev/site/handbook/LICENSE');
  });
});

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import type { CodeHighlighter } from './highlight.ts';
import { createMarkdown, renderChapterMarkdown } from './markdown.ts';
import type { ChapterEnv } from './env.ts';

const root = join(import.meta.dirname, '../..');
const [chapter] = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
// Prose without code never reaches the highlighter.
const md = createMarkdown({} as CodeHighlighter);
const render = (body: string) => {
  if (!chapter) throw new Error('no fixture chapter');
  const env: ChapterEnv = { chapter, result: undefined, used: new Set(), shownRun: new Set() };
  return renderChapterMarkdown(md, body, env);
};

describe('raw HTML in chapter prose', () => {
  test('a <script> block in prose comes out as text, not as a script', () => {
    const html = render('Some prose.\n\n<script>alert(document.cookie)</script>\n\nMore prose.\n');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
  });

  test('an inline <img onerror> comes out as text, not as an element with a handler', () => {
    const html = render('A picture <img src=x onerror="alert(1)"> in a sentence.\n');
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  test('a type argument outside backticks reads as written instead of vanishing as an unknown tag', () => {
    expect(render("> type 'Session & Partial<SessionData>'.\n")).toContain('Partial&lt;SessionData&gt;');
  });
});

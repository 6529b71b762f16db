/**
 * Stage 3, render: chapters and results in, site files out. Pure: the same chapters, results and
 * highlighter give the same files, byte for byte. Reads nothing but its own stylesheet and script.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Chapter, SiteFile, Verification } from '../types.ts';
import type { CodeHighlighter } from './highlight.ts';
import { createMarkdown } from './markdown.ts';
import { chapterPage, indexPage, notFoundPage } from './pages.ts';

export { createCodeHighlighter } from './highlight.ts';

export interface RenderOptions {
  /** Link the API documentation (`api/`) from the index page. */
  api: boolean;
}

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

/** Drops comments and layout whitespace from our own stylesheet (no strings or urls in it to protect). */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};:,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/**
 * Renders the whole site: `index.html`, `404.html`, one `NN-slug/index.html` per chapter, the
 * chapters' code files next to their pages (for download), and `assets/site.css` + `assets/site.js`.
 */
export function renderSite(chapters: Chapter[], verification: Verification, highlighter: CodeHighlighter, options: RenderOptions): SiteFile[] {
  const md = createMarkdown(highlighter);
  const used = new Set<string>();
  const files: SiteFile[] = [];
  chapters.forEach((chapter, index) => {
    files.push({ path: `${chapter.id}/index.html`, content: chapterPage(md, chapters, index, verification, used) });
    for (const file of chapter.files) {
      if (/\.[cm]?[jt]s$/.test(file.name)) files.push({ path: `${chapter.id}/${file.name}`, content: file.text });
    }
  });
  files.push({ path: 'index.html', content: indexPage(chapters, verification, options) });
  files.push({ path: '404.html', content: notFoundPage() });
  files.push({ path: 'assets/site.css', content: `${minifyCss(asset('site.css'))}\n${highlighter.css(used)}\n` });
  files.push({ path: 'assets/site.js', content: asset('site.js') });
  return files;
}

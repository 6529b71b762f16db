/**
 * Stage 3, render: chapters and results in, site files out. Pure: the same chapters, results and
 * highlighter give the same files, byte for byte. Reads nothing but its own stylesheet and script.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Chapter, SiteFile, Verification } from '../types.ts';
import { type CodeHighlighter, CodeNotCached } from './highlight.ts';
import { createMarkdown } from './markdown.ts';
import type { MutationView } from './mutation.ts';
import { chapterPage, evidencePage, indexPage, notFoundPage, SITE_DESCRIPTION } from './pages.ts';
import { EVIDENCE_PAGE } from './results.ts';
import { REPLAY_FILE, replayFile } from './replay.ts';
import { robotsTxt, sitemapXml } from './site-links.ts';
import { llmsTxt, markdownTwin, TWIN } from './twin.ts';
import type { SiteConfig } from '../site-config.ts';
import { type RenderContext, renderContext } from './view.ts';

export { createCodeHighlighter } from './highlight.ts';
export { createMarkdown } from './markdown.ts';
export { chapterPage, evidencePage, indexPage, notFoundPage } from './pages.ts';
export { chapterNumber } from './layout.ts';
export { esc, escText } from './html.ts';
export type { HighlightCache } from './highlight.ts';
export type { ChapterMutationView, FileMutationView, MutationView } from './mutation.ts';
export { type Tally, type TallyState, tally, tallyState } from './results.ts';
export { type RenderContext, renderContext, type SiteContext, siteContext } from './view.ts';

export interface RenderOptions {
  /** Link the API documentation (`api/`) from the index page. */
  api: boolean;
  /** The saved mutation run's results, shown beside each chapter's claims and on the index; none without. */
  mutation?: MutationView;
  /** Where the site and its source live: base URL (canonical, og:url, sitemap.xml), base path (the 404 page), repository (source links). */
  config?: SiteConfig;
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

/** The code files of a chapter, copied next to its page (for download and for "How this is verified"). */
function downloads(chapter: Chapter): SiteFile[] {
  return chapter.files
    .filter((file) => /\.[cm]?[jt]s$/.test(file.name))
    .map((file) => ({ path: `${chapter.id}/${file.name}`, content: file.text }));
}

/**
 * The files of one chapter: its page, its evidence page and its code files.
 * @param page the chapter's page, when already rendered
 */
export function chapterFiles(ctx: RenderContext, index: number, page?: string): SiteFile[] {
  const chapter = ctx.chapters[index] as Chapter;
  return [
    { path: `${chapter.id}/index.html`, content: page ?? chapterPage(ctx, index) },
    { path: `${chapter.id}/${EVIDENCE_PAGE}`, content: evidencePage(ctx, index) },
    { path: `${chapter.id}/${REPLAY_FILE}`, content: replayFile(chapter, ctx.site.results.get(chapter.id)) },
    { path: `${chapter.id}/${TWIN}`, content: markdownTwin(ctx, index, ctx.site.config) },
    ...downloads(chapter),
  ];
}

/** Every page's path from the site root, for the sitemap: the index, each chapter and its evidence, the API docs. */
function pagePaths(ctx: RenderContext, options: RenderOptions): string[] {
  return [
    '',
    ...ctx.chapters.flatMap((c) => [`${c.id}/`, `${c.id}/${EVIDENCE_PAGE}`]),
    ...(options.api ? ['api/'] : []),
  ];
}

/**
 * The files after the chapters: index, 404, `robots.txt`, `llms.txt`, `sitemap.xml` (only with a
 * base URL), and the assets (the stylesheet holds the code colours the pages used).
 */
function closing(ctx: RenderContext, highlighter: CodeHighlighter, options: RenderOptions): SiteFile[] {
  const used = ctx.used;
  const config = ctx.site.config;
  const sitemap = sitemapXml(config, pagePaths(ctx, options));
  return [
    { path: 'index.html', content: indexPage(ctx, options) },
    { path: '404.html', content: notFoundPage(ctx) },
    { path: 'robots.txt', content: robotsTxt(config) },
    { path: 'llms.txt', content: llmsTxt(ctx.chapters, config, SITE_DESCRIPTION) },
    ...(sitemap === undefined ? [] : [{ path: 'sitemap.xml', content: sitemap }]),
    { path: 'assets/site.css', content: `${minifyCss(asset('site.css'))}\n${highlighter.css(used)}\n` },
    { path: 'assets/site.js', content: minifyJs(asset('site.js')) },
    { path: 'assets/search.js', content: minifyJs(asset('search.js')) },
    { path: 'assets/search.css', content: `${minifyCss(asset('search.css'))}\n` },
  ];
}

/**
 * Drops comment lines and indentation from our own script (it has no template literals or
 * multi-line strings, and every statement ends with a semicolon or a brace).
 */
export function minifyJs(js: string): string {
  return js
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n')
    .concat('\n');
}

/**
 * Renders the whole site: `index.html`, `404.html`, per chapter `NN-slug/index.html` and its
 * evidence page `NN-slug/evidence.html`, the chapters' code files next to their pages (for
 * download), and `assets/site.css` + `assets/site.js` (+ `assets/search.js` and
 * `assets/search.css`, loaded when the search box is first used). Every code block must be
 * highlightable at once (a highlighter created without a cache loads shiki right away);
 * {@link renderSiteFiles} is the streaming form that loads shiki only when needed.
 */
export function renderSite(
  chapters: Chapter[],
  verification: Verification,
  highlighter: CodeHighlighter,
  options: RenderOptions,
): SiteFile[] {
  const ctx = renderContext(createMarkdown(highlighter), chapters, verification, options);
  const files: SiteFile[] = [];
  for (const index of chapters.keys()) files.push(...chapterFiles(ctx, index));
  files.push(...closing(ctx, highlighter, options));
  return files;
}

/**
 * The same files as {@link renderSite}, in the same order and byte for byte, one at a time: a
 * page is yielded as soon as it is rendered, so a writer can put it on disk and let it go. When a
 * code block is not in the highlighter's cache, shiki is loaded ({@link CodeHighlighter.load}) and
 * the page rendered again; a build whose blocks are all cached never loads it.
 */
export async function* renderSiteFiles(
  chapters: Chapter[],
  verification: Verification,
  highlighter: CodeHighlighter,
  options: RenderOptions,
): AsyncGenerator<SiteFile> {
  const ctx = renderContext(createMarkdown(highlighter), chapters, verification, options);
  for (const index of chapters.keys()) {
    let html: string;
    try {
      html = chapterPage(ctx, index);
    } catch (error) {
      if (!(error instanceof CodeNotCached) || !highlighter.load) throw error;
      await highlighter.load();
      html = chapterPage(ctx, index);
    }
    yield* chapterFiles(ctx, index, html);
  }
  yield* closing(ctx, highlighter, options);
}

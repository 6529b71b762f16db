/**
 * The page shell shared by every page: head, header with search, chapter sidebar, footer.
 * Links are relative, so the site works from any base path.
 * @module
 */
import type { Chapter, ChapterResult, Verification } from '../types.ts';
import { esc } from './html.ts';
import { tally, tallyState } from './results.ts';

export const SITE_TITLE = 'Sessions & Cookies, Verified';

/** The longest title the sidebar shows in full; longer ones are cut at a word, with `…`. */
const SIDEBAR_TITLE = 40;

/** A title short enough for the sidebar. */
export function shortTitle(title: string, max = SIDEBAR_TITLE): string {
  if (title.length <= max) return title;
  const cutAt = title.lastIndexOf(' ', max - 1);
  return `${title.slice(0, cutAt > max / 2 ? cutAt : max - 1).trimEnd()}…`;
}

/** Each chapter's results by chapter id (a chapter without results is absent). */
export function resultsById(verification: Verification): Map<string, ChapterResult> {
  return new Map(verification.chapters.map((r) => [r.id, r]));
}

/**
 * The sidebar, built once for a build: every chapter's number, short title and pass/fail mark
 * (drawn by the stylesheet from the item's class, with its meaning as the mark's alternative text).
 * Returns a function giving the sidebar with `current` marked, a plain string replacement.
 * @param root the relative path from the pages that show it to the site root: `` or `../`
 */
export function createSidebar(chapters: Chapter[], results: Map<string, ChapterResult>, root: string): (current?: string) => string {
  const items = chapters.map((c) => {
    const state = tallyState(tally(results.get(c.id)));
    return `<li class="${state}"><a href="${root}${c.id}/">${String(c.number).padStart(2, '0')} ${esc(shortTitle(c.meta.title))}</a>`;
  });
  const html = `<nav class="sidebar" aria-label="Chapters"><p><a href="${root}">Contents</a></p><ol>${items.join('')}</ol></nav>`;
  return (current) => (current === undefined ? html : html.replace(`<a href="${root}${current}/">`, `<a href="${root}${current}/" aria-current="page">`));
}

/** The sidebar with `current` marked (builds it: to render many pages, use {@link createSidebar} once). */
export function sidebar(chapters: Chapter[], verification: Verification, root: string, current?: string): string {
  return createSidebar(chapters, resultsById(verification), root)(current);
}

export interface ShellOptions {
  title: string;
  description: string;
  /** The relative path from this page to the site root: `` or `../`. */
  root: string;
  sidebar: string;
  main: string;
}

/** A whole HTML page. The search box is added by the script (search needs it), after the home link. */
export function shell(o: ShellOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(o.title)}</title>
<meta name="description" content="${esc(o.description)}">
<link rel="stylesheet" href="${o.root}assets/site.css">
<script src="${o.root}assets/site.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
<a class="home" href="${o.root}">${esc(SITE_TITLE)}</a>
</header>
<div class="layout">
${o.sidebar}
<main id="main" data-pagefind-body>
${o.main}
</main>
</div>
<footer><p>Every claim on these pages is a test that ran against real HTTP. <a href="${o.root}">Contents</a></p></footer>
</body>
</html>
`;
}

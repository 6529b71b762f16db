/**
 * The page shell shared by every page: head, header with search, chapter sidebar, footer.
 * Links are relative, so the site works from any base path.
 * @module
 */
import type { Chapter, ChapterResult, Verification } from '../types.ts';
import { contentSecurityPolicy } from '../csp.ts';
import type { RepositoryConfig } from '../site-config.ts';
import { esc } from './html.ts';
import { tally, tallyState } from './results.ts';

export const SITE_TITLE = 'Sessions & Cookies, Verified';

/** A chapter's number as pages show it: two digits at least (`01`, `12`, `100`). */
export function chapterNumber(number: number): string {
  return String(number).padStart(2, '0');
}

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

/** Up to this many chapters, every page's sidebar lists them all. */
export const SIDEBAR_FULL = 40;

/** Above {@link SIDEBAR_FULL} chapters, the sidebar shows this many on each side of the current one. */
export const SIDEBAR_AROUND = 5;

/** How the sidebar marks the current chapter: `page` on its page, `true` on a page of its own (its evidence). */
export type CurrentMark = 'page' | 'true';

/**
 * The sidebar, built once for a build: chapters by number, short title and pass/fail mark (drawn
 * by the stylesheet from the item's class, with its meaning as the mark's alternative text).
 * Returns a function giving the sidebar with `current` marked.
 *
 * Up to {@link SIDEBAR_FULL} chapters it lists them all. A bigger book would make every page carry
 * every chapter (bytes growing with the square of the book), so it lists a window instead: the
 * {@link SIDEBAR_AROUND} chapters on each side of the current one (the first ones on a page with no
 * current chapter), the first and the last, and how many are left out where the list skips; the
 * contents page, linked above the list, has them all. At most 2 × 5 + 3 items, whatever the size.
 * @param root the relative path from the pages that show it to the site root: `` or `../`
 */
export function createSidebar(
  chapters: Chapter[],
  results: Map<string, ChapterResult>,
  root: string,
): (current?: string, mark?: CurrentMark) => string {
  const items = chapters.map((c) => {
    const state = tallyState(tally(results.get(c.id)));
    // A chapter whose claims all passed has no class: the stylesheet's default mark is theirs.
    return `<li${state === 'passed' ? '' : ` class="${state}"`}><a href="${root}${c.id}/">${chapterNumber(c.number)} ${esc(shortTitle(c.meta.title))}</a>`;
  });
  const all = chapters.length > SIDEBAR_FULL ? ` (all ${chapters.length} chapters)` : '';
  const open = `<nav class="sidebar" aria-label="Chapters"><p><a href="${root}">Contents</a>${all}</p><ol>`;
  const close = '</ol></nav>';
  const markIn = (html: string, current: string | undefined, mark: CurrentMark) =>
    current === undefined
      ? html
      : html.replace(`<a href="${root}${current}/">`, `<a href="${root}${current}/" aria-current="${mark}">`);
  if (chapters.length <= SIDEBAR_FULL) {
    const html = `${open}${items.join('')}${close}`;
    return (current, mark = 'page') => markIn(html, current, mark);
  }
  const ids = new Map(chapters.map((c, i) => [c.id, i]));
  const last = chapters.length - 1;
  const gap = (n: number) => `<li class="gap">… ${n} more</li>`;
  return (current, mark = 'page') => {
    const at = current === undefined ? 0 : (ids.get(current) ?? 0);
    const from = Math.max(0, Math.min(at - SIDEBAR_AROUND, last - 2 * SIDEBAR_AROUND));
    const to = Math.min(last, from + 2 * SIDEBAR_AROUND);
    const shown: string[] = [];
    if (from > 0) shown.push(items[0] as string);
    if (from > 1) shown.push(gap(from - 1));
    shown.push(...items.slice(from, to + 1));
    if (to < last - 1) shown.push(gap(last - 1 - to));
    if (to < last) shown.push(items[last] as string);
    return markIn(`${open}${shown.join('')}${close}`, current, mark);
  };
}

/** The sidebar with `current` marked (builds it: to render many pages, use {@link createSidebar} once). */
export function sidebar(chapters: Chapter[], verification: Verification, root: string, current?: string): string {
  return createSidebar(chapters, resultsById(verification), root)(current);
}

export interface HeadOptions {
  title: string;
  /** The page's `<meta name="description">`; none when not given. */
  description?: string;
  /** The path from this page to the site root: `` or `../`, or `/` for a page served at any path. */
  root: string;
  /** Load the site's script; default true. */
  script?: boolean;
  /** More head elements, as HTML, after the description: canonical, Open Graph, the markdown twin (render/site-links.ts). */
  links?: readonly string[];
  /**
   * Write the head on three lines (the 404 page's form) instead of one element a line: the same
   * elements, kept so that the 404 page is byte for byte what it was.
   */
  compact?: boolean;
}

export interface ShellOptions extends HeadOptions {
  description: string;
  sidebar: string;
  /** The page's table of contents ({@link tableOfContents} in anchors.ts); none when empty or not given. */
  toc?: string;
  /** The LICENSE file's address in the repository, for the footer; without it the footer names the file as text. */
  licence?: string;
  main: string;
  /** Index the page for search (`data-pagefind-body`, else `data-pagefind-ignore="all"`); default true. */
  search?: boolean;
}

/** The site's Content-Security-Policy as a `<meta>`, first in every page's head: it holds on hosts that send no headers. */
export const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(false, 'meta'))}">`;

/** The `<head>` of every page: CSP first, viewport, colour scheme, no icon request, title, stylesheet. */
export function head(o: HeadOptions): string {
  const meta = [
    '<meta charset="utf-8">',
    CSP_META,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
  ];
  const icon = '<link rel="icon" href="data:,">';
  const title = `<title>${esc(o.title)}</title>`;
  const rest = [
    ...(o.description === undefined ? [] : [`<meta name="description" content="${esc(o.description)}">`]),
    ...(o.links ?? []),
    `<link rel="stylesheet" href="${o.root}assets/site.css">`,
    ...(o.script === false ? [] : [`<script src="${o.root}assets/site.js" defer></script>`]),
  ];
  if (o.compact) return `<head>${meta.join('')}\n${icon}\n${title}${rest.join('')}</head>`;
  return ['<head>', ...meta, icon, title, ...rest, '</head>'].join('\n');
}

/**
 * The chapter list, collapsible: a `<details>` that is one line ("Chapters") on a phone, so that
 * the page's title comes first, and always open on wide screens (the stylesheet shows its content
 * there and hides the summary). No script: it works with JavaScript off, and the summary is a
 * button for the keyboard.
 */
export function collapsibleNav(sidebar: string): string {
  return `<details class="side"><summary>Chapters</summary>${sidebar}</details>`;
}

/**
 * The LICENSE file's address in the repository (at the project's folder in it, on the branch the
 * source links use); undefined without a repository.
 */
export function licenceUrl(repo: RepositoryConfig | undefined): string | undefined {
  if (!repo) return undefined;
  const path = [repo.directory, 'LICENSE'].filter(Boolean).join('/').split('/').map(encodeURIComponent).join('/');
  return `${repo.web}${repo.host === 'gitlab' ? '/-' : ''}/blob/${encodeURIComponent(repo.branch)}/${path}`;
}

/** The licences in one line: code and snippets 0BSD, prose CC BY 4.0, and the LICENSE file (linked when its address is known). */
export function licenceLine(licence?: string): string {
  const file = licence === undefined ? 'LICENSE' : `<a href="${esc(licence)}">LICENSE</a>`;
  return `<p class="licence">Code and snippets: 0BSD. Prose: CC BY 4.0. See ${file}.</p>`;
}

/** A whole HTML page. The search box is added by the script (search needs it), after the home link: its room is kept by the stylesheet. */
export function shell(o: ShellOptions): string {
  return `<!doctype html>
<html lang="en">
${head(o)}
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
<a class="home" href="${o.root}">${esc(SITE_TITLE)}</a>
</header>
<div class="layout">
${collapsibleNav(o.sidebar)}
${o.toc ? `${o.toc}\n` : ''}<main id="main" ${o.search === false ? 'data-pagefind-ignore="all"' : 'data-pagefind-body'}>
${o.main}
</main>
</div>
<footer><p>Every claim on these pages is a test that ran against real HTTP. <a href="${o.root}">Contents</a></p>${licenceLine(o.licence)}</footer>
</body>
</html>
`;
}

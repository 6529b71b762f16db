/**
 * The page shell shared by every page: head, header with search, chapter sidebar, footer.
 * Links are relative, so the site works from any base path.
 * @module
 */
import type { Chapter, Verification } from '../types.ts';
import { esc } from './html.ts';
import { type TallyState, tally, tallyState } from './results.ts';

export const SITE_TITLE = 'Sessions & Cookies, Verified';

const MARKS: Record<TallyState, { mark: string; label: string }> = {
  passed: { mark: '✓', label: 'all claims verified' },
  partial: { mark: '–', label: 'some claims not verified in this build' },
  failed: { mark: '✗', label: 'a claim failed' },
};

/** The sidebar: every chapter with its pass/fail mark. */
export function sidebar(chapters: Chapter[], verification: Verification, root: string, current?: string): string {
  const items = chapters.map((c) => {
    const state = tallyState(tally(verification.chapters.find((r) => r.id === c.id)));
    const { mark, label } = MARKS[state];
    const here = c.id === current ? ' aria-current="page"' : '';
    return `<li class="${state}"><a href="${root}${c.id}/"${here}><i title="${label}">${mark}</i> ${String(c.number).padStart(2, '0')} ${esc(c.meta.title)}</a></li>`;
  });
  return `<nav class="sidebar" aria-label="Chapters"><p><a href="${root}">Contents</a></p><ol>${items.join('')}</ol></nav>`;
}

export interface ShellOptions {
  title: string;
  description: string;
  /** The relative path from this page to the site root: `` or `../`. */
  root: string;
  sidebar: string;
  main: string;
}

/** A whole HTML page. */
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
<div class="search" role="search" hidden>
<label for="search-input" class="vh">Search the handbook</label>
<input id="search-input" type="search" placeholder="Search the handbook" autocomplete="off" spellcheck="false">
<div class="search-results" aria-live="polite"></div>
</div>
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

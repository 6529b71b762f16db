/**
 * The pages: one per chapter, its evidence page, the index, and a 404 page. Each is its view data
 * ({@link chapterView}, {@link evidenceView}, {@link indexView}) rendered with the partials.
 * @module
 */
import type { Chapter } from '../types.ts';
import { CLAIMS_ENTRY, tableOfContents } from './anchors.ts';
import type { ChapterEnv } from './env.ts';
import { esc } from './html.ts';
import { head, SITE_TITLE, shell } from './layout.ts';
import { renderChapterMarkdown } from './markdown.ts';
import { replayLink } from './replay.ts';
import { mutationSection } from './mutation.ts';
import { HOW_VERIFIED_ENTRY, howVerified, indexMain, kicker, pager, runLine } from './partials.ts';
import { badge, claimsSection, evidenceSection } from './results.ts';
import { chapterView, evidenceView, indexView, type RenderContext } from './view.ts';

/** A chapter's page HTML; the code classes it uses are added to `ctx.used`. */
export function chapterPage(ctx: RenderContext, index: number): string {
  const chapter = ctx.chapters[index] as Chapter;
  const view = chapterView(ctx, index);
  const mutation = ctx.site.mutation ? mutationSection(view.mutation, chapter) : '';
  const env: ChapterEnv = {
    chapter,
    result: view.result,
    used: ctx.used,
    shownRun: new Set(),
    packages: ctx.verification.run.packages ?? {},
    mutation,
  };
  const prose = renderChapterMarkdown(ctx.md, chapter.readme.body, env);
  const root = '../';
  const headings = [...(env.headings ?? []), ...(env.placedResults ? [] : [CLAIMS_ENTRY]), HOW_VERIFIED_ENTRY];
  const main = [
    kicker(view),
    `<a class="badge-link" href="#claims">${badge(view.tally)}</a>`,
    `<div class="prose">${prose}</div>`,
    env.placedResults ? '' : claimsSection(view.result, mutation),
    howVerified(view),
    pager(view, root),
  ]
    .filter(Boolean)
    .join('\n');
  return shell({
    title: `${view.number}. ${view.title} — ${SITE_TITLE}`,
    description: view.summary,
    root,
    sidebar: ctx.site.chapterSidebar(view.id),
    toc: tableOfContents(headings),
    main,
  });
}

/**
 * A chapter's evidence page (`NN-slug/evidence.html`, next to its page): every claim with the HTTP
 * exchanges its test made, masked, under the same anchors as on the chapter page (`#claim-N`). The
 * chapter page links each claim here and its script fetches this page to show a claim's evidence
 * in place. Not indexed for search (transcripts, not prose).
 */
export function evidencePage(ctx: RenderContext, index: number): string {
  const view = evidenceView(ctx, index);
  const title = esc(view.title);
  const main = [
    `<p class="kicker">Chapter ${view.number} · evidence</p>`,
    `<h1>Evidence: ${title}</h1>`,
    `<p>What each claim of <a href="./">${title}</a> rests on. Verified with ${runLine(view.run)}.</p>`,
    replayLink(),
    evidenceSection(view.result),
    `<nav class="pager" aria-label="Back to the chapter"><a href="./">← ${title}</a><span></span></nav>`,
  ].join('\n');
  return shell({
    title: `Evidence: ${view.title} — ${SITE_TITLE}`,
    description: `The HTTP exchanges behind each claim of ${view.plainTitle}.`,
    root: '../',
    sidebar: ctx.site.chapterSidebar(view.id, 'true'),
    main,
    search: false,
  });
}

/** The index page: what the handbook is, the chapters and their results, the run's versions. */
export function indexPage(ctx: RenderContext, options: { api: boolean }): string {
  return shell({
    title: SITE_TITLE,
    description: 'An executable handbook of how Express sessions and cookies really behave: every claim asserted by a test.',
    root: '',
    sidebar: ctx.site.indexSidebar(),
    main: indexMain(indexView(ctx, options), ctx.chapters),
  });
}

/** The 404 page. Its links are absolute: it is served for any missing path. */
export function notFoundPage(): string {
  const main = `<h1>Not found</h1><p>No page here. Go to the <a href="/">contents of ${esc(SITE_TITLE)}</a>.</p>`;
  return `<!doctype html>
<html lang="en">
${head({ title: `Not found — ${SITE_TITLE}`, root: '/', script: false, compact: true })}
<body><main id="main" class="notfound" data-pagefind-ignore="all">${main}</main></body>
</html>
`;
}

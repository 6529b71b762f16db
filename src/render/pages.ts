/**
 * The pages: one per chapter, its evidence page, the index, and a 404 page. Each is its view data
 * ({@link chapterView}, {@link evidenceView}, {@link indexView}) rendered with the partials.
 * @module
 */
import type { Chapter } from '../types.ts';
import { CLAIMS_ENTRY, tableOfContents } from './anchors.ts';
import type { ChapterEnv } from './env.ts';
import { esc } from './html.ts';
import { createSidebar, licenceUrl, SITE_TITLE, shell } from './layout.ts';
import { renderChapterMarkdown } from './markdown.ts';
import { replayLink } from './replay.ts';
import { mutationSection } from './mutation.ts';
import { HOW_VERIFIED_ENTRY, howVerified, indexMain, kicker, pager, runLine } from './partials.ts';
import { badge, claimsSection, EVIDENCE_PAGE, evidenceSection } from './results.ts';
import { headLinks, sourceLinks } from './site-links.ts';
import { TWIN } from './twin.ts';
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
    sourceLinks(ctx.site.config, chapter),
    pager(view, root),
  ]
    .filter(Boolean)
    .join('\n');
  return shell({
    title: `${view.number}. ${view.title} — ${SITE_TITLE}`,
    description: view.summary,
    root,
    licence: licenceUrl(ctx.site.config.repository),
    links: headLinks(ctx.site.config, {
      path: `${view.id}/`,
      title: `${view.number}. ${view.title}`,
      description: view.summary,
      type: 'article',
      markdown: TWIN,
    }),
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
    licence: licenceUrl(ctx.site.config.repository),
    links: headLinks(ctx.site.config, {
      path: `${view.id}/${EVIDENCE_PAGE}`,
      title: `Evidence: ${view.title}`,
      description: `The HTTP exchanges behind each claim of ${view.plainTitle}.`,
      type: 'article',
    }),
    sidebar: ctx.site.chapterSidebar(view.id, 'true'),
    main,
    search: false,
  });
}

/** The index page: what the handbook is, the chapters and their results, the run's versions. */
export function indexPage(ctx: RenderContext, options: { api: boolean }): string {
  return shell({
    title: SITE_TITLE,
    description: SITE_DESCRIPTION,
    root: '',
    licence: licenceUrl(ctx.site.config.repository),
    links: headLinks(ctx.site.config, { path: '', title: SITE_TITLE, description: SITE_DESCRIPTION, type: 'website' }),
    sidebar: ctx.site.indexSidebar(),
    main: indexMain(indexView(ctx, options), ctx.chapters),
  });
}

/** The handbook in one sentence: the index page's description, and llms.txt's summary. */
export const SITE_DESCRIPTION =
  'An executable handbook of how Express sessions and cookies really behave: every claim asserted by a test.';

/**
 * The 404 page, served for any missing path at any depth: the site's head, header, chapter list and
 * footer, with a link to the contents and to the search box. A `<base>` is not allowed (the CSP has
 * `base-uri 'none'`), so every link and asset is root-relative from the site's base path (the
 * base URL's path, else `SITE_BASE_PATH`, else `/`): they resolve the same from `/x/y/missing` as
 * from `/missing`, under a sub-path too. Never absolute: a preview served elsewhere loads nothing
 * from the published host. Not indexed (`noindex`, no canonical).
 */
export function notFoundPage(ctx: RenderContext): string {
  const root = ctx.site.config.basePath;
  const main = [
    '<h1>Not found</h1>',
    `<p>There is no page at this address. Go to the <a href="${esc(root)}">contents of ${esc(SITE_TITLE)}</a>, ` +
      'or <a href="#search-input">search the handbook</a> with the box at the top of this page (it needs JavaScript).</p>',
  ].join('\n');
  return shell({
    title: `Not found — ${SITE_TITLE}`,
    description: `No page at this address in ${SITE_TITLE}.`,
    root: esc(root),
    // The LICENSE named, not linked: the 404 page has no absolute URL (tests/links.test.ts).
    links: ['<meta name="robots" content="noindex">'],
    sidebar: createSidebar(ctx.chapters, ctx.site.results, esc(root))(),
    main,
    search: false,
  });
}

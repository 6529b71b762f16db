/**
 * The pages: one per chapter, the index, and a 404 page.
 * @module
 */
import type { MarkdownIt } from 'markdown-it';
import type { Chapter, ChapterResult, Verdict, Verification } from '../types.ts';
import { esc } from './html.ts';
import type { ChapterEnv } from './env.ts';
import { CSP_META, type CurrentMark, SITE_TITLE, createSidebar, resultsById, shell } from './layout.ts';
import { badge, claimsSection, evidenceSection, tally, tallyState } from './results.ts';
import { renderChapterMarkdown } from './markdown.ts';
import { type MutationView, mutationCell, mutationSection, mutationTotal } from './mutation.ts';

/** What a verdict says, in words. */
export const VERDICT_TEXT: Record<Verdict, string> = {
  right: 'the article is right',
  incomplete: 'the article is incomplete',
  wrong: 'the article is wrong',
  beyond: 'beyond the article',
};

/** What every page of one build shares, computed once: results by chapter, the two sidebars. */
export interface SiteContext {
  results: Map<string, ChapterResult>;
  /** The sidebar of chapter pages (links start with `../`), with a chapter marked current. */
  chapterSidebar: (current?: string, mark?: CurrentMark) => string;
  /** The sidebar of the index page. */
  indexSidebar: () => string;
  /** The saved mutation run's results, when there is one. */
  mutation?: MutationView;
}

/** Computes the {@link SiteContext} of a build. */
export function siteContext(chapters: Chapter[], verification: Verification, mutation?: MutationView): SiteContext {
  const results = resultsById(verification);
  const chapterSidebar = createSidebar(chapters, results, '../');
  const index = createSidebar(chapters, results, '');
  return { results, chapterSidebar, indexSidebar: () => index(), ...(mutation ? { mutation } : {}) };
}

/**
 * A chapter's page HTML.
 * @param site what the pages of this build share; computed here when not given (one page alone)
 */
export function chapterPage(
  md: MarkdownIt,
  chapters: Chapter[],
  index: number,
  verification: Verification,
  used: Set<string>,
  site: SiteContext = siteContext(chapters, verification),
): string {
  const chapter = chapters[index] as Chapter;
  const result = withRun(site.results.get(chapter.id), verification);
  const mutation = site.mutation ? mutationSection(site.mutation.chapters[chapter.id], chapter) : '';
  const env: ChapterEnv = { chapter, result, used, shownRun: new Set(), packages: verification.run.packages ?? {}, mutation };
  const prose = renderChapterMarkdown(md, chapter.readme.body, env);
  const root = '../';
  const num = String(chapter.number).padStart(2, '0');
  const t = tally(result);
  // A chapter beyond the article checks no section of it, so it has no verdict to give either.
  const kicker = (
    chapter.meta.verdict === 'beyond'
      ? [`Chapter ${num}`, `<span class="verdict beyond">${VERDICT_TEXT.beyond}</span>`]
      : [
          `Chapter ${num}`,
          `checks “${esc(chapter.meta.article)}”`,
          `verdict: <span class="verdict ${chapter.meta.verdict}">${VERDICT_TEXT[chapter.meta.verdict]}</span>`,
        ]
  ).join(' · ');
  const specs = chapter.files.filter((f) => f.role === 'spec');
  const how = [
    `<section class="how" id="how-this-is-verified" data-pagefind-ignore><h2>How this is verified <a class="anchor" href="#how-this-is-verified" aria-label="Link to this section">#</a></h2>`,
    `<p>Each claim above is a test in ${specs.map((s) => `<code>${esc(s.name)}</code>`).join(', ')}, run with vitest against the snippet over real HTTP. Run them yourself with <code>npm test -- ${num}</code>.</p>`,
    // The source is not inlined (it would double the page): the file is next to the page. The
    // script fetches it when the reader opens the <details> and shows it as plain text; without
    // JavaScript the link inside is the way to read it.
    ...specs.map((s) => {
      const lines = s.text.replace(/\r\n/g, '\n').trimEnd().split('\n').length;
      return `<details class="spec" data-src="${esc(s.name)}"><summary><code>${esc(s.name)}</code> (${lines} lines)</summary><p><a href="${esc(s.name)}">Read ${esc(s.name)}</a> (the raw file)</p></details>`;
    }),
    '</section>',
  ].join('\n');
  const prev = chapters[index - 1];
  const next = chapters[index + 1];
  const pager = `<nav class="pager" aria-label="Previous and next chapter">${
    prev ? `<a rel="prev" href="${root}${prev.id}/">← ${String(prev.number).padStart(2, '0')}. ${esc(prev.meta.title)}</a>` : '<span></span>'
  }${next ? `<a rel="next" href="${root}${next.id}/">${String(next.number).padStart(2, '0')}. ${esc(next.meta.title)} →</a>` : '<span></span>'}</nav>`;
  const main = [
    `<p class="kicker">${kicker}</p>`,
    `<a class="badge-link" href="#claims">${badge(t)}</a>`,
    `<div class="prose">${prose}</div>`,
    env.placedResults ? '' : claimsSection(result, mutation),
    how,
    pager,
  ].filter(Boolean).join('\n');
  return shell({
    title: `${num}. ${chapter.meta.title} — ${SITE_TITLE}`,
    description: chapter.meta.summary,
    root,
    sidebar: site.chapterSidebar(chapter.id),
    main,
  });
}

/**
 * The chapter's result with the run it comes from: its own (a build with the verify cache mixes
 * runs), or else the build's, so that every chapter page says when and at which commit its
 * results were made.
 */
function withRun(result: ChapterResult | undefined, { run }: Verification): ChapterResult | undefined {
  if (!result || result.run) return result;
  return { ...result, run: { date: run.date, commit: run.commit, dirty: run.dirty } };
}

/** The parts of a run a page states: the versions verified with, when, and at which commit. */
function runParts({ run }: Verification): { versions: string; date: string; commit: string } {
  return {
    versions: `Node ${esc(run.versions.node)}, express ${esc(run.versions.express)}, express-session ${esc(run.versions['express-session'])}, cookie-parser ${esc(run.versions['cookie-parser'])}`,
    date: `<time datetime="${esc(run.date)}">${esc(run.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>`,
    commit: `<code>${esc(run.commit === 'unknown' ? 'unknown' : run.commit.slice(0, 12))}</code>${run.dirty ? ' (with uncommitted changes)' : ''}`,
  };
}

/** What a run verified with, and when: `Node 20.20.2, express 5.1.0, …` and the date and commit. */
function runLine(verification: Verification): string {
  const { versions, date, commit } = runParts(verification);
  return `${versions}, in the run of ${date} at commit ${commit}`;
}

/**
 * A chapter's evidence page (`NN-slug/evidence.html`, next to its page): every claim with the HTTP
 * exchanges its test made, masked, under the same anchors as on the chapter page (`#claim-N`). The
 * chapter page links each claim here and its script fetches this page to show a claim's evidence
 * in place. Not indexed for search (transcripts, not prose).
 */
export function evidencePage(chapters: Chapter[], index: number, verification: Verification, site: SiteContext = siteContext(chapters, verification)): string {
  const chapter = chapters[index] as Chapter;
  const num = String(chapter.number).padStart(2, '0');
  const title = `${num}. ${chapter.meta.title}`;
  const result = withRun(site.results.get(chapter.id), verification);
  const main = [
    `<p class="kicker">Chapter ${num} · evidence</p>`,
    `<h1>Evidence: ${esc(title)}</h1>`,
    `<p>What each claim of <a href="./">${esc(title)}</a> rests on. Verified with ${runLine({ ...verification, run: { ...verification.run, ...result?.run } })}.</p>`,
    evidenceSection(result),
    `<nav class="pager" aria-label="Back to the chapter"><a href="./">← ${esc(title)}</a><span></span></nav>`,
  ].join('\n');
  return shell({
    title: `Evidence: ${title} — ${SITE_TITLE}`,
    description: `The HTTP exchanges behind each claim of ${chapter.meta.title}.`,
    root: '../',
    sidebar: site.chapterSidebar(chapter.id, 'true'),
    main,
    search: false,
  });
}

/** The index page: what the handbook is, the chapters and their results, the run's versions. */
export function indexPage(chapters: Chapter[], verification: Verification, options: { api: boolean }, site: SiteContext = siteContext(chapters, verification)): string {
  const rows = chapters.map((c) => {
    const t = tally(site.results.get(c.id));
    const state = tallyState(t);
    return `<tr class="${state}"><td>${String(c.number).padStart(2, '0')}</td><td><a href="${c.id}/">${esc(c.meta.title)}</a><br><span class="summary">${esc(c.meta.summary)}</span></td><td>${esc(c.meta.article)}</td><td><span class="verdict ${c.meta.verdict}">${VERDICT_TEXT[c.meta.verdict]}</span></td><td class="count ${state}">${t.passed} of ${t.total}${t.failed ? ` <span class="failed">(${t.failed} failed)</span>` : ''}</td>${site.mutation ? mutationCell(site.mutation.chapters[c.id]) : ''}</tr>`;
  });
  const all = chapters.map((c) => tally(site.results.get(c.id)));
  const total = all.reduce((a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped, total: a.total + t.total }), { passed: 0, failed: 0, skipped: 0, total: 0 });
  const { versions, date, commit } = runParts(verification);
  const main = `<h1>${esc(SITE_TITLE)}</h1>
<p class="lede">An executable handbook of how Express sessions and cookies really behave. It takes a popular tutorial on <code>express-session</code> and <code>cookie-parser</code> apart section by section: each chapter pairs prose with a runnable Express snippet and a spec that checks the snippet's cookies and sessions over real HTTP. Every claim below is a test; its result is on the page.</p>
${badge(total)}
<h2 id="chapters">Chapters</h2>
<div class="table"><table>
<thead><tr><th>#</th><th>Chapter</th><th>Article section</th><th>Verdict</th><th>Verified</th>${site.mutation ? '<th>app.ts changes caught</th>' : ''}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>${site.mutation ? `\n${mutationTotal(site.mutation, chapters)}` : ''}
<h2 id="this-build">This build</h2>
<dl class="run">
<dt>Verified with</dt><dd>${versions}</dd>
<dt>Run on</dt><dd>${date}</dd>
<dt>Commit</dt><dd>${commit}</dd>
</dl>
${options.api ? '<p>The build pipeline that made this site is documented in the <a href="api/">API documentation</a>.</p>' : ''}`;
  return shell({
    title: SITE_TITLE,
    description: 'An executable handbook of how Express sessions and cookies really behave: every claim asserted by a test.',
    root: '',
    sidebar: site.indexSidebar(),
    main,
  });
}

/** The 404 page. Its links are absolute: it is served for any missing path. */
export function notFoundPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8">${CSP_META}<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>Not found — ${esc(SITE_TITLE)}</title><link rel="stylesheet" href="/assets/site.css"></head>
<body><main id="main" class="notfound" data-pagefind-ignore="all"><h1>Not found</h1><p>No page here. Go to the <a href="/">contents of ${esc(SITE_TITLE)}</a>.</p></main></body>
</html>
`;
}

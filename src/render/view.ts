/**
 * The render context (what every page of one build shares) and each page's view data: plain typed
 * data computed from chapters and results, no HTML, which the partials then render.
 * @module
 */
import type { MarkdownIt } from 'markdown-it';
import { NO_SITE_CONFIG, type SiteConfig } from '../site-config.ts';
import type { Chapter, ChapterResult, ChapterRun, Verdict, Verification } from '../types.ts';
import { type CurrentMark, chapterNumber, createSidebar, resultsById } from './layout.ts';
import type { ChapterMutationView, MutationView } from './mutation.ts';
import { type Tally, type TallyState, tally, tallyState } from './results.ts';

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
  /** Where the site and its source live (base URL, base path, repository): no absolute URL and no source link without. */
  config: SiteConfig;
}

/** Computes the {@link SiteContext} of a build. */
export function siteContext(
  chapters: Chapter[],
  verification: Verification,
  mutation?: MutationView,
  config: SiteConfig = NO_SITE_CONFIG,
): SiteContext {
  const results = resultsById(verification);
  const chapterSidebar = createSidebar(chapters, results, '../');
  const index = createSidebar(chapters, results, '');
  return { results, chapterSidebar, indexSidebar: () => index(), ...(mutation ? { mutation } : {}), config };
}

/** Everything the pages of one render read: one object instead of positional parameters. */
export interface RenderContext {
  /** The markdown renderer of chapter prose ({@link createMarkdown}). */
  md: MarkdownIt;
  chapters: Chapter[];
  verification: Verification;
  site: SiteContext;
  /** Classes of highlighted code the pages rendered so far used (the stylesheet carries their colours). */
  used: Set<string>;
}

/** A {@link RenderContext}; `site` is computed when not given, `used` starts empty when not given. */
export function renderContext(
  md: MarkdownIt,
  chapters: Chapter[],
  verification: Verification,
  options: { mutation?: MutationView; site?: SiteContext; used?: Set<string>; config?: SiteConfig } = {},
): RenderContext {
  const site = options.site ?? siteContext(chapters, verification, options.mutation, options.config);
  return { md, chapters, verification, site, used: options.used ?? new Set() };
}

/**
 * The chapter's result with the run it comes from: its own (a build with the verify cache mixes
 * runs), or else the build's, so that every chapter page says when and at which commit its
 * results were made.
 */
export function withRun(result: ChapterResult | undefined, { run }: Verification): ChapterResult | undefined {
  if (!result || result.run) return result;
  return { ...result, run: { date: run.date, commit: run.commit, dirty: run.dirty } };
}

/** The parts of a run a page states, as text. */
export interface RunView {
  /** `Node 20.20.2, express 5.1.0, …` */
  versions: string;
  /** The run's ISO date, and as shown: `2025-01-01 00:00:00 UTC`. */
  date: string;
  dateText: string;
  /** The first 12 characters of the commit, or `unknown`. */
  commit: string;
  dirty: boolean;
}

/** The run of `verification`, with `over` (a chapter's own run) taking precedence. */
export function runView({ run }: Verification, over?: ChapterRun): RunView {
  const { versions } = run;
  const { date, commit, dirty } = { ...run, ...over };
  return {
    versions: `Node ${versions.node}, express ${versions.express}, express-session ${versions['express-session']}, cookie-parser ${versions['cookie-parser']}`,
    date,
    dateText: date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    commit: commit === 'unknown' ? 'unknown' : commit.slice(0, 12),
    dirty,
  };
}

/** A link to a neighbouring chapter. */
export interface ChapterLink {
  id: string;
  number: string;
  title: string;
}

/** A chapter page's data. */
export interface ChapterView {
  id: string;
  number: string;
  title: string;
  summary: string;
  article: string;
  verdict: Verdict;
  /** The chapter's result with its run ({@link withRun}). */
  result: ChapterResult | undefined;
  tally: Tally;
  /** The spec files, with their line counts, for "How this is verified". */
  specs: Array<{ name: string; lines: number }>;
  prev: ChapterLink | undefined;
  next: ChapterLink | undefined;
  /** The chapter's mutation result, when the build has a mutation run. */
  mutation: ChapterMutationView | undefined;
}

function link(chapter: Chapter | undefined): ChapterLink | undefined {
  return chapter && { id: chapter.id, number: chapterNumber(chapter.number), title: chapter.meta.title };
}

/** The data of chapter `index`'s page. */
export function chapterView(ctx: RenderContext, index: number): ChapterView {
  const { chapters, verification, site } = ctx;
  const chapter = chapters[index] as Chapter;
  const result = withRun(site.results.get(chapter.id), verification);
  return {
    id: chapter.id,
    number: chapterNumber(chapter.number),
    title: chapter.meta.title,
    summary: chapter.meta.summary,
    article: chapter.meta.article,
    verdict: chapter.meta.verdict,
    result,
    tally: tally(result),
    specs: chapter.files
      .filter((f) => f.role === 'spec')
      .map((s) => ({ name: s.name, lines: s.text.replace(/\r\n/g, '\n').trimEnd().split('\n').length })),
    prev: link(chapters[index - 1]),
    next: link(chapters[index + 1]),
    mutation: site.mutation?.chapters[chapter.id],
  };
}

/** A chapter's evidence page data. */
export interface EvidenceView {
  id: string;
  number: string;
  /** `NN. Title` */
  title: string;
  plainTitle: string;
  result: ChapterResult | undefined;
  /** The run the chapter's results come from. */
  run: RunView;
}

/** The data of chapter `index`'s evidence page. */
export function evidenceView(ctx: RenderContext, index: number): EvidenceView {
  const { chapters, verification, site } = ctx;
  const chapter = chapters[index] as Chapter;
  const number = chapterNumber(chapter.number);
  const result = withRun(site.results.get(chapter.id), verification);
  return {
    id: chapter.id,
    number,
    title: `${number}. ${chapter.meta.title}`,
    plainTitle: chapter.meta.title,
    result,
    run: runView(verification, result?.run),
  };
}

/** One row of the index page's table of chapters. */
export interface IndexRow {
  id: string;
  number: string;
  title: string;
  summary: string;
  article: string;
  verdict: Verdict;
  tally: Tally;
  state: TallyState;
  mutation: ChapterMutationView | undefined;
}

/** The index page's data. */
export interface IndexView {
  rows: IndexRow[];
  /** The claims of every chapter, counted together. */
  total: Tally;
  run: RunView;
  /** Link the API documentation. */
  api: boolean;
  mutation: MutationView | undefined;
}

/** The data of the index page. */
export function indexView(ctx: RenderContext, options: { api: boolean }): IndexView {
  const { chapters, verification, site } = ctx;
  const rows = chapters.map((c): IndexRow => {
    const t = tally(site.results.get(c.id));
    return {
      id: c.id,
      number: chapterNumber(c.number),
      title: c.meta.title,
      summary: c.meta.summary,
      article: c.meta.article,
      verdict: c.meta.verdict,
      tally: t,
      state: tallyState(t),
      mutation: site.mutation?.chapters[c.id],
    };
  });
  const total = rows.reduce(
    (a, { tally: t }) => ({
      passed: a.passed + t.passed,
      failed: a.failed + t.failed,
      skipped: a.skipped + t.skipped,
      total: a.total + t.total,
    }),
    { passed: 0, failed: 0, skipped: 0, total: 0 },
  );
  return { rows, total, run: runView(verification), api: options.api, mutation: site.mutation };
}

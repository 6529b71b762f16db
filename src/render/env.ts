/**
 * The markdown env: what the markdown-it plugins and renderer rules of a chapter page read and
 * write while one chapter renders. markdown-it types its env loosely; this module is its one
 * declaration, from the narrowest need (a directive's file and line) to a whole chapter page.
 * @module
 */
import type { Chapter, ChapterResult } from '../types.ts';

/** What every plugin reads: which chapter is being rendered, for paths and lines. */
export interface RenderEnv {
  chapter: Chapter;
}

/** What the claim plugin reads: the chapter (README path and first line of its body) and its results. */
export interface ClaimEnv extends RenderEnv {
  result: ChapterResult | undefined;
}

/** What the anchors plugin writes: the heading ids already given on the page, to keep them unique. */
export interface AnchorsEnv {
  ids?: Set<string>;
  /** The page's h2 and h3 headings in order, for its table of contents ({@link TocEntry}). */
  headings?: TocEntry[];
}

/** A heading of a page's table of contents: its level (2 or 3), its anchor and its text. */
export interface TocEntry {
  level: 2 | 3;
  id: string;
  text: string;
}

/** The env one chapter page is rendered with: every plugin's, and what the page's renderer rules share. */
export interface ChapterEnv extends ClaimEnv, AnchorsEnv {
  /** Classes of highlighted code used on the page. */
  used: Set<string>;
  /** Files whose run instructions were already shown on this page. */
  shownRun: Set<string>;
  /** Verified version of each package, for the install commands (the run's `packages`). */
  packages?: Record<string, string>;
  /** Set when the prose placed the claims with `{{#results}}`. */
  placedResults?: boolean;
  /** The chapter's mutation result, as HTML for its claims section (empty without mutation data). */
  mutation?: string;
}

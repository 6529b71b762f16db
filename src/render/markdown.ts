/**
 * The markdown-it instance for chapter prose: CommonMark plus our plugins (include directive,
 * results block, claim references, heading anchors), with code rendered by shiki through our own block renderer.
 * @module
 */
import markdownIt, { type Env, type MarkdownIt, type Token } from 'markdown-it';
import { anchorsPlugin } from './anchors.ts';
import { claimPlugin } from './claim.ts';
import { articleToFix } from './diff.ts';
import type { ChapterEnv } from './env.ts';
import type { CodeHighlighter } from './highlight.ts';
import { type Included, includePlugin } from './include.ts';
import { claimsSection } from './results.ts';
import { resultsPlugin } from './results-directive.ts';
import { codeBlock, snippetFigure } from './snippet.ts';

/** The env a chapter page is rendered with; markdown-it types it loosely. */
function chapterEnv(env: Env | undefined): ChapterEnv {
  if (!env || !('chapter' in env)) throw new Error('render a chapter with its ChapterEnv');
  return env as unknown as ChapterEnv;
}

/** Renders markdown with a chapter's env. */
export function renderChapterMarkdown(md: MarkdownIt, body: string, env: ChapterEnv): string {
  return md.render(body, env as unknown as Env);
}

/**
 * A markdown renderer for chapter pages. Render with a {@link ChapterEnv}.
 *
 * Raw HTML in prose is off (`html: false`): a `<script>` or an `<img onerror>` in a README comes out
 * as text, never as markup that runs in readers' browsers; and `Partial<SessionData>` or
 * `s:<session ID>.<signature>` outside backticks read as written instead of vanishing as unknown
 * tags. The markup of our own plugins (anchors, claims, results) is made by their renderers.
 */
export function createMarkdown(highlighter: CodeHighlighter): MarkdownIt {
  const md = markdownIt({ html: false, linkify: false, typographer: false });
  md.use(includePlugin).use(resultsPlugin).use(claimPlugin).use(anchorsPlugin);

  md.renderer.rules.include = (tokens, idx, _options, raw) => {
    const env = chapterEnv(raw);
    const { file, region, code } = (tokens[idx] as Token).meta as unknown as Included;
    const showRun = !env.shownRun.has(file.name);
    env.shownRun.add(file.name);
    const diff = articleToFix(env, file, region);
    return `${snippetFigure(highlighter, file, region, code, env.used, showRun, env.packages)}\n${diff ? `${diff}\n` : ''}`;
  };
  md.renderer.rules.results = (_tokens, _idx, _options, raw) => {
    const env = chapterEnv(raw);
    env.placedResults = true;
    return `${claimsSection(env.result, env.mutation)}\n`;
  };
  md.renderer.rules.fence = (tokens, idx, _options, raw) => {
    const env = chapterEnv(raw);
    const token = tokens[idx];
    const lang = (token?.info ?? '').trim().split(/\s+/)[0] ?? '';
    return `${codeBlock(highlighter, (token?.content ?? '').replace(/\n$/, ''), lang || 'text', env.used, true)}\n`;
  };
  md.renderer.rules.code_block = (tokens, idx, _options, raw) =>
    `${codeBlock(highlighter, (tokens[idx]?.content ?? '').replace(/\n$/, ''), 'text', chapterEnv(raw).used, true)}\n`;
  return md;
}

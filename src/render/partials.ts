/**
 * Small pieces of HTML, each rendered from view data ({@link ChapterView}, {@link IndexView},
 * {@link RunView}): the pages put them together.
 * @module
 */
import { esc } from './html.ts';
import { SITE_TITLE } from './layout.ts';
import { mutationCell, mutationTotal } from './mutation.ts';
import { badge } from './results.ts';
import { type ChapterView, type IndexRow, type IndexView, type RunView, VERDICT_TEXT } from './view.ts';
import type { Chapter } from '../types.ts';
import type { TocEntry } from './env.ts';

/** A verdict in words, marked for the stylesheet. */
function verdict(v: ChapterView['verdict']): string {
  return `<span class="verdict ${v}">${VERDICT_TEXT[v]}</span>`;
}

/**
 * The line above a chapter page: its number, the article section it checks and the verdict. A
 * chapter beyond the article checks no section of it, so it has no verdict to give either.
 */
export function kicker(view: ChapterView): string {
  const parts =
    view.verdict === 'beyond'
      ? [`Chapter ${view.number}`, verdict('beyond')]
      : [`Chapter ${view.number}`, `checks “${esc(view.article)}”`, `verdict: ${verdict(view.verdict)}`];
  return `<p class="kicker">${parts.join(' · ')}</p>`;
}

/** The "How this is verified" section's entry in the page's table of contents. */
export const HOW_VERIFIED_ENTRY: TocEntry = { level: 2, id: 'how-this-is-verified', text: 'How this is verified' };

/** "How this is verified": the spec files, how to run them, and each one's source on demand. */
export function howVerified(view: ChapterView): string {
  const specs = view.specs.map((s) => `<code>${esc(s.name)}</code>`).join(', ');
  const anchor = '<a class="anchor" href="#how-this-is-verified" aria-label="Link to this section">#</a>';
  return [
    `<section class="how" id="how-this-is-verified" data-pagefind-ignore><h2>How this is verified ${anchor}</h2>`,
    `<p>Each claim above is a test in ${specs}, run with vitest against the snippet over real HTTP. ` +
      `Run them yourself with <code>npm test -- ${view.number}</code>.</p>`,
    // The source is not inlined (it would double the page): the file is next to the page. The
    // script fetches it when the reader opens the <details> and shows it as plain text; without
    // JavaScript the link inside is the way to read it.
    ...view.specs.map(({ name, lines }) => {
      const n = esc(name);
      const summary = `<summary><code>${n}</code> (${lines} lines)</summary>`;
      return `<details class="spec" data-src="${n}">${summary}<p><a href="${n}">Read ${n}</a> (the raw file)</p></details>`;
    }),
    '</section>',
  ].join('\n');
}

/** Links to the previous and the next chapter (an empty `<span>` where there is none). */
export function pager(view: ChapterView, root: string): string {
  const { prev, next } = view;
  const before = prev
    ? `<a rel="prev" href="${root}${prev.id}/">← ${prev.number}. ${esc(prev.title)}</a>`
    : '<span></span>';
  const after = next
    ? `<a rel="next" href="${root}${next.id}/">${next.number}. ${esc(next.title)} →</a>`
    : '<span></span>';
  return `<nav class="pager" aria-label="Previous and next chapter">${before}${after}</nav>`;
}

/** The run's date as a `<time>` and its commit as code (with a note when the tree was dirty). */
export function runHtml(run: RunView): { versions: string; date: string; commit: string } {
  return {
    versions: esc(run.versions),
    date: `<time datetime="${esc(run.date)}">${esc(run.dateText)}</time>`,
    commit: `<code>${esc(run.commit)}</code>${run.dirty ? ' (with uncommitted changes)' : ''}`,
  };
}

/** What a run verified with, and when: `Node 20.20.2, express 5.1.0, …` and the date and commit. */
export function runLine(run: RunView): string {
  const { versions, date, commit } = runHtml(run);
  return `${versions}, in the run of ${date} at commit ${commit}`;
}

/** One chapter's row in the index page's table. */
export function indexRow(row: IndexRow, mutation: boolean): string {
  const { tally: t, state } = row;
  const failed = t.failed ? ` <span class="failed">(${t.failed} failed)</span>` : '';
  return [
    `<tr class="${state}">`,
    `<td>${row.number}</td>`,
    `<td><a href="${row.id}/">${esc(row.title)}</a><br><span class="summary">${esc(row.summary)}</span></td>`,
    `<td>${esc(row.article)}</td>`,
    `<td>${verdict(row.verdict)}</td>`,
    `<td class="count ${state}">${t.passed} of ${t.total}${failed}</td>`,
    mutation ? mutationCell(row.mutation) : '',
    '</tr>',
  ].join('');
}

const LEDE =
  'An executable handbook of how Express sessions and cookies really behave. It takes a popular tutorial on ' +
  '<code>express-session</code> and <code>cookie-parser</code> apart section by section: each chapter pairs prose ' +
  "with a runnable Express snippet and a spec that checks the snippet's cookies and sessions over real HTTP. " +
  'Every claim below is a test; its result is on the page.';

/** The index page's content: the lede, the table of chapters with their results, and the run. */
export function indexMain(view: IndexView, chapters: Chapter[]): string {
  const { versions, date, commit } = runHtml(view.run);
  const mutation = view.mutation;
  const head = ['#', 'Chapter', 'Article section', 'Verdict', 'Verified'].map((h) => `<th>${h}</th>`).join('');
  return `<h1>${esc(SITE_TITLE)}</h1>
<p class="lede">${LEDE}</p>
${badge(view.total)}
<h2 id="chapters">Chapters</h2>
<p class="scroll-cue" aria-hidden="true">Scroll the table sideways →</p>
<div class="table" tabindex="0" role="region" aria-labelledby="chapters"><table>
<thead><tr>${head}${mutation ? '<th>app.ts changes caught</th>' : ''}</tr></thead>
<tbody>
${view.rows.map((row) => indexRow(row, mutation !== undefined)).join('\n')}
</tbody>
</table></div>${mutation ? `\n${mutationTotal(mutation, chapters)}` : ''}
<h2 id="this-build">This build</h2>
<dl class="run">
<dt>Verified with</dt><dd>${versions}</dd>
<dt>Run on</dt><dd>${date}</dd>
<dt>Commit</dt><dd>${commit}</dd>
</dl>
${view.api ? '<p>The build pipeline that made this site is documented in the <a href="api/">API documentation</a>.</p>' : ''}`;
}

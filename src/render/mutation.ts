/**
 * The mutation view: how many one-line changes to a chapter's snippet files its claims notice
 * (from `npm run mutate`), beside the claims, with the changes that went unnoticed as diffs; and
 * the totals on the index. The build decides which saved results stand for the current files
 * ({@link MutationView}); this module only shows them.
 * @module
 */
import type { Chapter, MutantResult } from '../types.ts';
import { esc, escText } from './html.ts';
import { chapterNumber } from './layout.ts';

/** The mutation run a result comes from. */
export interface MutationRun {
  /** ISO date-time. */
  date: string;
  commit: string;
}

/** One mutated file of a chapter, counted. */
export interface FileMutationView {
  /** Relative to the chapter folder, e.g. `app.ts`. */
  file: string;
  /** `snippet`: the file a reader copies, with a percentage target; `article`/`pitfall`: code shown not to be copied. */
  role: 'snippet' | 'article' | 'pitfall';
  killed: number;
  total: number;
  /** Rounded down: 89.9 % is 89 %. */
  percent: number;
  /** The share (in %) of changes a snippet's claims must notice; absent for article and pitfall code. */
  target?: number;
  /** Survivors that weaken a safety property: every one of them is a miss. */
  safetySurvived: number;
  /** True when the file meets its targets. */
  met: boolean;
  /** The changes no claim noticed, in line order. */
  survivors: MutantResult[];
}

/**
 * A chapter's mutation result as the page shows it: `current` (a saved run whose inputs are
 * identical to this build's), `stale` (the files changed since the run), `untested` (the run did
 * not include the chapter).
 */
export type ChapterMutationView =
  | { state: 'current'; run: MutationRun; baselinePassed: boolean; files: FileMutationView[] }
  | { state: 'stale'; run: MutationRun }
  | { state: 'untested'; run: MutationRun };

/** Every chapter's mutation result, from one saved run (`mutation-results.json`). */
export interface MutationView {
  run: MutationRun;
  /** By chapter id. */
  chapters: Record<string, ChapterMutationView>;
}

/** `2026-11-29 (commit abc1234)`. */
function runText(run: MutationRun): string {
  const commit = run.commit === 'unknown' ? 'unknown commit' : `commit ${esc(run.commit.slice(0, 7))}`;
  return `<time datetime="${esc(run.date)}">${esc(run.date.slice(0, 10))}</time> (${commit})`;
}

/** A description of a change, escaped, its `code` in backticks shown as code. */
function description(text: string): string {
  return escText(text.replace(/\s+/g, ' ').trim()).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** What a file is, after its name: nothing for the snippet. */
const ROLE_TEXT: Record<FileMutationView['role'], string> = {
  snippet: '',
  article: ", the article's code",
  pitfall: ', a pitfall shown on purpose',
};

/** `3 changes`, `1 change`. */
function changes(n: number): string {
  return `${n} change${n === 1 ? '' : 's'}`;
}

/** One file's line: how many changes its claims notice, against its target; a miss said in words. */
function fileLine(f: FileMutationView): string {
  const what = `one-line ${f.total === 1 ? 'change' : 'changes'} to <code>${esc(f.file)}</code>${ROLE_TEXT[f.role]}`;
  const parts = [`Its tests catch ${f.killed} of ${f.total} ${what} (${f.percent} %)`];
  if (f.target !== undefined) parts.push(`target ${f.target} %${f.percent >= f.target ? ', met' : ': <b>missed</b>'}`);
  const weaken = f.safetySurvived === 1 ? 'weakens' : 'weaken';
  parts.push(
    f.safetySurvived > 0
      ? `<b>${changes(f.safetySurvived)} that ${weaken} safety unnoticed</b> (target: none)`
      : 'every change that weakens safety noticed',
  );
  return `<p class="mut${f.met ? '' : ' miss'}"><span aria-hidden="true">${f.met ? '✓' : '✗'} </span>${parts.join(' · ')}</p>`;
}

/** One surviving change: where, what, whether it weakens safety, and its diff. */
function survivorItem(m: MutantResult): string {
  const lines = m.diff.split('\n').map((line) => {
    const text = escText(line);
    if (line.startsWith('- ')) return `<del>${text}</del>`;
    if (line.startsWith('+ ')) return `<ins>${text}</ins>`;
    return text;
  });
  const safety = m.safety ? ' <b>weakens safety</b>' : '';
  return `<p><code>${esc(m.file)}:${m.line}</code> ${description(m.description)}${safety}</p><pre class="diff">${lines.join('\n')}</pre>`;
}

/**
 * A chapter's mutation result, for its claims section: one line per mutated file, where the
 * result comes from, and (folded) every change its claims would not notice. Empty without a view.
 */
export function mutationSection(view: ChapterMutationView | undefined, chapter: Chapter): string {
  if (!view) return '';
  const num = chapterNumber(chapter.number);
  const rerun = `Run <code>npm run mutate -- ${num}</code>.`;
  if (view.state !== 'current') {
    const why =
      view.state === 'stale'
        ? ` for these files: they changed since the mutation run of ${runText(view.run)}`
        : `: the mutation run of ${runText(view.run)} did not include this chapter`;
    return `<div class="mutation"><p class="mut stale"><span aria-hidden="true">– </span>Not mutation-tested${why}. ${rerun}</p></div>`;
  }
  if (!view.baselinePassed) {
    const failed = `in the mutation run of ${runText(view.run)} this chapter's specs failed on its unchanged files`;
    const mark = '<span aria-hidden="true">✗ </span>';
    return `<div class="mutation"><p class="mut miss">${mark}<b>No mutation result</b>: ${failed}, so no change could be judged. ${rerun}</p></div>`;
  }
  const inputs = "this chapter's files, the testkit, the test config, the lockfile and Node";
  const from =
    `<p class="note">From the mutation run of ${runText(view.run)}, inputs identical (${inputs}): ` +
    'each change is one plausible mistake, made alone, and a change is caught when a claim fails.</p>';
  if (view.files.length === 0)
    return `<div class="mutation"><p class="mut">No one-line change was made to this chapter's files.</p>${from}</div>`;
  const survivors = view.files.flatMap((f) => f.survivors);
  const safety = survivors.filter((m) => m.safety).length;
  const unnoticed =
    survivors.length === 0
      ? '<p class="note">What these tests would not notice: nothing; every change made a claim fail.</p>'
      : `<details class="mutants"><summary>What these tests would not notice: ${changes(survivors.length)}${
          safety > 0 ? `, ${safety} weakening safety` : ''
        }</summary>${survivors.map(survivorItem).join('')}</details>`;
  return `<div class="mutation">${view.files.map(fileLine).join('')}${from}${unnoticed}</div>`;
}

/** The index's cell for a chapter: its snippet's score, `out of date` or `not tested`. */
export function mutationCell(view: ChapterMutationView | undefined): string {
  if (!view || view.state === 'untested') return '<td class="count">not tested</td>';
  if (view.state === 'stale') return '<td class="count partial">out of date</td>';
  if (!view.baselinePassed) return '<td class="count failed">no result</td>';
  const snippets = view.files.filter((f) => f.role === 'snippet');
  if (snippets.length === 0) return '<td class="count">–</td>';
  const killed = snippets.reduce((n, f) => n + f.killed, 0);
  const total = snippets.reduce((n, f) => n + f.total, 0);
  const met = view.files.every((f) => f.met);
  return `<td class="count ${met ? 'passed' : 'failed'}">${killed} of ${total}${met ? '' : ' <span class="failed">(missed)</span>'}</td>`;
}

/** The index's total: changes caught across all snippets of chapters with a current result. */
export function mutationTotal(view: MutationView, chapters: Chapter[]): string {
  let killed = 0;
  let total = 0;
  let counted = 0;
  let missed = 0;
  for (const c of chapters) {
    const v = view.chapters[c.id];
    if (v?.state !== 'current' || !v.baselinePassed) continue;
    counted++;
    if (!v.files.every((f) => f.met)) missed++;
    for (const f of v.files) {
      if (f.role !== 'snippet') continue;
      killed += f.killed;
      total += f.total;
    }
  }
  const others = chapters.length - counted;
  if (counted === 0) {
    const stale = `the ${others} chapter${others === 1 ? ' is' : 's are'} out of date or not mutation-tested`;
    const since = `since the mutation run of ${runText(view.run)} (run <code>npm run mutate</code>)`;
    return `<p class="note">No chapter has a current mutation result: ${stale} ${since}.</p>`;
  }
  const pct = total === 0 ? 100 : Math.floor((killed * 100) / total);
  const caught = `<b>${killed} of ${total}</b> one-line changes across all snippets (${pct} %)`;
  const where = `in the ${counted} chapter${counted === 1 ? '' : 's'} with a current mutation result`;
  const misses = missed > 0 ? `; ${missed} of them <b>${missed === 1 ? 'misses' : 'miss'}</b> a target` : '';
  const rest =
    others > 0 ? `; ${others} other${others === 1 ? ' is' : 's are'} out of date or not mutation-tested` : '';
  return `<p class="note">The tests catch ${caught}, ${where}${misses}${rest}. From the mutation run of ${runText(view.run)}.</p>`;
}

/**
 * The results view: each claim (test) of a chapter shown passed, failed or not verified, a badge
 * with the count, and the HTTP evidence each test produced, masked.
 * @module
 */
import type { ChapterResult, ChapterRun, Exchange, TestResult, TestStatus } from '../types.ts';
import { esc, escText, formatDuration } from './html.ts';
import { maskExchanges } from './mask.ts';

/** The counts behind a badge. */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

/** The verdict a tally gives: `failed` when anything failed (or nothing ran), `partial` when some were skipped. */
export type TallyState = 'passed' | 'failed' | 'partial';

/** Counts a chapter's tests; a spec file that failed to load counts as one failure. */
export function tally(result: ChapterResult | undefined): Tally {
  const tests = result?.tests ?? [];
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.filter((t) => t.status === 'failed').length + (result?.fileErrors.length ?? 0);
  const skipped = tests.filter((t) => t.status === 'skipped').length;
  return { passed, failed, skipped, total: passed + failed + skipped };
}

export function tallyState(t: Tally): TallyState {
  if (t.failed > 0 || t.total === 0) return 'failed';
  return t.skipped > 0 ? 'partial' : 'passed';
}

/** Words and marks for a status; never colour alone. */
export const STATUS_TEXT: Record<TestStatus, { mark: string; label: string }> = {
  passed: { mark: '✓', label: 'verified' },
  failed: { mark: '✗', label: 'failed' },
  skipped: { mark: '–', label: 'not verified in this build' },
};

/** `N of M claims verified`, as a badge. */
export function badge(t: Tally): string {
  const extra = [
    t.failed > 0 ? `${t.failed} failed` : '',
    t.skipped > 0 ? `${t.skipped} not verified in this build` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const text =
    t.total === 0
      ? 'no claims verified: no results'
      : `${t.passed} of ${t.total} claims verified${extra ? ` (${extra})` : ''}`;
  return `<p class="badge ${tallyState(t)}">${esc(text)}</p>`;
}

/** The anchor of a chapter's test at `index` (from 0), the same on its page and its evidence page: `claim-3`. */
export function claimId(index: number): string {
  return `claim-${index + 1}`;
}

/** Groups tests by their describe path, keeping the order of first appearance. */
function groups(
  tests: readonly TestResult[],
): Array<{ heading: string; items: Array<{ test: TestResult; index: number }> }> {
  const out: Array<{ heading: string; items: Array<{ test: TestResult; index: number }> }> = [];
  const byHeading = new Map<string, (typeof out)[number]>();
  tests.forEach((test, index) => {
    const heading = test.describe.join(' › ');
    let group = byHeading.get(heading);
    if (!group) {
      group = { heading, items: [] };
      byHeading.set(heading, group);
      out.push(group);
    }
    group.items.push({ test, index });
  });
  return out;
}

/** The page next to a chapter's page that holds the evidence of all its claims. */
export const EVIDENCE_PAGE = 'evidence.html';

/** What a page says about the masking and the folding of its evidence. */
const MASKING_NOTE =
  'Session IDs, signatures, random tokens and dates are masked so the pages are the same after every build; ' +
  'an exchange shown under an earlier claim is not repeated.';

/** `1 HTTP exchange`, `3 HTTP exchanges`. */
function exchanges(count: number): string {
  return `${count} HTTP exchange${count === 1 ? '' : 's'}`;
}

/**
 * A claim's status word, duration and where it is: `verified · 3 ms · app.test.ts:6`,
 * `<b>failed</b> · 12 ms · app.test.ts:6`. The word is text on the page (the stylesheet's mark
 * beside it is decoration), so it reads with styles off, in reader modes and text browsers too.
 */
function claimMeta(test: TestResult): string {
  const where = `${test.file}${test.line ? `:${test.line}` : ''}`;
  const word = STATUS_TEXT[test.status].label;
  return [
    test.status === 'passed' ? word : `<b>${word}</b>`,
    test.status === 'skipped' ? '' : formatDuration(test.durationMs),
    escText(where),
  ]
    .filter(Boolean)
    .join(' · ');
}

/** A claim's class: none for a passed claim (the stylesheet's default mark), `failed` or `skipped`. */
function statusClass(test: TestResult): string {
  return test.status === 'passed' ? '' : ` class="${test.status}"`;
}

/** What happened to a spec file that gave no claims, in words. */
function fileErrorHeading(error: ChapterResult['fileErrors'][number]): string {
  if (error.fault === 'timeout') return `${escText(error.file)} was stopped: its chapter timed out`;
  if (error.fault === 'crash') return `${escText(error.file)} was stopped: its chapter's process died`;
  return `${escText(error.file)} did not run`;
}

/** The spec files that did not run at all (or were stopped), each as a failed item with its error. */
function fileErrorItems(result: ChapterResult | undefined): string[] {
  return (result?.fileErrors ?? []).map((error) => {
    const small = '<small><b>failed</b>: no claim of this file is verified</small>';
    return `<ul><li class="failed">${fileErrorHeading(error)}${small}<pre class="failure">${escText(error.message)}</pre></li></ul>`;
  });
}

/** `These results come from the run of 2026-11-29 21:00 UTC at commit abc123def456.` */
export function runNote(run: ChapterRun | undefined): string {
  if (!run) return '';
  const date = `<time datetime="${esc(run.date)}">${escText(run.date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC'))}</time>`;
  const commit = `<code>${escText(run.commit === 'unknown' ? 'unknown' : run.commit.slice(0, 12))}</code>${run.dirty ? ' (with uncommitted changes)' : ''}`;
  return `<p class="note run-of">These results come from the run of ${date} at commit ${commit}.</p>`;
}

/** The claims grouped under their describe headings: `item` gives each claim's `<li>`. */
function claimList(tests: readonly TestResult[], item: (test: TestResult, index: number) => string): string[] {
  const parts: string[] = [];
  for (const group of groups(tests)) {
    if (group.heading) parts.push(`<h3>${escText(group.heading)}</h3>`);
    parts.push('<ul>');
    for (const { test, index } of group.items) parts.push(item(test, index));
    parts.push('</ul>');
  }
  return parts;
}

/**
 * The "Claims" section of a chapter page: every test by name with its status, duration, where it
 * is and, for a failure, the message. A claim's evidence (the HTTP exchanges it made) is on the
 * chapter's evidence page ({@link EVIDENCE_PAGE}), linked from the claim's name (the script makes
 * the link a button that shows it in place), except a failed claim's, which stays here, open.
 * @param beside HTML shown under the badge, before the claims (the chapter's mutation result)
 */
export function claimsSection(result: ChapterResult | undefined, beside = ''): string {
  const tests = result?.tests ?? [];
  const heading = '<h2>Claims <a class="anchor" href="#claims" aria-label="Link to this section">#</a></h2>';
  const parts: string[] = [`<section class="claims" id="claims">${heading}`, badge(tally(result))];
  if (result?.run) parts.push(runNote(result.run));
  if (beside) parts.push(beside);
  if (!result)
    parts.push('<p class="note">This build has no results for this chapter: none of its claims is verified.</p>');
  if (tests.some((test) => test.exchanges.length > 0)) {
    parts.push(
      '<p class="note">Each claim links to its evidence: the HTTP exchanges its test made, as the server saw them, ' +
        `with session IDs, signatures and dates masked (<a href="${EVIDENCE_PAGE}">all on one page</a>).</p>`,
    );
  }
  parts.push(...fileErrorItems(result));
  parts.push(
    ...claimList(tests, (test, index) => {
      const id = claimId(index);
      const count = test.exchanges.length;
      // A claim's name links to its evidence. Failures are never folded away: a failed claim's
      // evidence stays here, open, and whole (an exchange an earlier claim also made is shown again,
      // not linked: the reader of a failure should not have to go anywhere else).
      const inline = count > 0 && test.status === 'failed';
      const name =
        count > 0 && !inline ? `<a href="${EVIDENCE_PAGE}#${id}">${escText(test.name)}</a>` : escText(test.name);
      let item = `<li${statusClass(test)} id="${id}">${name}<small>${claimMeta(test)}</small>`;
      if (test.failure) item += `<pre class="failure">${escText(test.failure)}</pre>`;
      if (inline) {
        item += `<details class="ev" open><summary>${exchanges(count)}</summary><pre>${evidenceOf([test])[0] as string}</pre></details>`;
      }
      return `${item}</li>`;
    }),
  );
  parts.push('</section>');
  return parts.join('\n');
}

/**
 * The claims with their evidence, for a chapter's evidence page: every claim (`#claim-N`, as on
 * the chapter page) with its status, a link back to it, and its exchanges in full, masked.
 */
export function evidenceSection(result: ChapterResult | undefined): string {
  const tests = result?.tests ?? [];
  const parts: string[] = [
    `<section class="claims" id="evidence"><h2>Claims and their exchanges</h2>`,
    badge(tally(result)),
  ];
  if (result?.run) parts.push(runNote(result.run));
  if (!result)
    parts.push('<p class="note">This build has no results for this chapter: none of its claims is verified.</p>');
  parts.push(
    `<p class="note">Under each claim, the HTTP exchanges its test made, as the server saw them. ${MASKING_NOTE}</p>`,
  );
  parts.push(...fileErrorItems(result));
  const shown = evidenceOf(tests);
  parts.push(
    ...claimList(tests, (test, index) => {
      const id = claimId(index);
      const count = test.exchanges.length;
      const meta = `${claimMeta(test)} · ${count === 0 ? 'no HTTP exchange' : exchanges(count)}`;
      let item = `<li${statusClass(test)} id="${id}"><a href="./#${id}">${escText(test.name)}</a><small>${meta}</small>`;
      if (test.failure) item += `<pre class="failure">${escText(test.failure)}</pre>`;
      if (count > 0) item += `<div class="ev"><pre>${shown[index] as string}</pre></div>`;
      return `${item}</li>`;
    }),
  );
  parts.push('</section>');
  return parts.join('\n');
}

/** Long header values (a 4 KB cookie) are cut for display. */
function cut(value: string, max = 160): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
}

/** One exchange as a short transcript: request line and headers, status, response headers, body. */
export function transcript(e: Exchange): string {
  const lines: string[] = [`<b>${escText(e.method)} ${escText(cut(e.path))}</b>`];
  if (e.cookie !== undefined) lines.push(`Cookie: ${escText(cut(e.cookie))}`);
  for (const [name, value] of Object.entries(e.headers ?? {})) lines.push(`${escText(name)}: ${escText(cut(value))}`);
  lines.push(`<b>→ ${e.status}</b>`);
  for (const line of e.setCookie) lines.push(`Set-Cookie: ${escText(cut(line, 240))}`);
  if (e.location !== undefined) lines.push(`Location: ${escText(cut(e.location))}`);
  const body = e.body.trim();
  if (body) lines.push(`<samp>${escText(cut(body.replace(/\s+/g, ' '), 200))}</samp>`);
  return lines.join('\n');
}

/**
 * Each claim's evidence: its exchanges, masked, as the inner HTML of one `<pre>` (undefined for a
 * claim without exchanges). Repeats are folded: consecutive identical exchanges are shown once with
 * their count, and an exchange already shown under an earlier claim is reduced to its request and
 * status line with a link to that claim (`#claim-N`).
 */
export function evidenceOf(tests: readonly TestResult[]): Array<string | undefined> {
  const shown = new Map<string, number>();
  return tests.map((test, index) => {
    if (test.exchanges.length === 0) return undefined;
    const claim = index + 1;
    const blocks: string[] = [];
    const texts = maskExchanges(test.exchanges).map((e) => ({ e, text: transcript(e) }));
    for (let i = 0; i < texts.length; ) {
      const { e, text } = texts[i] as { e: Exchange; text: string };
      let n = 1;
      while (texts[i + n]?.text === text) n++;
      i += n;
      const times = n > 1 ? `\n(this exchange ${n} times)` : '';
      const earlier = shown.get(text);
      if (earlier !== undefined && earlier !== claim) {
        const line = `<b>${escText(e.method)} ${escText(cut(e.path))} → ${e.status}</b>`;
        blocks.push(`${line} as under <a href="#${claimId(earlier - 1)}">claim ${earlier}</a>${times}`);
      } else {
        shown.set(text, claim);
        blocks.push(text + times);
      }
    }
    return blocks.join('\n\n');
  });
}

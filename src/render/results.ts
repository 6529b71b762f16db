/**
 * The results view: each claim (test) of a chapter shown passed, failed or not verified, a badge
 * with the count, and the HTTP evidence each test produced, masked.
 * @module
 */
import type { ChapterResult, Exchange, TestResult, TestStatus } from '../types.ts';
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
  const extra = [t.failed > 0 ? `${t.failed} failed` : '', t.skipped > 0 ? `${t.skipped} not verified in this build` : ''].filter(Boolean).join(', ');
  const text = t.total === 0 ? 'no claims verified: no results' : `${t.passed} of ${t.total} claims verified${extra ? ` (${extra})` : ''}`;
  return `<p class="badge ${tallyState(t)}">${esc(text)}</p>`;
}

/** Ids for a chapter's tests, by position: `claim-3`. */
export function claimIds(tests: readonly TestResult[]): string[] {
  return tests.map((_, index) => `claim-${index + 1}`);
}

/** Groups tests by their describe path, keeping the order of first appearance. */
function groups(tests: readonly TestResult[]): Array<{ heading: string; items: Array<{ test: TestResult; index: number }> }> {
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

/**
 * The "Claims" section: every test by name with its status, duration, where it is and, for a
 * failure, the message; under each claim, folded, the HTTP exchanges it made (its evidence; open
 * when the claim failed).
 */
export function claimsSection(result: ChapterResult | undefined): string {
  const tests = result?.tests ?? [];
  const ids = claimIds(tests);
  const t = tally(result);
  const parts: string[] = [`<section class="claims" id="claims"><h2>Claims <a class="anchor" href="#claims" aria-label="Link to this section">#</a></h2>`, badge(t)];
  if (!result) parts.push('<p class="note">This build has no results for this chapter: none of its claims is verified.</p>');
  if (tests.some((test) => test.exchanges.length > 0)) {
    parts.push('<p class="note">Under each claim, its evidence: the HTTP exchanges the test made, as the server saw them. Session IDs, signatures, random tokens and dates are masked so this page is the same after every build; an exchange shown under an earlier claim is not repeated.</p>');
  }
  for (const error of result?.fileErrors ?? []) {
    parts.push(`<ul><li class="failed">${escText(error.file)} did not run<small><b>failed</b>: no claim of this file is verified</small><pre class="failure">${escText(error.message)}</pre></li></ul>`);
  }
  const shown = new Map<string, number>();
  for (const group of groups(tests)) {
    if (group.heading) parts.push(`<h3>${escText(group.heading)}</h3>`);
    parts.push('<ul>');
    for (const { test, index } of group.items) {
      const { label } = STATUS_TEXT[test.status];
      const where = `${test.file}${test.line ? `:${test.line}` : ''}`;
      const meta = [`<b>${label}</b>`, test.status === 'skipped' ? '' : formatDuration(test.durationMs), escText(where)].filter(Boolean).join(' · ');
      let item = `<li class="${test.status}" id="${ids[index]}">${escText(test.name)}<small>${meta}</small>`;
      if (test.failure) item += `<pre class="failure">${escText(test.failure)}</pre>`;
      item += evidence(test, index + 1, shown);
      parts.push(`${item}</li>`);
    }
    parts.push('</ul>');
  }
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
 * A claim's evidence: its exchanges, masked, in one `<pre>`, folded in a `<details>` (open for a
 * failed claim). Repeats are folded: consecutive identical exchanges are shown once with their count,
 * and an exchange already shown under an earlier claim of the page is reduced to its request and
 * status line with a link to that claim. `shown` maps transcripts to the claim that showed them.
 */
function evidence(test: TestResult, claim: number, shown: Map<string, number>): string {
  if (test.exchanges.length === 0) return '';
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
      blocks.push(`<b>${escText(e.method)} ${escText(cut(e.path))} → ${e.status}</b> as under <a href="#claim-${earlier}">claim ${earlier}</a>${times}`);
    } else {
      shown.set(text, claim);
      blocks.push(text + times);
    }
  }
  const count = test.exchanges.length;
  return `<details class="ev"${test.status === 'failed' ? ' open' : ''}><summary>${count} HTTP exchange${count === 1 ? '' : 's'}</summary><pre>${blocks.join('\n\n')}</pre></details>`;
}

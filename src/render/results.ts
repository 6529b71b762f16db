/**
 * The results view: each claim (test) of a chapter shown passed, failed or not verified, a badge
 * with the count, and the HTTP evidence each test produced, masked.
 * @module
 */
import type { ChapterResult, Exchange, TestResult, TestStatus } from '../types.ts';
import { esc, formatDuration } from './html.ts';
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

/** Ids for a chapter's tests, by position: `claim-3`, with its evidence at `evidence-3`. */
export function claimIds(tests: readonly TestResult[]): string[] {
  return tests.map((_, index) => `claim-${index + 1}`);
}

/** Groups tests by their describe path, keeping the order of first appearance. */
function groups(tests: readonly TestResult[]): Array<{ heading: string; items: Array<{ test: TestResult; index: number }> }> {
  const out: Array<{ heading: string; items: Array<{ test: TestResult; index: number }> }> = [];
  tests.forEach((test, index) => {
    const heading = test.describe.join(' › ');
    let group = out.find((g) => g.heading === heading);
    if (!group) {
      group = { heading, items: [] };
      out.push(group);
    }
    group.items.push({ test, index });
  });
  return out;
}

/** The "Claims" section: every test by name with its status, duration and, for a failure, the message. */
export function claimsSection(result: ChapterResult | undefined): string {
  const tests = result?.tests ?? [];
  const ids = claimIds(tests);
  const t = tally(result);
  const parts: string[] = [`<section class="claims" id="claims"><h2>Claims <a class="anchor" href="#claims" aria-label="Link to this section">#</a></h2>`, badge(t)];
  if (!result) parts.push('<p class="note">This build has no results for this chapter: none of its claims is verified.</p>');
  for (const error of result?.fileErrors ?? []) {
    parts.push(`<div class="claim failed"><i aria-hidden="true">✗</i> ${esc(error.file)} did not run<small><b>failed</b>: no claim of this file is verified</small><pre class="failure">${esc(error.message)}</pre></div>`);
  }
  for (const group of groups(tests)) {
    if (group.heading) parts.push(`<h3>${esc(group.heading)}</h3>`);
    parts.push('<ul class="claim-list">');
    for (const { test, index } of group.items) {
      const id = ids[index] as string;
      const { mark, label } = STATUS_TEXT[test.status];
      const where = `${test.file}${test.line ? `:${test.line}` : ''}`;
      const meta = [
        `<b>${label}</b>`,
        test.status === 'skipped' ? '' : formatDuration(test.durationMs),
        esc(where),
        test.exchanges.length > 0 ? `<a href="#evidence-${index + 1}">evidence</a>` : '',
      ].filter(Boolean).join(' · ');
      parts.push(`<li class="claim ${test.status}" id="${id}"><i aria-hidden="true">${mark}</i> ${esc(test.name)}<small>${meta}</small>`);
      if (test.failure) parts.push(`<pre class="failure">${esc(test.failure)}</pre>`);
      parts.push('</li>');
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

/** One exchange as a short transcript. */
export function transcript(e: Exchange): string {
  const lines: string[] = [`<b>${esc(e.method)} ${esc(cut(e.path))}</b>`];
  if (e.cookie !== undefined) lines.push(`Cookie: ${esc(cut(e.cookie))}`);
  for (const [name, value] of Object.entries(e.headers ?? {})) lines.push(`${esc(name)}: ${esc(cut(value))}`);
  lines.push(`<b>→ ${e.status}</b>`);
  for (const line of e.setCookie) lines.push(`Set-Cookie: ${esc(cut(line, 240))}`);
  if (e.location !== undefined) lines.push(`Location: ${esc(cut(e.location))}`);
  const body = e.body.trim();
  if (body) lines.push(`<span class="body">${esc(cut(body.replace(/\s+/g, ' '), 200))}</span>`);
  return lines.join('\n');
}

/** The "Evidence" section: each test's HTTP exchanges, masked so the page is the same from run to run. */
export function evidenceSection(result: ChapterResult | undefined): string {
  const tests = result?.tests ?? [];
  const ids = claimIds(tests);
  const items = tests
    .map((test, index) => ({ test, id: ids[index] as string, n: index + 1 }))
    .filter(({ test }) => test.exchanges.length > 0);
  if (items.length === 0) return '';
  const parts = [
    `<section class="evidence" id="evidence" data-pagefind-ignore><h2>Evidence <a class="anchor" href="#evidence" aria-label="Link to this section">#</a></h2>`,
    '<p class="note">The HTTP exchanges each test made, as the server saw them. Session IDs, signatures, random tokens and dates are masked so this page is the same after every build.</p>',
  ];
  for (const { test, id, n } of items) {
    const exchanges = maskExchanges(test.exchanges);
    parts.push(`<div class="exchanges ${test.status}" id="evidence-${n}"><h3><i aria-hidden="true">${STATUS_TEXT[test.status].mark}</i> <a href="#${id}">${esc(test.name)}</a></h3>`);
    parts.push(`<ol>${exchanges.map((e) => `<li><pre>${transcript(e)}</pre></li>`).join('')}</ol></div>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

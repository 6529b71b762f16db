/**
 * Search as a reader uses it (issue 13, items 3 and 4): the real chapters built into a temporary
 * site with its pagefind index (chapter 01's specs run, so its claims carry a status; the other
 * chapters are rendered without results), served locally and searched in headless Chromium.
 * Result titles without the heading anchors' "#", claim statuses kept out of the text, a nonsense
 * word finds nothing, results link to sections, the keyboard reaches and drives the box (a
 * combobox over a list box, announced), and adding the box shifts nothing. Also the filter that
 * undoes pagefind's backtracking, as a pure function of assets/search.js.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { launchBrowser } from '../src/testkit/browser.ts';
import { type BuiltSite, buildAndServe } from './built-site.ts';
import type { Chapter, TestResult, Verification } from '../src/types.ts';
// @ts-expect-error: the site's own script, plain JavaScript with no types
import { queryTerms, related } from '../src/render/assets/search.js';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'search-browser-'));
const out = join(work, 'site');
/** A limit for a hung browser on a loaded 2-core machine (several pages, each loading pagefind, at once), not a race. */
const LIMIT = 180_000;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let chapters: Chapter[];
let verification: Verification;
let browser: Browser;
let launching: Promise<Browser> | undefined;
let site: BuiltSite | undefined;
let base: string;

beforeAll(async () => {
  chapters = findChapters(join(root, 'chapters'), root);
  launching = launchBrowser();
  site = await buildAndServe({ root, chapters, out, api: false });
  verification = site.verification;
  base = site.base;
  browser = await launching;
}, 300_000); // a vitest run, pagefind and Chromium: generous for a loaded machine, not a race

afterAll(async () => {
  await (await launching?.catch(() => undefined))?.close(); // launched even if the build failed
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens `path`, recording console errors and page errors. */
async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // Layout shifts are recorded from the start, as they happen (through the DevTools protocol: the CSP does not apply).
  await page.addInitScript(() => {
    const w = window as unknown as { shifts: number };
    w.shifts = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.shifts += (entry as unknown as { value: number }).value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(base + path, { waitUntil: 'load' });
  await page.locator('#search-input').waitFor();
  return { page, errors };
}

interface Shown {
  status: string;
  options: Array<{ id: string; title: string; text: string; href: string; section: boolean }>;
  panel: string;
}

/** Types `query` into the box and waits for the status line to report on it (emptied first, so an earlier answer does not count). */
async function search(page: Page, query: string): Promise<Shown> {
  const status = page.locator('.search [role=status]');
  await page.fill('#search-input', '');
  const said = (empty: boolean) =>
    page.waitForFunction(
      (empty) => (document.querySelector('.search [role=status]')?.textContent === '') === empty,
      empty,
      { timeout: 0 },
    );
  await said(true);
  await page.fill('#search-input', query);
  await said(false); // the index loads and answers: bounded by the test's limit
  const options = await page.locator('.search-results [role=option]').evaluateAll((els) =>
    els.map((a) => ({
      id: a.id,
      title: a.querySelector('b')?.textContent ?? '',
      text: a.textContent ?? '',
      href: a.getAttribute('href') ?? '',
      section: a.classList.contains('section'),
    })),
  );
  return {
    status: (await status.textContent()) ?? '',
    options,
    panel: (await page.locator('.search-results').textContent()) ?? '',
  };
}

describe('the filter that undoes pagefind backtracking (pure)', () => {
  test('a word of the page is related to the query word if it begins with it or differs by an ending the stemmer removes; a cut-down query word is not', () => {
    expect(related('cookie', 'cookie')).toBe(true);
    expect(related('cookies', 'cook')).toBe(true); // typed so far
    expect(related('cookie', 'cookies')).toBe(true);
    expect(related('run', 'running')).toBe(true);
    expect(related('verify', 'verified')).toBe(true);
    expect(related('x', 'xyzzy')).toBe(false); // curl's -X, what pagefind finds for "xyzzy"
    expect(related('h', 'happy')).toBe(false);
    expect(related('path', 'pathx')).toBe(false);
    expect(related('music', 'musk')).toBe(false);
  });

  test('query words are taken as pagefind takes them: lower case, punctuation dropped', () => {
    expect(queryTerms('  Express-Session  res.cookie() ')).toEqual(['expresssession', 'rescookie']);
    expect(queryTerms('“ ”')).toEqual([]);
  });
});

describe.concurrent('search in Chromium', () => {
  test(
    'result titles are the headings without the anchor\'s "#", for pages and for sections',
    async () => {
      const { page, errors } = await open('');
      const { options } = await search(page, 'cookie');
      expect(options.length).toBeGreaterThan(3);
      for (const option of options) {
        expect(option.title, option.href).not.toMatch(/#\s*$/);
        expect(option.title.trim()).not.toBe('');
      }
      // The chapters' own titles, as the pages give them.
      const titles = new Set(chapters.map((c) => c.meta.title));
      expect(options.filter((o) => !o.section && titles.has(o.title)).length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LIMIT,
  );

  test(
    "a claim's status, time and place stay out of the text searched: its name is not run into 'verified'",
    async () => {
      const { page } = await open('');
      const chapter = chapters[0] as Chapter;
      const claim = verification.chapters[0]?.tests.find(
        (t: TestResult) => t.status === 'passed' && /^[\w ,'-]+$/.test(t.name) && t.name.split(' ').length >= 4,
      ) as TestResult;
      expect(claim, 'chapter 01 has a passed claim').toBeDefined();
      // What pagefind holds for chapter 01's page: its text as indexed.
      // (A string, not a function: vitest would rewrite the function's import().)
      const lookup = `(async () => {
      const pf = await import('/pagefind/pagefind.js');
      await pf.options({ baseUrl: '/' });
      const found = await pf.search(${JSON.stringify(claim.name)});
      const pages = await Promise.all(found.results.map((r) => r.data()));
      return pages.find((p) => p.url === ${JSON.stringify(`/${chapter.id}/`)})?.content ?? '';
    })()`;
      const content = (await page.evaluate(lookup)) as string;
      expect(content).toContain(claim.name);
      expect(content).not.toMatch(/\S(verified|fails|failed)\s·/);
      expect(content).not.toMatch(/\d+ ms · /);
      expect(content).not.toContain(`${claim.file}:${claim.line}`);
      // And as the reader sees it: no result text has the name glued to a status.
      const { options } = await search(page, claim.name);
      expect(options.some((o) => o.href.startsWith(`/${chapter.id}/`))).toBe(true);
      for (const option of options) expect(option.text).not.toMatch(/[\p{L})](verified|failed)\b/u);
      await page.close();
    },
    LIMIT,
  );

  test(
    'a nonsense word says "No results", with no result links; a word in the text still finds its pages',
    async () => {
      const { page, errors } = await open(`${chapters[0]?.id}/`);
      for (const query of ['xyzzy', 'happy', 'cookie pathx']) {
        const shown = await search(page, query);
        expect({ query, status: shown.status, options: shown.options.length }).toEqual({
          query,
          status: 'No results',
          options: 0,
        });
        expect(shown.panel).toContain(`No results for “${query}”`);
        expect(await page.getAttribute('#search-input', 'aria-expanded')).toBe('false');
      }
      const found = await search(page, 'cookies');
      expect(found.status).toMatch(/^[1-8] pages? found/);
      expect(found.options.length).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    LIMIT,
  );

  test(
    'results link to sections: links with a #fragment under their page, each leading to a heading of that id',
    async () => {
      const { page } = await open('');
      const { options } = await search(page, 'express-session');
      const sections = options.filter((o) => o.section);
      expect(sections.length).toBeGreaterThan(2);
      for (const section of sections) expect(section.href).toMatch(/^\/\d\d-[a-z0-9-]+\/#[a-z0-9-]+$/);
      // Every section follows a page result of the same page.
      options.forEach((option, i) => {
        if (!option.section) return;
        const page = options
          .slice(0, i)
          .reverse()
          .find((o) => !o.section);
        expect(option.href.startsWith(page?.href ?? '?'), option.href).toBe(true);
      });
      const target = sections[0] as Shown['options'][number];
      await page.click(`#${target.id}`);
      await page.waitForURL((url) => url.pathname + url.hash === target.href);
      const id = decodeURIComponent(target.href.split('#')[1] as string);
      expect(await page.evaluate((id) => document.getElementById(id)?.tagName, id)).toMatch(/^H[1-6]$/);
      await page.close();
    },
    LIMIT,
  );

  test(
    '"/" and Ctrl+K go to the box (not from another field); arrows move through the results, Enter opens one, Escape closes them',
    async () => {
      const { page, errors } = await open(`${chapters[1]?.id}/`);
      const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
      await page.keyboard.press('/');
      expect(await focused()).toBe('search-input');
      expect(await page.inputValue('#search-input')).toBe(''); // the "/" is not typed
      await page.evaluate(() => (document.activeElement as HTMLElement).blur());
      await page.keyboard.press('Control+k');
      expect(await focused()).toBe('search-input');
      // Typing "/" in another field types it.
      await page.evaluate(() => {
        const field = document.body.appendChild(Object.assign(document.createElement('textarea'), { id: 'other' }));
        field.focus();
      });
      await page.keyboard.press('/');
      expect(await focused()).toBe('other');
      expect(await page.inputValue('#other')).toBe('/');
      await page.keyboard.press('Control+k');
      expect(await focused()).toBe('other');

      await page.focus('#search-input');
      const { options, status } = await search(page, 'session');
      expect(status).toMatch(/^[2-8] pages found/);
      expect(options.length).toBeGreaterThan(2);
      const input = page.locator('#search-input');
      expect(await input.getAttribute('role')).toBe('combobox');
      expect(await input.getAttribute('aria-expanded')).toBe('true');
      const listbox = page.locator(`#${await input.getAttribute('aria-controls')}`);
      expect(await listbox.getAttribute('role')).toBe('listbox');
      const active = () => input.getAttribute('aria-activedescendant');
      const selected = () =>
        page.locator('[role=option][aria-selected=true]').evaluateAll((els) => els.map((e) => e.id));
      await page.keyboard.press('ArrowDown');
      expect(await active()).toBe(options[0]?.id);
      expect(await selected()).toEqual([options[0]?.id]);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      expect(await active()).toBe(options[1]?.id);
      expect(await selected()).toEqual([options[1]?.id]);
      expect(await focused()).toBe('search-input'); // the focus stays in the box
      // Escape closes the results and keeps the text; a second Escape empties the box.
      await page.keyboard.press('Escape');
      expect(await input.getAttribute('aria-expanded')).toBe('false');
      expect(await page.locator('.search-results').isVisible()).toBe(false);
      expect(await input.inputValue()).toBe('session');
      await page.keyboard.press('Escape');
      expect(await input.inputValue()).toBe('');
      // Enter opens the chosen result.
      const again = await search(page, 'session');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const chosen = again.options[1] as Shown['options'][number];
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname + url.hash === chosen.href);
      expect(errors).toEqual([]);
      await page.close();
    },
    LIMIT,
  );

  test(
    'the open results pass axe-core (combobox, list box, options, contrast) and the count is in a live status line',
    async () => {
      const { page } = await open(`${chapters[0]?.id}/`);
      await page.focus('#search-input');
      const { status } = await search(page, 'cookie');
      expect(await page.locator('.search [role=status]').textContent()).toBe(status);
      await page.keyboard.press('ArrowDown');
      await page.evaluate(AXE); // through the DevTools protocol: the page's CSP does not apply
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                context: string,
              ) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
            };
          }
        ).axe;
        const result = await axe.run('.search');
        return result.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
      });
      expect(violations).toEqual([]);
      await page.close();
    },
    LIMIT,
  );

  test.each([
    ['a phone', { width: 390, height: 844 }],
    ['a desktop', { width: 1280, height: 900 }],
  ])(
    'adding the search box shifts nothing on %s (cumulative layout shift 0)',
    async (_, viewport) => {
      const { page } = await open(`${chapters[14]?.id ?? chapters[0]?.id}/`, viewport);
      // Two frames after the box is in: any shift it caused has been laid out and recorded.
      const shift = await page.evaluate(
        () =>
          new Promise<number>((resolve) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() => resolve((window as unknown as { shifts: number }).shifts)),
            ),
          ),
      );
      expect(shift).toBe(0);
      expect(await page.locator('.search input').isVisible()).toBe(true);
      await page.close();
    },
    LIMIT,
  );
});

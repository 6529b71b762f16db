/**
 * The reader's handbook (issue 13, items 1, 3 and 5, and the licence footer) in Chromium: on a
 * phone (390 × 844) the chapter's title comes before the chapter list, which folds into a
 * "Chapters" line that opens without JavaScript and with the keyboard; the index table shows that
 * it scrolls and its last columns can be reached; the search box the script adds moves nothing;
 * long chapters have an "On this page" list (near the top on a phone, beside the text at 1280 px);
 * heading anchors are reached with Tab and seen when focused; printed, a chapter loses its
 * navigation and buttons and no code line is cut at the margin; every page's footer states the
 * licences.
 *
 * The real chapters are rendered without results (layout does not depend on them: their claims
 * show "not verified in this build"), written with the search index (Tab passes the search box,
 * which loads it), served locally.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { licenceUrl } from '../src/render/layout.ts';
import { readSiteConfig, type SiteConfig } from '../src/site-config.ts';
import { launchBrowser } from '../src/testkit/browser.ts';
import { type BuiltSite, buildAndServe } from './built-site.ts';
import type { Chapter, Verification } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'handbook-browser-'));
const out = join(work, 'site');

const PHONE = { width: 390, height: 844 };
const WIDE = { width: 1280, height: 900 };
/** A4 at 96 dpi is 794 px wide; the print stylesheet's @page margins are 1.5 cm (57 px) a side. */
const A4_TEXT_WIDTH = 794 - 2 * 57;

let chapters: Chapter[];
let browser: Browser;
let launching: Promise<Browser> | undefined;
let site: BuiltSite | undefined;
let base: string;
/** Chapter 15, the longest: the id of its folder. */
let long: string;
/** The project's own configuration (package.json's repository; no base URL). */
let config: SiteConfig;

beforeAll(async () => {
  launching = launchBrowser();
  chapters = findChapters(join(root, 'chapters'), root);
  long = (chapters.find((c) => c.number === 15) as Chapter).id;
  const verification: Verification = {
    run: {
      versions: { node: process.versions.node, express: '5', 'express-session': '1', 'cookie-parser': '1' },
      date: '2026-01-01T00:00:00.000Z',
      commit: 'unknown',
      dirty: false,
    },
    chapters: [],
  };
  config = readSiteConfig(root, {});
  site = await buildAndServe({ root, chapters, out, api: false, verification, config });
  base = site.base;
  browser = await launching;
}, 180_000); // shiki, 21 chapters and Chromium on a loaded machine: a limit for a hang, not a race

afterAll(async () => {
  await (await launching?.catch(() => undefined))?.close();
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `f` with a page of a new context (closed after), errors on the console failing the test. */
async function withPage<T>(
  options: Parameters<Browser['newContext']>[0],
  f: (page: Page, context: BrowserContext) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext(options);
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const result = await f(page, context);
    expect(errors).toEqual([]);
    return result;
  } finally {
    await context.close();
  }
}

/** Presses Tab until the focused element matches `selector` (at most `max` times); returns how many presses it took. */
async function tabTo(page: Page, selector: string, max = 40): Promise<number> {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return n;
  }
  throw new Error(`${max} presses of Tab never reached ${selector}`);
}

const visible = (page: Page, selector: string) => page.locator(selector).first().isVisible();

// Independent tests (each its own context) at once in the one browser; each limit is for a hang on a
// loaded 2-core machine (dozens of page loads and key presses), not a race.
describe.concurrent('the handbook on a phone, a wide screen and paper', { timeout: 180_000 }, () => {
  test('on a phone the chapter title comes first: the chapter list is one "Chapters" line that opens with a click, with or without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      await withPage({ viewport: PHONE, javaScriptEnabled }, async (page) => {
        await page.goto(`${base}${long}/`);
        const title = await page.locator('main h1').boundingBox();
        expect(title?.y, `JavaScript ${javaScriptEnabled}`).toBeLessThan(PHONE.height / 2);
        expect(await visible(page, '.sidebar a[aria-current]')).toBe(false);
        const summary = page.locator('.side > summary');
        expect((await summary.boundingBox())?.y).toBeLessThan(title?.y ?? 0);
        await summary.click();
        expect(await visible(page, '.sidebar a[aria-current]')).toBe(true);
        expect(await page.locator('.sidebar li').count()).toBe(chapters.length);
      });
    }
  });

  test('on a phone the chapter list opens and is walked with the keyboard alone', async () => {
    await withPage({ viewport: PHONE }, async (page) => {
      await page.goto(`${base}${long}/`);
      await tabTo(page, '.side > summary');
      await page.keyboard.press('Enter');
      expect(await page.locator('.side').getAttribute('open')).not.toBeNull();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Contents');
      await page.keyboard.press('Tab');
      const first = chapters[0] as Chapter;
      expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(`../${first.id}/`);
    });
  });

  test('on a wide screen the chapter list is shown beside the text without being opened, and its summary line is not there', async () => {
    await withPage({ viewport: WIDE, javaScriptEnabled: false }, async (page) => {
      await page.goto(`${base}${long}/`);
      expect(await page.locator('.side').getAttribute('open')).toBeNull();
      expect(await visible(page, '.side > summary')).toBe(false);
      expect(await visible(page, '.sidebar a[aria-current]')).toBe(true);
      const current = await page.locator('.sidebar a[aria-current]').boundingBox();
      const main = await page.locator('main').boundingBox();
      expect(current).not.toBeNull();
      // Rendered, not only laid out: what is at its centre is the link.
      const hit = await page.evaluate(
        ({ x, y }) => document.elementFromPoint(x, y)?.closest('a')?.getAttribute('aria-current'),
        {
          x: (current?.x ?? 0) + (current?.width ?? 0) / 2,
          y: (current?.y ?? 0) + (current?.height ?? 0) / 2,
        },
      );
      expect(hit).toBe('page');
      expect((current?.x ?? 0) + (current?.width ?? 0)).toBeLessThanOrEqual(main?.x ?? 0);
      expect(
        await page
          .locator('main h1')
          .boundingBox()
          .then((b) => b?.y),
      ).toBeLessThan(250);
    });
  });

  test("a long chapter's 'On this page' lists its h2 and h3 headings: near the top on a phone (opened with the keyboard), beside the text at 1280 px", async () => {
    await withPage({ viewport: PHONE }, async (page) => {
      await page.goto(`${base}${long}/`);
      // A heading's anchor is its own id, or its section's (the claims, "How this is verified").
      const headings = await page
        .locator('main h2, main h3')
        .evaluateAll((hs) => hs.map((h) => `#${h.id || h.closest('section')?.id}`));
      const links = await page.locator('.toc a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(links).toEqual(headings);
      expect(links.length).toBeGreaterThan(5);
      const summary = await page.locator('.toc > summary').boundingBox();
      expect(summary?.y).toBeLessThan((await page.locator('main h1').boundingBox())?.y ?? 0);
      expect(await visible(page, '.toc a')).toBe(false);
      await tabTo(page, '.toc > summary');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(links[0]);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`${links[0]}$`));
    });
    await withPage({ viewport: WIDE }, async (page) => {
      await page.goto(`${base}${long}/`);
      const toc = await page.locator('.toc nav').boundingBox();
      const text = await page.locator('main .prose').boundingBox();
      expect(await visible(page, '.toc a')).toBe(true);
      expect(toc?.x).toBeGreaterThanOrEqual((text?.x ?? 0) + (text?.width ?? 0));
      expect(toc?.y).toBeLessThan(WIDE.height / 3);
    });
  });

  test('heading anchors are in the tab order, seen when focused, and named', async () => {
    for (const viewport of [PHONE, WIDE]) {
      await withPage({ viewport }, async (page) => {
        await page.goto(`${base}${long}/`);
        const anchor = page.locator('main h2 .anchor').first();
        expect(await anchor.evaluate((a) => getComputedStyle(a).opacity)).toBe('0');
        await tabTo(page, 'main h2 .anchor', 80);
        const focused = await page.evaluate(() => {
          const a = document.activeElement as HTMLElement;
          const style = getComputedStyle(a);
          return {
            opacity: style.opacity,
            visibility: style.visibility,
            name: a.getAttribute('aria-label'),
            href: a.getAttribute('href'),
          };
        });
        expect(focused).toEqual({
          opacity: '1',
          visibility: 'visible',
          name: 'Link to this section',
          href: expect.stringMatching(/^#./),
        });
      });
    }
  });

  test('on a phone the index table says it scrolls, is scrolled with the keyboard, and its Verdict and Verified columns can be reached', async () => {
    await withPage({ viewport: PHONE }, async (page) => {
      await page.goto(base);
      const table = page.locator('.table');
      const sizes = await table.evaluate((t) => ({ scroll: t.scrollWidth, client: t.clientWidth }));
      expect(sizes.scroll).toBeGreaterThan(sizes.client);
      expect(await visible(page, '.scroll-cue')).toBe(true);
      expect(await page.locator('.scroll-cue').textContent()).toMatch(/scroll/i);
      await tabTo(page, '.table', 80);
      for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
      expect(await table.evaluate((t) => t.scrollLeft)).toBeGreaterThan(0);
      await table.evaluate((t) => t.scrollTo({ left: t.scrollWidth }));
      for (const name of ['Verdict', 'Verified']) {
        const box = await page.locator('.table th', { hasText: name }).boundingBox();
        expect(box, name).not.toBeNull();
        expect(box?.x, name).toBeGreaterThanOrEqual(0);
        expect((box?.x ?? 0) + (box?.width ?? 0), name).toBeLessThanOrEqual(PHONE.width);
      }
    });
    await withPage({ viewport: WIDE }, async (page) => {
      await page.goto(base);
      expect(await visible(page, '.scroll-cue')).toBe(false);
    });
  });

  test('the search box the script adds moves nothing: the page is laid out the same with and without it, and its layout shift is under 0.01', async () => {
    for (const viewport of [PHONE, WIDE]) {
      for (const path of ['', `${long}/`]) {
        const without = await withPage({ viewport, javaScriptEnabled: false }, async (page) => {
          await page.goto(base + path);
          return page.locator('main h1').boundingBox();
        });
        const shift = await withPage({ viewport }, async (page) => {
          await page.addInitScript(() => {
            const w = window as unknown as { shift: number };
            w.shift = 0;
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) w.shift += (entry as unknown as { value: number }).value;
            }).observe({ type: 'layout-shift', buffered: true });
          });
          await page.goto(base + path);
          await page.locator('.search input').waitFor();
          expect(await page.locator('main h1').boundingBox(), `${viewport.width} px /${path}`).toEqual(without);
          // The observer reports shifts after a frame: wait for two.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          return page.evaluate(() => (window as unknown as { shift: number }).shift);
        });
        expect(shift, `${viewport.width} px /${path}`).toBeLessThan(0.01);
      }
    }
  });

  test('printed, chapter 15 has no navigation, search, copy buttons or anchors, every code line wraps inside the A4 text width, and page.pdf() makes an A4 PDF', async () => {
    await withPage({ viewport: { width: A4_TEXT_WIDTH, height: 1100 } }, async (page) => {
      await page.goto(`${base}${long}/`);
      await page.locator('.search input').waitFor();
      await page.locator('button.copy').first().waitFor();
      await page.emulateMedia({ media: 'print' });
      for (const hidden of ['.side', '.toc', '.search', 'button.copy', '.pager', 'main h2 .anchor']) {
        expect(await visible(page, hidden), hidden).toBe(false);
      }
      const pres = await page
        .locator('main pre')
        .evaluateAll((ps) =>
          ps
            .filter((p) => p.getClientRects().length > 0)
            .map((p) => ({ text: (p.textContent ?? '').slice(0, 60), scroll: p.scrollWidth, client: p.clientWidth })),
        );
      expect(pres.length).toBeGreaterThan(5);
      expect(pres.filter((p) => p.scroll > p.client)).toEqual([]);
      // The body fits too: nothing wider than the paper.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(A4_TEXT_WIDTH);
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(20_000);
      expect(pdf.length).toBeLessThan(20_000_000);
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
      expect(pages.length).toBeGreaterThan(3);
      expect(pages.length).toBeLessThan(120);
    });
  });

  test("every page's footer states the licences in one line and links the LICENSE file in the repository", async () => {
    const licence = licenceUrl(config.repository);
    await withPage({ viewport: PHONE, javaScriptEnabled: false }, async (page) => {
      for (const path of ['', `${long}/`, `${long}/evidence.html`]) {
        await page.goto(base + path);
        const line = page.locator('footer .licence');
        expect(await line.textContent(), path).toBe('Code and snippets: 0BSD. Prose: CC BY 4.0. See LICENSE.');
        // package.json names the repository: the file is linked there (the page has no LICENSE of its own).
        expect(licence).toMatch(/^https:\/\/.+\/LICENSE$/);
        expect(await line.locator('a').getAttribute('href'), path).toBe(licence);
        const box = await line.boundingBox();
        // One line on a phone: no taller than two lines of its text would be.
        expect(box?.height, path).toBeLessThan(2 * 0.85 * 16 * 1.6);
      }
    });
  });
});

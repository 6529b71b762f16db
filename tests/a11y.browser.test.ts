/**
 * Accessibility (issue 13, item 2): axe-core 4.14 on every page of a real build, in the light and
 * the dark colour scheme — the index, all chapter pages, all evidence pages, the 404 page and the
 * API docs (their index and a module page) — failing on any serious or critical violation, with
 * each rule's id, impact and elements in the message. Exceptions, if any, are listed with their
 * reason in src/audit/axe.ts (AXE_EXCEPTIONS; none today). And the API docs' way back to the
 * handbook (item 6).
 *
 * Built as tests/site.browser.test.ts builds: the real chapters, only chapter 01's specs run (so
 * the pages show verified and not-verified claims), search and API docs on. axe is added to every
 * page as an init script, which the pages' Content-Security-Policy (header and <meta>) would rightly
 * forbid: these contexts bypass the CSP, for axe only (the site browser test checks the CSP).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AxeViolation, blockingViolations, describeViolations } from '../src/audit/axe.ts';
import { findChapters } from '../src/find.ts';
import { launchBrowser } from '../src/testkit/browser.ts';
import { type BuiltSite, buildAndServe } from './built-site.ts';
import type { Chapter } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const AXE = join(root, 'node_modules/axe-core/axe.min.js');
const work = mkdtempSync(join(tmpdir(), 'a11y-browser-'));
const out = join(work, 'site');
// Found when the tests are collected, so that each page is a test of its own (with its own limit).
const chapters: Chapter[] = findChapters(join(root, 'chapters'), root);

/** Every page a reader can reach: the handbook's, the 404 page, and two of the API docs. */
const PAGES = [
  '',
  ...chapters.flatMap((c) => [`${c.id}/`, `${c.id}/evidence.html`]),
  'no-such-page/',
  'api/',
  'api/modules/build.html',
];

let browser: Browser;
let launching: Promise<Browser> | undefined;
let site: BuiltSite | undefined;
let base: string;

beforeAll(async () => {
  launching = launchBrowser();
  site = await buildAndServe({ root, chapters, out, api: true });
  base = site.base;
  browser = await launching;
}, 300_000); // typedoc, a vitest run and Chromium at once: generous for a loaded machine, not a race

afterAll(async () => {
  await (await launching?.catch(() => undefined))?.close(); // launched even if the build failed
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens `path` and waits until it is whole: typedoc's pages build their navigation after load. */
async function open(page: Page, path: string): Promise<number> {
  const response = await page.goto(base + path, { waitUntil: 'load' });
  if (path.startsWith('api/')) await page.waitForSelector('#tsd-nav-container li', { state: 'attached' });
  return response?.status() ?? 0;
}

/** axe-core's violations on the page as it is now (axe is in every page of the context: see below). */
async function axe(page: Page): Promise<AxeViolation[]> {
  return page.evaluate(async () => {
    type Found = {
      id: string;
      impact: AxeViolation['impact'];
      help: string;
      helpUrl: string;
      nodes: { target: unknown[]; failureSummary?: string }[];
    };
    const run = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Found[] }> } }
    ).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    // Plain data only: the nodes' elements do not cross into Node.
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => {
        // What the element is (tag.class.class), for the exceptions: axe's selector varies from page to page.
        const el = typeof n.target[0] === 'string' ? document.querySelector(n.target[0]) : null;
        const element = el ? [el.localName, ...el.classList].join('.') : '';
        return { target: n.target, failureSummary: n.failureSummary, element };
      }),
    }));
  });
}

test('every page is audited: the index, each chapter and its evidence page, the 404 page, two API pages', () => {
  expect(chapters.length).toBeGreaterThanOrEqual(21);
  expect(PAGES.length).toBe(2 * chapters.length + 4);
});

// One page at a time (axe is CPU-heavy: a few seconds a page on a loaded machine), each page a test.
describe.each(['light', 'dark'] as const)('axe-core, %s colour scheme: no serious or critical violation', (scheme) => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ bypassCSP: true });
    await context.addInitScript({ path: AXE });
    page = await context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
  }, 60_000);
  afterAll(async () => context?.close());

  // A limit for a hung browser (one page load and one axe run), not a race.
  test.for(PAGES)('/%s', { timeout: 120_000 }, async (path) => {
    const status = await open(page, path);
    expect(status, path).toBe(path === 'no-such-page/' ? 404 : 200);
    // The scheme really is the one asked for (the dark colours are under prefers-color-scheme).
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(scheme === 'dark');
    const report = describeViolations(path, scheme, blockingViolations(path, await axe(page)));
    expect(report, 'axe-core found serious or critical violations').toBe('');
  });
});

test('the exception, checked: on a wide screen, Tab reaches every link of the folded chapter list, which scrolls to show it', async () => {
  // AXE_EXCEPTIONS (src/audit/axe.ts) leaves out scrollable-region-focusable on details.side because
  // axe counts a closed <details>'s content as hidden; this is what makes that true for a reader.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await open(page, `${chapters[14]?.id}/`);
  const side = page.locator('details.side');
  expect(await side.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  expect(await side.evaluate((d) => d.scrollHeight > d.clientHeight)).toBe(true);
  const links = await side.locator('a[href]').count();
  expect(links).toBeGreaterThanOrEqual(chapters.length);
  let reached = 0;
  for (let i = 0; i < links + 10 && reached < links; i++) {
    await page.keyboard.press('Tab');
    if (
      await page.evaluate(() =>
        Boolean(document.activeElement?.closest('details.side') && document.activeElement.matches('a[href]')),
      )
    )
      reached++;
  }
  expect(reached).toBe(links);
  expect(await side.evaluate((d) => d.scrollTop)).toBeGreaterThan(0);
  await context.close();
}, 120_000);

test('the API docs link back to the handbook, from a top-level and a nested page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const path of ['api/', 'api/modules/build.html']) {
    await open(page, path);
    const back = page.getByRole('link', { name: 'Handbook', exact: true });
    await expect.poll(() => back.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(`${base}index.html`);
    await back.click();
    await page.waitForURL(`${base}index.html`);
    expect(await page.locator('h1').first().textContent()).toBeTruthy();
  }
  await context.close();
}, 120_000);

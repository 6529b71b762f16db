/**
 * The real chapters built into a temporary site (search index and API docs included), served
 * locally and checked in headless Chromium: every page loads without console errors or requests to
 * other hosts, the copy button copies exactly the snippet, search finds a chapter, a claim's
 * evidence opens in place (a plain link without JavaScript), the page reads without JavaScript.
 * Writes a screenshot to .cache/screenshots/ for people to look at.
 *
 * To stay fast, only chapter 01's specs run here (the whole suite runs them all anyway); the other
 * chapters are rendered from their files with no results.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { extractRegion } from '../src/render/include.ts';
import { launchBrowser } from '../src/testkit/browser.ts';
import { type BuiltSite, buildAndServe } from './built-site.ts';
import type { Chapter } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'site-browser-'));
const out = join(work, 'site');
const SCREENSHOT = join(root, '.cache/screenshots/site-chapter.png');

let chapters: Chapter[];
let browser: Browser;
let launching: Promise<Browser> | undefined;
let site: BuiltSite | undefined;
let base: string;

beforeAll(async () => {
  chapters = findChapters(join(root, 'chapters'), root);
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

/** Opens `path`, recording console errors, page errors and requests to any other origin. */
async function visit(page: Page, path: string): Promise<{ errors: string[]; foreign: string[]; status: number }> {
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) foreign.push(url);
  });
  const response = await page.goto(base + path, { waitUntil: 'load' });
  return { errors, foreign, status: response?.status() ?? 0 };
}

// The tests are independent (each opens its own context or page), so they run at once in the one
// browser: their waits on page loads overlap.
describe.concurrent('the built site in Chromium', () => {
  test('every page loads with no console error and no request to another host', async () => {
    const context = await browser.newContext();
    // Evidence pages share one template: chapter 01's (with this run's results) and one without results.
    const paths = [
      '',
      ...chapters.map((c) => `${c.id}/`),
      `${chapters[0]?.id}/evidence.html`,
      `${chapters.at(-1)?.id}/evidence.html`,
      'api/',
    ];
    const page = await context.newPage();
    const seen = await visit(page, paths[0] as string);
    for (const path of paths) {
      seen.errors.length = 0;
      seen.foreign.length = 0;
      const response = await page.goto(base + path, { waitUntil: 'load' });
      expect({ path, status: response?.status(), errors: seen.errors, foreign: seen.foreign }).toEqual({
        path,
        status: 200,
        errors: [],
        foreign: [],
      });
    }
    await page.close();
    const notFound = await context.newPage();
    const missing = await visit(notFound, 'no-such-page/');
    expect(missing.status).toBe(404);
    expect(await notFound.locator('h1').textContent()).toBe('Not found');
    expect(missing.foreign).toEqual([]);
    await context.close();
  }, 180_000); // 27 page loads: a limit for a hung browser on a loaded 2-core machine, not a race

  test('served by a host that sends no headers, a page still runs its own script and its <meta> CSP blocks an injected inline script', async () => {
    // A plain file host: the page's bytes and a content type, no Content-Security-Policy header.
    const plain = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = join(out, path.endsWith('/') ? `${path}index.html` : path);
      try {
        const body = readFileSync(file);
        res.writeHead(200, {
          'Content-Type': file.endsWith('.html')
            ? 'text/html; charset=utf-8'
            : file.endsWith('.css')
              ? 'text/css'
              : file.endsWith('.js')
                ? 'text/javascript'
                : 'application/octet-stream',
        });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/${chapters[0]?.id}/`;
      const response = await page.goto(url, { waitUntil: 'load' });
      expect(response?.headers()['content-security-policy']).toBeUndefined();
      // The site's own script ran: it adds the copy buttons.
      await page.locator('button.copy').first().waitFor();
      expect(errors).toEqual([]);
      const outcome = await page.evaluate(
        () =>
          new Promise<{ ran: boolean; directive: string }>((resolve) => {
            document.addEventListener(
              'securitypolicyviolation',
              (e) =>
                resolve({ ran: (window as { injected?: boolean }).injected === true, directive: e.effectiveDirective }),
              { once: true },
            );
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.head.append(script); // an inline script that is allowed runs during append
            if ((window as { injected?: boolean }).injected === true)
              resolve({ ran: true, directive: 'none: the script ran' });
          }),
      );
      expect(outcome).toEqual({ ran: false, directive: 'script-src-elem' });
    } finally {
      await context.close();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  test('the copy button puts exactly the snippet on the clipboard', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.slice(0, -1) });
    const page = await context.newPage();
    const chapter = chapters[0] as Chapter;
    await visit(page, `${chapter.id}/`);
    const figure = page.locator('figure.snippet:not(.article)').first();
    const caption = await figure.locator('figcaption').textContent();
    const [, file, region] = /^(\S+)(?: region (\S+))?$/.exec(caption?.trim() ?? '') ?? [];
    const source = chapter.files.find((f) => f.name === file);
    expect(source, `caption ${caption}`).toBeDefined();
    const expected = extractRegion(source!, region, { path: chapter.readme.path, line: 0 });
    // Watch the button from inside the page: it says "Copied" only until a 1.5 s timer resets it,
    // so polling from here could miss it on a busy machine.
    await figure.locator('button.copy').evaluate((button) => {
      (window as unknown as { copied: Promise<string> }).copied = new Promise<string>((resolve) => {
        new MutationObserver(() => {
          const text = button.textContent ?? '';
          if (text === 'Copied' || text === 'Copy failed') resolve(text);
        }).observe(button, { childList: true, characterData: true, subtree: true });
      });
    });
    await figure.locator('button.copy').click();
    expect(await page.evaluate(() => (window as unknown as { copied: Promise<string> }).copied)).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
    await context.close();
  });

  test('search finds a chapter by its title', async () => {
    const page = await browser.newPage();
    const { errors, foreign } = await visit(page, '');
    const chapter = chapters[0] as Chapter;
    await page.fill('#search-input', chapter.meta.title);
    const links = page.locator('.search-results a');
    await links.first().waitFor(); // the search index loads and answers: bounded by the test's limit
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(`/${chapter.id}/`);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  test("opening a claim shows its evidence in place, fetched once from the evidence page, and closing it hides it; its 'as under claim N' leads to the evidence page", async () => {
    const page = await browser.newPage();
    const chapter = chapters[0] as Chapter;
    const fetched: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('evidence.html')) fetched.push(request.url());
    });
    const { errors } = await visit(page, `${chapter.id}/`);
    const ids = await page.locator('#claims li:has(> button)').evaluateAll((items) => items.map((li) => li.id));
    expect(ids.length).toBeGreaterThan(1);
    const [one, two] = ids as [string, string];
    const button = page.locator(`#${one} > button`);
    const shown = page.locator(`#${one} .ev pre`);
    expect(await shown.count()).toBe(0);
    await button.click();
    await shown.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    // Exactly what the evidence page shows under the same anchor.
    const evidence = await browser.newPage();
    await evidence.goto(`${base}${chapter.id}/evidence.html`);
    expect(await shown.textContent()).toBe(await evidence.locator(`#${one} .ev pre`).textContent());
    // A claim whose evidence refers to an earlier claim's exchange ("as under claim N").
    const referring = (
      await evidence
        .locator('.claims li:has(.ev pre a[href^="#claim-"])')
        .evaluateAll((items) => items.map((li) => li.id))
    ).find((id) => id !== one && id !== two);
    await evidence.close();
    expect(referring).toMatch(/^claim-\d+$/);
    await page.locator(`#${two} > button`).click();
    await page.locator(`#${two} .ev pre`).waitFor();
    expect(fetched).toHaveLength(1);
    await button.click();
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    expect(await shown.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    // Shown in place, its "as under claim N" goes to claim N on the evidence page.
    await page.locator(`#${referring} > button`).click();
    const refer = page.locator(`#${referring} .ev pre a`).first();
    await refer.waitFor();
    const href = (await refer.getAttribute('href')) as string;
    expect(href).toMatch(/^evidence\.html#claim-\d+$/);
    await refer.click();
    await page.waitForURL(`${base}${chapter.id}/${href}`);
    expect(await page.locator(`${href.slice(href.indexOf('#'))} .ev pre`).isVisible()).toBe(true);
    await page.close();
  });

  test('when the evidence page cannot be fetched, or is from another build, an opened claim offers the link to it instead', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('**/evidence.html', (route) => route.abort());
    const chapter = chapters[0] as Chapter;
    await page.goto(`${base}${chapter.id}/`);
    const li = page.locator('#claims li:has(> button)').first();
    const id = await li.getAttribute('id');
    await li.locator('> button').click();
    const link = li.locator('.ev a');
    await link.waitFor();
    expect(await link.textContent()).toBe('Open the evidence page');
    expect(await link.getAttribute('href')).toBe(`evidence.html#${id}`);
    // An evidence page from another build (its claim under that number has another name, as a
    // cached copy might) is not shown as this claim's evidence either: the link is offered.
    await page.unroute('**/evidence.html');
    await page.route('**/evidence.html', async (route) => {
      const real = await route.fetch();
      await route.fulfill({
        response: real,
        body: (await real.text()).replace(/(<li[^>]* id="claim-2"><a href="[^"]*">)/, '$1renamed: '),
      });
    });
    await page.reload();
    const second = page.locator('#claim-2');
    await second.locator('> button').click();
    await second.locator('.ev a').waitFor();
    expect(await second.locator('.ev a').textContent()).toBe('Open the evidence page');
    expect(await second.locator('.ev pre').count()).toBe(0);
    await context.close();
  });

  test("without JavaScript a claim's name is a link to its evidence", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const chapter = chapters[0] as Chapter;
    await page.goto(`${base}${chapter.id}/`);
    const link = page.locator('#claims li > a').first();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^evidence\.html#claim-\d+$/);
    await link.click();
    await page.waitForURL(`${base}${chapter.id}/${href}`);
    expect(await page.locator(`${href?.slice(href.indexOf('#'))} .ev pre`).isVisible()).toBe(true);
    await context.close();
  });

  test("a chapter page reads without JavaScript: code shown, no dead copy button, no search box, each claim's status in words", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}${chapters[0]?.id}/`);
    expect(await page.locator('figure.snippet pre').first().isVisible()).toBe(true);
    expect(await page.locator('button.copy').first().isVisible()).toBe(false);
    expect(await page.locator('.search').isVisible()).toBe(false);
    expect(await page.locator('#claims').isVisible()).toBe(true);
    // The status is text on the page, not only the stylesheet's mark.
    const statuses = await page
      .locator('#claims li > small')
      .evaluateAll((smalls) => smalls.map((s) => (s.textContent ?? '').split(' · ')[0]));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['verified']));
    await context.close();
  });

  test('writes a screenshot of a chapter page to .cache/screenshots/site-chapter.png', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${base}${chapters[0]?.id}/`);
    mkdirSync(join(root, '.cache/screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await page.close();
  });
});

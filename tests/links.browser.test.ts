/**
 * The 404 page in Chromium, as a reader meets it: served for a missing path deep in the site, at
 * the host's root and under a sub-path (the site at /handbook/), it loads its stylesheet and script
 * (the search box appears) with no console error, no CSP violation and no request to another host,
 * and its links lead to the contents and to the search box.
 *
 * Built from the fixture chapters with saved-style results (no spec runs here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { createCodeHighlighter, renderSite } from '../src/render/index.ts';
import { createSiteServer } from '../src/serve.ts';
import { siteConfig } from '../src/site-config.ts';
import { launchBrowser } from '../src/testkit/browser.ts';
import type { Verification } from '../src/types.ts';
import { writeSite } from '../src/write.ts';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'links-browser-'));
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const verification: Verification = {
  run: {
    versions: { node: '20.20.2', express: '5.1.0', 'express-session': '1.19.0', 'cookie-parser': '1.4.7' },
    date: '2025-01-02T03:04:05.000Z',
    commit: '0123456789abcdef0123',
    dirty: false,
  },
  chapters: [],
};

let browser: Browser;
let launching: Promise<Browser> | undefined;
const servers: Server[] = [];
/** The site at the host's root, and the same site built for /handbook/ behind a server that serves it there. */
let atRoot: string;
let underPath: string;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  launching = launchBrowser();
  const highlighter = await createCodeHighlighter();
  for (const [dir, config] of [
    ['root', siteConfig({})],
    ['sub', siteConfig({}, { SITE_BASE_PATH: '/handbook/' })],
  ] as const) {
    await writeSite(renderSite(chapters, verification, highlighter, { api: false, config }), {
      out: join(work, dir),
      search: true,
      apiDocs: false,
    });
  }
  atRoot = await listen(createSiteServer(join(work, 'root')));
  // The site under /handbook/: npm start's server behind a prefix, as a host serving a sub-folder would.
  const inner = createSiteServer(join(work, 'sub'));
  underPath = await listen(
    createServer((req, res) => {
      if (!req.url?.startsWith('/handbook/'))
        return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('outside the site');
      req.url = req.url.slice('/handbook'.length);
      inner.emit('request', req, res);
    }),
  );
  browser = await launching;
}, 180_000);

afterAll(async () => {
  await (await launching?.catch(() => undefined))?.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(work, { recursive: true, force: true });
});

/**
 * Opens `url`, recording console errors (a CSP violation is one), page errors, requests to another
 * origin and failed requests. Chromium logs the page's own 404 as a console error: that one, and
 * only that one, is expected here.
 */
async function visit(
  page: Page,
  url: string,
): Promise<{ errors: string[]; foreign: string[]; failed: string[]; status: number }> {
  const errors: string[] = [];
  const foreign: string[] = [];
  const failed: string[] = [];
  const origin = new URL(url).origin;
  let ownStatus = false;
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (
      !ownStatus &&
      m.text() === 'Failed to load resource: the server responded with a status of 404 (Not Found)' &&
      m.location().url === url
    )
      ownStatus = true;
    else errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => !r.url().startsWith(origin) && !r.url().startsWith('data:') && foreign.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && r.url() !== url && failed.push(`${r.status()} ${r.url()}`));
  const response = await page.goto(url, { waitUntil: 'load' });
  return { errors, foreign, failed, status: response?.status() ?? 0 };
}

describe.concurrent('the 404 page in Chromium', () => {
  for (const [label, site, base] of [
    ['at the host root', () => atRoot, '/'],
    ['under a sub-path', () => underPath, '/handbook/'],
  ] as const) {
    for (const missing of ['missing', 'x/y/missing', 'a/b/c/'])
      test(`${label}: ${base}${missing} is the themed page, styled and scripted, its links working`, async ({
        expect,
      }) => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const seen = await visit(page, `${site()}${base}${missing}`);
        expect({ status: seen.status, errors: seen.errors, foreign: seen.foreign, failed: seen.failed }).toEqual({
          status: 404,
          errors: [],
          foreign: [],
          failed: [],
        });
        // The stylesheet applied (the header is laid out by it) and the script ran (it adds the search box).
        expect(
          await page.evaluate(() =>
            [...document.styleSheets].some((s) => s.href?.endsWith('/assets/site.css') && s.cssRules.length > 10),
          ),
        ).toBe(true);
        await page.locator('#search-input').waitFor();
        expect(await page.locator('h1').textContent()).toBe('Not found');
        // The search link moves focus to the box.
        await page.getByRole('link', { name: 'search the handbook' }).click();
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search-input');
        // The contents link and a chapter in the list lead to real pages.
        await page.getByRole('link', { name: /contents of/ }).click();
        await page.waitForURL(`${site()}${base}`);
        expect(await page.title()).toBe('Sessions & Cookies, Verified');
        await page.goBack();
        const chapter = page.locator('nav.sidebar a[href$="01-passing/"]');
        await chapter.click();
        await page.waitForURL(`${site()}${base}01-passing/`);
        expect(await page.locator('h1').first().textContent()).toContain('A passing chapter');
        await context.close();
      });
  }
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../../src/testkit/browser.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { createApp } from './app.ts';
import { createArticleApp } from './article.ts';

let browser: Browser;
const servers = new LoopbackServers();

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await servers.closeAll();
});

describe('HttpOnly in a real browser (headless Chromium)', () => {
  test("Chromium stores the article's theme cookie, but the page's script cannot see it in document.cookie", async () => {
    const origin = (await servers.start(createArticleApp())).origin;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${origin}/set-theme`);
      expect(response?.status()).toBe(200);
      const stored = (await context.cookies(origin)).filter((cookie) => cookie.name === 'theme');
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ value: 'dark', httpOnly: true, path: '/' });
      expect(await page.evaluate(() => document.cookie)).toBe('');
    } finally {
      await context.close();
    }
  });

  test('a script cannot overwrite the HttpOnly theme cookie either: the server still renders dark', async () => {
    const origin = (await servers.start(createApp({ secure: false }))).origin;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/set-theme?theme=dark`);
      const visible = await page.evaluate(() => {
        document.cookie = 'theme=light; path=/';
        document.cookie = 'probe=1; path=/'; // proves scripts may write cookies on this page at all
        return document.cookie;
      });
      expect(visible).toBe('probe=1');
      const response = await page.goto(`${origin}/`);
      expect(response?.status()).toBe(200);
      expect(await response?.text()).toBe('Current theme: dark');
      const stored = (await context.cookies(origin)).filter((cookie) => cookie.name === 'theme');
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ value: 'dark', httpOnly: true, sameSite: 'Lax' });
    } finally {
      await context.close();
    }
  });
});

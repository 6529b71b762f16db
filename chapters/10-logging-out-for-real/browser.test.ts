import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../../src/testkit/browser.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { createArticleApp } from './article.ts';
import { createApp } from './app.ts';

let browser: Browser;
const servers = new LoopbackServers();

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await servers.closeAll();
});

/** Logs in and out from a page of the app (same-origin fetches), returning the jar before and after. */
async function logInAndOutInChromium(base: string) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/profile`);
    const login = await page.evaluate(() => fetch('/login', { method: 'POST' }).then((r) => r.status));
    expect(login).toBe(200);
    const before = await context.cookies(base);
    const logout = await page.evaluate(() => fetch('/logout', { method: 'POST' }).then((r) => r.text()));
    const after = await context.cookies(base);
    return { before, logout, after };
  } finally {
    await context.close();
  }
}

describe('in Chromium', () => {
  test("after the article's logout the session cookie is still in the browser's jar", async () => {
    const base = (await servers.start(createArticleApp())).origin;
    const { before, logout, after } = await logInAndOutInChromium(base);
    expect(logout).toBe('User logged out, session destroyed');
    expect(before.map((c) => c.name)).toEqual(['connect.sid']);
    expect(after.map((c) => [c.name, c.value])).toEqual(before.map((c) => [c.name, c.value]));
  });

  test("after the chapter's logout the sid cookie is gone from the browser's jar", async () => {
    const base = (await servers.start(createApp({ secret: 'chapter-10-secret' }))).origin;
    const { before, logout, after } = await logInAndOutInChromium(base);
    expect(logout).toBe('Logged out');
    expect(before.map((c) => ({ name: c.name, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
      { name: 'sid', path: '/', httpOnly: true, sameSite: 'Lax' },
    ]);
    expect(after).toEqual([]);
  });
});

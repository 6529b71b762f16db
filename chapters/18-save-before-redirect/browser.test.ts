import type { SessionData } from 'express-session';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../../src/testkit/browser.ts';
import { signedSessionId } from '../../src/testkit/cookies.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';
import { createApp as createRedirectWithoutSave } from './pitfall-redirect-without-save.ts';
import { SlowStore } from './slow-store.ts';

const SECRET = 'chapter-18-secret';

let browser: Browser;
const servers = new LoopbackServers();

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await servers.closeAll();
});

/** Opens the login form in a fresh browser context, submits it and returns the page it lands on. */
async function submitLoginForm(base: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(`${base}/profile`), page.click('button')]);
  const landed = { text: (await page.textContent('body')) ?? '' };
  return { context, page, landed };
}

describe('a browser following the redirect', () => {
  test('with a store whose write has not landed yet, redirecting without save() lands the browser on “Not logged in”; a reload once it has landed is logged in', async () => {
    const store = new SlowStore({ hold: true });
    const { origin: base } = await servers.start(createRedirectWithoutSave({ store, secret: SECRET }));
    try {
      const { context, page, landed } = await submitLoginForm(base);
      try {
        expect(landed.text).toBe('Not logged in');
        expect(store.writes).toBe(1); // the login's write, asked for and still held
        store.release();
        const reloaded = await page.reload();
        expect(reloaded?.status()).toBe(200);
        expect(await page.textContent('body')).toBe('User profile for user ID: 1');
      } finally {
        await context.close();
      }
    } finally {
      store.release();
    }
  });

  test('with save() before the redirect, the browser lands on the profile, logged in', async () => {
    const { origin: base } = await servers.start(createApp({ store: new SlowStore(), secret: SECRET }));
    const { context, landed } = await submitLoginForm(base);
    try {
      expect(landed.text).toBe('User profile for user ID: 1');
    } finally {
      await context.close();
    }
  });
});

describe('a page script that does not wait for the body', () => {
  test('with save() before answering, fetch(/login) then fetch(/profile) is logged in', async () => {
    const { origin: base } = await servers.start(createApp({ store: new SlowStore(), secret: SECRET }));
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      const texts = await page.evaluate(async () => {
        const login = await fetch('/login', { method: 'POST' }); // follows the redirect to /profile
        const profile = await (await fetch('/profile')).text();
        return { redirected: login.redirected, profile };
      });
      expect(texts).toEqual({ redirected: true, profile: 'User profile for user ID: 1' });
    } finally {
      await context.close();
    }
  });

  test('with a store whose write lands late (the handbook’s, in place of the article’s in-memory store), the article’s login, then fetch(/profile) as soon as the login’s headers arrive: not logged in, and the login is lost for good', async () => {
    const store = new SlowStore();
    const { origin: base } = await servers.start(createArticleApp(store));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.exposeFunction('releaseWrites', () => store.release());
    try {
      // The page itself comes from elsewhere (a CDN, static files): the browser has no session cookie yet.
      await page.goto(`${base}/profile`);
      await context.clearCookies();
      store.hold = true; // from here on, writes land only when the page calls releaseWrites()
      const texts = await page.evaluate(async () => {
        const { releaseWrites } = window as unknown as { releaseWrites: () => Promise<void> };
        await fetch('/login', { method: 'POST' }); // resolves as soon as the headers arrive
        // Sent while the login's write is held. no-store: otherwise Chromium's HTTP cache holds back
        // a GET's headers until its body is complete, and this body's last byte waits for the store.
        const profile = await fetch('/profile', { cache: 'no-store' });
        await releaseWrites(); // now the login lands in the store
        const first = await profile.text();
        const later = await (await fetch('/profile')).text();
        return { first, later };
      });
      expect(texts).toEqual({ first: 'User not logged in', later: 'User not logged in' });
      // The login did reach the store, under a session ID the browser no longer holds.
      const sessions = await new Promise<Record<string, SessionData>>((resolve, reject) =>
        store.all((err, all) => (err || !all ? reject(err) : resolve(all as Record<string, SessionData>))),
      );
      const [cookie] = (await context.cookies(base)).filter((c) => c.name === 'connect.sid');
      if (!cookie) throw new Error('the browser holds no session cookie');
      const held = signedSessionId(cookie.value).id;
      const loggedIn = Object.keys(sessions).filter((id) => sessions[id]?.userId === 1);
      expect(loggedIn).toHaveLength(1);
      expect(loggedIn).not.toContain(held);
      expect(sessions[held]).toBeDefined();
      expect(sessions[held]?.userId).toBeUndefined();
    } finally {
      store.release();
      await context.close();
    }
  });
});

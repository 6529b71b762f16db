import express from 'express';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { launchBrowser } from '../../src/testkit/browser.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { createApp } from './app.ts';

/**
 * The lab: the chapter's app mounted several times on 127.0.0.1, each copy with its own cookie
 * name and one attribute changed, so one browser holds all the variants at once. A second server
 * on localhost (a different site: the host differs, ports never matter for cookies) serves the
 * cross-site page. An /echo route on 127.0.0.1 records which cookies each request carried.
 */
const VARIANTS = {
  lax: {}, // the chapter's cookie as recommended: HttpOnly; Secure; SameSite=Lax
  strict: { sameSite: 'strict' },
  none: { sameSite: 'none' }, // with Secure, as recommended
  none_insecure: { sameSite: 'none', secure: false },
  unset: { sameSite: undefined }, // no SameSite attribute at all
  visible: { httpOnly: false },
} as const;
type Variant = keyof typeof VARIANTS;

interface Seen {
  cookies: string[];
  site: string | undefined;
}

let browser: Browser;
const servers = new LoopbackServers();
const seen = new Map<string, Seen>();
/** Tests waiting for a request that has not reached /echo yet, by its `via`. */
const waiting = new Map<string, (result: Seen) => void>();
let app127 = '';
let otherSite = '';
/** One context, logged in to every variant once; the tests only look and navigate. */
let context: BrowserContext;
/** The Set-Cookie header the none_insecure variant sent, as Chromium received it. */
let insecureNoneHeader = '';

beforeAll(async () => {
  const lab = express();
  // Stands in for the TLS-terminating proxy of chapter 12, so that Secure cookies are set.
  lab.use((req, _res, next) => {
    req.headers['x-forwarded-proto'] = 'https';
    next();
  });
  for (const [name, cookie] of Object.entries(VARIANTS)) {
    lab.use(`/${name}`, createApp({ secret: 'chapter-11-browser', name, cookie }));
  }
  lab.all('/echo', (req, res) => {
    const names = (req.headers.cookie ?? '')
      .split(/;\s*/)
      .filter(Boolean)
      .map((pair) => pair.split('=')[0] ?? '');
    const via = String(req.query.via);
    const result = { cookies: names.sort(), site: req.get('sec-fetch-site') };
    seen.set(via, result);
    waiting.get(via)?.(result);
    res.type('html').send('echo');
  });
  app127 = (await servers.start(lab, '127.0.0.1')).origin;

  const other = express();
  other.get('/', (_req, res) => {
    res.type('html').send(`<!doctype html>
      <img src="${app127}/echo?via=img">
      <iframe src="${app127}/echo?via=iframe"></iframe>
      <script>fetch('${app127}/echo?via=fetch', { credentials: 'include', mode: 'no-cors' });</script>
      <a id="link" href="${app127}/echo?via=link">link</a>
      <form id="form" method="post" action="${app127}/echo?via=post"><button>post</button></form>`);
  });
  otherSite = (await servers.start(other, 'localhost')).origin;
  browser = await launchBrowser();
  ({ context, insecureNoneHeader } = await contextWithAllCookies());
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await servers.closeAll();
});

beforeEach(() => {
  seen.clear();
  waiting.clear();
});

/** A fresh browser context that has logged in to every variant from a 127.0.0.1 page. */
async function contextWithAllCookies(): Promise<{ context: BrowserContext; insecureNoneHeader: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app127}/echo?via=setup`);
  let insecureNoneHeader = '';
  for (const name of Object.keys(VARIANTS)) {
    const responded = page.waitForResponse(`${app127}/${name}/login`);
    const status = await page.evaluate(
      (path) => fetch(path, { method: 'POST' }).then((r) => r.status),
      `/${name}/login`,
    );
    expect(status).toBe(200);
    const response = await responded;
    if (name === 'none_insecure') insecureNoneHeader = (await response.allHeaders())['set-cookie'] ?? '';
  }
  await page.close();
  return { context, insecureNoneHeader };
}

/** What the request with this `via` carried, once it reaches /echo (however long the browser takes). */
function waitFor(via: string): Promise<Seen> {
  const result = seen.get(via);
  return result ? Promise.resolve(result) : new Promise((resolve) => waiting.set(via, resolve));
}

const ALL_STORED: Variant[] = ['lax', 'none', 'strict', 'unset', 'visible'];

/** Opens a page in the shared context, runs `use`, and closes the page. */
async function withPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  const page = await context.newPage();
  try {
    return await use(page);
  } finally {
    await page.close();
  }
}

describe('what Chromium stores', () => {
  test('Chromium drops a SameSite=None cookie without Secure: the header arrives, the jar stays without it', async () => {
    expect(insecureNoneHeader).toMatch(/^none_insecure=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=None$/);
    const names = (await context.cookies(app127)).map((c) => c.name).sort();
    expect(names).toEqual(ALL_STORED);
    expect(names).not.toContain('none_insecure');
  });

  test('SameSite=None with Secure is kept, even on http://127.0.0.1, which Chromium counts as a secure origin', async () => {
    const none = (await context.cookies(app127)).find((c) => c.name === 'none');
    expect(none).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true, path: '/', domain: '127.0.0.1' });
  });

  test("the chapter's HttpOnly cookie is invisible to document.cookie; the httpOnly: false one is visible", async () => {
    const visible = await withPage(async (page) => {
      await page.goto(`${app127}/echo?via=page`);
      return page.evaluate(() => document.cookie.split('; ').map((pair) => pair.split('=')[0]));
    });
    expect(visible).toEqual(['visible']);
    expect((await context.cookies(app127)).find((c) => c.name === 'lax')?.httpOnly).toBe(true);
  });
});

describe('what Chromium sends, same-site and cross-site', () => {
  test('a typed-in address and a same-origin fetch carry every stored cookie, Strict included', async () => {
    await withPage(async (page) => {
      await page.goto(`${app127}/echo?via=same-site`);
      expect(await waitFor('same-site')).toEqual({ cookies: ALL_STORED, site: 'none' });
      await page.evaluate(() => fetch('/echo?via=same-site-fetch'));
      expect(await waitFor('same-site-fetch')).toEqual({ cookies: ALL_STORED, site: 'same-origin' });
    });
  });

  test('cross-site subrequests (img, iframe, fetch) carry no session cookie at all: Lax, Strict and unset held back by SameSite, None by third-party cookie blocking', async () => {
    await withPage(async (page) => {
      // Chromium's own reasons for holding each cookie back, from the DevTools protocol.
      const urls = new Map<string, string>();
      const blockedById = new Map<string, Record<string, string[]>>();
      const imgId = () => [...urls.entries()].find(([, url]) => url.endsWith('/echo?via=img'))?.[0] ?? '';
      // DevTools events travel separately from the request itself, in either order: wait for both.
      let imgBlocked!: (blocked: Record<string, string[]>) => void;
      const imgBlockedReasons = new Promise<Record<string, string[]>>((resolve) => (imgBlocked = resolve));
      const check = () => {
        const blocked = blockedById.get(imgId());
        if (blocked) imgBlocked(blocked);
      };
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.requestWillBeSent', (event) => {
        urls.set(event.requestId, event.request.url);
        check();
      });
      cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
        const blocked: Record<string, string[]> = {};
        for (const { cookie, blockedReasons } of event.associatedCookies) blocked[cookie.name] = blockedReasons;
        blockedById.set(event.requestId, blocked);
        check();
      });
      await page.goto(`${otherSite}/`);
      for (const via of ['img', 'iframe', 'fetch']) {
        expect(await waitFor(via)).toEqual({ cookies: [], site: 'cross-site' });
      }
      const img = await imgBlockedReasons;
      expect(img?.lax).toContain('SchemefulSameSiteLax');
      expect(img?.strict).toContain('SchemefulSameSiteStrict');
      expect(img?.unset).toContain('SchemefulSameSiteUnspecifiedTreatedAsLax');
      expect(img?.none).toEqual(['UserPreferences']);
      await cdp.detach();
    });
  });

  test('following a cross-site link (top-level GET) sends Lax, None and unset cookies, not Strict', async () => {
    await withPage(async (page) => {
      await page.goto(`${otherSite}/`);
      await Promise.all([page.waitForURL(/via=link/), page.click('#link')]);
      expect(await waitFor('link')).toEqual({ cookies: ['lax', 'none', 'unset', 'visible'], site: 'cross-site' });
    });
  });

  test('a cross-site form POST sends None and the fresh cookie without SameSite, neither Lax nor Strict', async () => {
    await withPage(async (page) => {
      await page.goto(`${otherSite}/`);
      await Promise.all([page.waitForURL(/via=post/), page.click('#form button')]);
      // 'unset' has no SameSite attribute: Chromium treats it as Lax, except that a cookie younger
      // than two minutes still goes with a top-level cross-site POST ("Lax-allowing-unsafe").
      expect(await waitFor('post')).toEqual({ cookies: ['none', 'unset'], site: 'cross-site' });
    });
  });
});

import type { RequestListener } from 'node:http';
import express from 'express';
import request from 'supertest';
import { CookieJar } from 'tough-cookie';
import { describe, expect, test } from 'vitest';
import { requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { withEnv } from '../../src/testkit/secret.ts';
import { createApp } from './app.ts';
import { createArticleApp } from './article.ts';
import { createDomainScopedApp, createPathScopedApp } from './pitfall-clear-without-scope.ts';

/** The site as the cookie jar sees it; a .localhost name, so a Domain attribute has something to match. */
const ORIGIN = 'http://app.example.localhost';
/** A page inside /settings: it receives cookies scoped to / and to /settings. */
const SETTINGS_PAGE = `${ORIGIN}/settings/theme`;

/**
 * One browser-like request: sends what the jar holds for the URL, stores what the response sets.
 * The request itself goes to the app over loopback; only the jar believes it is at ORIGIN.
 */
async function visit(app: RequestListener, jar: CookieJar, path: string) {
  const url = ORIGIN + path;
  const cookie = await jar.getCookieString(url);
  const req = request(app).get(path);
  const res = await (cookie ? req.set('Cookie', cookie) : req);
  for (const line of setCookieLines(res)) await jar.setCookie(line, url);
  return res;
}

const EPOCH_HEADER = 'Thu, 01 Jan 1970 00:00:00 GMT';

describe("the article's res.clearCookie('theme')", () => {
  test('sends exactly theme=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', async () => {
    const res = await request(createArticleApp()).get('/clear-theme');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Theme cookie cleared');
    expect(setCookieLines(res)).toEqual([`theme=; Path=/; Expires=${EPOCH_HEADER}`]);
  });

  test('the clearing cookie is empty, expired in 1970, with no Max-Age, HttpOnly, Secure, SameSite or Domain', async () => {
    const res = await request(createArticleApp()).get('/clear-theme');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('');
    expect(cookie.path).toBe('/');
    expect(cookie.expires?.getTime()).toBe(0);
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.httpOnly).toBeUndefined();
    expect(cookie.secure).toBeUndefined();
    expect(cookie.sameSite).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
  });

  test("it clears the article's own theme cookie, HttpOnly with 15 minutes left, from a cookie jar: the clear needs only the same name and Path=/", async () => {
    const app = createArticleApp();
    const jar = new CookieJar();
    const set = await visit(app, jar, '/set-theme');
    expect(set.text).toBe('Theme cookie set');
    const [held] = await jar.getCookies(SETTINGS_PAGE);
    expect(held).toMatchObject({ key: 'theme', value: 'dark', path: '/', httpOnly: true, maxAge: 900 });
    await visit(app, jar, '/clear-theme');
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('');
    expect(await jar.getCookies(SETTINGS_PAGE, { expire: false })).toHaveLength(0);
  });
});

describe("pitfall: a theme cookie set with its own scope, cleared with the article's clearCookie('theme') (apps written for this chapter)", () => {
  test('a theme cookie set with Path=/settings survives clearCookie without that path, though the route says it was cleared', async () => {
    const app = createPathScopedApp();
    const jar = new CookieJar();
    const set = await visit(app, jar, '/set-theme');
    expect(requireCookie(set, 'theme').path).toBe('/settings');
    const cleared = await visit(app, jar, '/clear-theme');
    expect(cleared.text).toBe('Theme cookie cleared');
    // A clearing header is sent, but for Path=/: another cookie than the one the jar holds.
    expect(setCookieLines(cleared)).toEqual([`theme=; Path=/; Expires=${EPOCH_HEADER}`]);
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('theme=dark');
  });

  test('a theme cookie set with a Domain survives clearCookie without that domain, on this host and its siblings', async () => {
    const app = createDomainScopedApp();
    const jar = new CookieJar();
    const set = await visit(app, jar, '/set-theme');
    expect(requireCookie(set, 'theme').domain).toBe('example.localhost');
    const cleared = await visit(app, jar, '/clear-theme');
    expect(cleared.text).toBe('Theme cookie cleared');
    // A clearing header is sent, but host-only: another cookie than the shared one the jar holds.
    expect(setCookieLines(cleared)).toEqual([`theme=; Path=/; Expires=${EPOCH_HEADER}`]);
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('theme=dark');
    expect(await jar.getCookieString('http://www.example.localhost/')).toBe('theme=dark');
  });
});

describe("Express 5's clearCookie and its options", () => {
  test('maxAge and expires passed to clearCookie are ignored: the cookie still expires in 1970', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.clearCookie('theme', { maxAge: 900000, expires: new Date(Date.now() + 900000), httpOnly: true });
      res.send('ok');
    });
    const res = await request(app).get('/');
    expect(setCookieLines(res)).toEqual([`theme=; Path=/; Expires=${EPOCH_HEADER}; HttpOnly`]);
    const cookie = requireCookie(res, 'theme');
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.expires?.getTime()).toBe(0);
  });

  test('path and domain passed to clearCookie are kept, so the right cookie can be matched', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.clearCookie('theme', { path: '/settings', domain: 'example.localhost' });
      res.send('ok');
    });
    const res = await request(app).get('/');
    expect(setCookieLines(res)).toEqual([`theme=; Domain=example.localhost; Path=/settings; Expires=${EPOCH_HEADER}`]);
  });
});

describe('the recommended app: one options object for setting and clearing', () => {
  test('the clearing header repeats Path, Domain, HttpOnly, SameSite and Secure from the setting header', async () => {
    const app = createApp({ path: '/settings', domain: 'example.localhost', secure: true });
    const set = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    const clearRes = await request(app).get('/clear-theme');
    expect(clearRes.status).toBe(200);
    expect(clearRes.text).toBe('Theme cleared');
    const clear = requireCookie(clearRes, 'theme');
    for (const attribute of ['path', 'domain', 'httpOnly', 'sameSite', 'secure'] as const) {
      expect(clear[attribute]).toBe(set[attribute]);
    }
    expect(clear).toMatchObject({
      path: '/settings',
      domain: 'example.localhost',
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
    });
  });

  test('the set has Max-Age, the clear has none and expires in 1970', async () => {
    const app = createApp({ secure: false });
    const set = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    expect(set.maxAge).toBe(31_536_000);
    const clear = requireCookie(await request(app).get('/clear-theme'), 'theme');
    expect(clear.value).toBe('');
    expect(clear.maxAge).toBeUndefined();
    expect(clear.expires?.getTime()).toBe(0);
  });

  test('set, read, clear, read: the next page falls back to the default theme', async () => {
    const app = createApp({ secure: false });
    const jar = new CookieJar();
    expect((await visit(app, jar, '/set-theme?theme=dark')).status).toBe(200);
    expect((await visit(app, jar, '/')).text).toBe('Current theme: dark');
    await visit(app, jar, '/clear-theme');
    const after = await visit(app, jar, '/');
    expect(after.text).toBe('Current theme: light');
    expect(after.headers['set-cookie']).toBeUndefined();
  });

  test('a cookie scoped to /settings is really cleared, because the clear uses the same path', async () => {
    const app = createApp({ path: '/settings', secure: false });
    const jar = new CookieJar();
    await visit(app, jar, '/set-theme?theme=dark');
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('theme=dark');
    await visit(app, jar, '/clear-theme');
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('');
  });

  test('a cookie with a Domain is really cleared, because the clear uses the same domain', async () => {
    const app = createApp({ domain: 'example.localhost', secure: false });
    const jar = new CookieJar();
    await visit(app, jar, '/set-theme?theme=dark');
    expect(await jar.getCookieString('http://www.example.localhost/')).toBe('theme=dark');
    await visit(app, jar, '/clear-theme');
    expect(await jar.getCookieString(SETTINGS_PAGE)).toBe('');
    expect(await jar.getCookieString('http://www.example.localhost/')).toBe('');
  });

  test('in production the theme cookie is Secure, and so is the clearing cookie', async () => {
    const app = withEnv({ NODE_ENV: 'production' }, () => createApp());
    const set = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    const clear = requireCookie(await request(app).get('/clear-theme'), 'theme');
    expect(set.secure).toBe(true);
    expect(clear.secure).toBe(true);
  });

  test('outside production neither the theme cookie nor the clearing cookie is Secure', async () => {
    const app = withEnv({ NODE_ENV: 'development' }, () => createApp());
    const set = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    const clear = requireCookie(await request(app).get('/clear-theme'), 'theme');
    expect(set.secure).toBeUndefined();
    expect(clear.secure).toBeUndefined();
    expect([set.httpOnly, set.sameSite, set.path]).toEqual([true, 'Lax', '/']);
  });

  test('an unknown or missing theme is refused with 400 and sets no cookie', async () => {
    const app = createApp();
    for (const path of ['/set-theme?theme=purple', '/set-theme']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.text).toBe('Unknown theme: choose one of light, dark');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });
});

describeHostileInput({
  createApp: () => createApp({ secure: false }),
  path: '/',
  cookieName: 'theme',
});

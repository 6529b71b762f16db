import express from 'express';
import request from 'supertest';
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cookiePair, requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { withEnv } from '../../src/testkit/secret.ts';
import { ONE_YEAR_MS, createApp } from './app.ts';
import { createArticleApp } from './article.ts';

/** Milliseconds between the response's Date header and the cookie's Expires attribute. */
function expiresAfterDate(res: { headers: Record<string, unknown> }, expires: Date | undefined): number {
  const date = Date.parse(String(res.headers.date));
  expect(Number.isNaN(date)).toBe(false);
  expect(expires).toBeInstanceOf(Date);
  return (expires as Date).getTime() - date;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the article's res.cookie('theme', 'dark', { maxAge: 900000, httpOnly: true })", () => {
  test('sets exactly one cookie: theme=dark', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Theme cookie set');
    expect(setCookieLines(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('dark');
  });

  test('the header Express writes is theme=dark; Max-Age=900; Path=/; Expires=…; HttpOnly', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    expect(setCookieLines(res)[0]).toMatch(
      /^theme=dark; Max-Age=900; Path=\/; Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT; HttpOnly$/,
    );
  });

  test("the theme cookie's Max-Age is 900 seconds: Express's maxAge is in milliseconds, the header's in seconds", async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.maxAge).toBe(900);
    expect(cookie.maxAge).toBe(900000 / 1000);
    expect(cookie.maxAge).toBe(15 * 60);
  });

  test("Express also writes Expires, 900 seconds after the response's Date header", async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    const cookie = requireCookie(res, 'theme');
    const delta = expiresAfterDate(res, cookie.expires);
    expect(Math.abs(delta - 900_000)).toBeLessThanOrEqual(1000);
  });

  test('the cookie carries the HttpOnly attribute', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    expect(requireCookie(res, 'theme').httpOnly).toBe(true);
  });

  test('Path=/ is there although the article never asked for it: Express adds it', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    expect(requireCookie(res, 'theme').path).toBe('/');
  });

  test('there is no Secure, no SameSite and no Domain attribute', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.sameSite).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
    expect(setCookieLines(res)[0]).not.toMatch(/Secure|SameSite|Domain/i);
  });

  test('without Domain the cookie is host-only: a cookie jar sends it back to the host that set it, and to no sibling or parent host', async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    const jar = new CookieJar();
    for (const line of setCookieLines(res)) await jar.setCookie(line, 'http://app.example.localhost/set-theme');
    expect(await jar.getCookieString('http://app.example.localhost/')).toBe('theme=dark');
    expect(await jar.getCookieString('http://www.example.localhost/')).toBe('');
    expect(await jar.getCookieString('http://example.localhost/')).toBe('');
  });

  test('a cookie jar keeps the theme for 15 minutes and forgets it after that', async () => {
    const url = 'http://localhost/';
    const res = await request(createArticleApp()).get('/set-theme');
    const line = setCookieLines(res)[0] as string;
    const start = Date.now();
    // One jar per instant: tough-cookie counts Max-Age from the last access, so looking twice would move it.
    const jarAfter = async (minutes: number): Promise<string> => {
      vi.useFakeTimers({ toFake: ['Date'], now: start });
      const jar = new CookieJar();
      await jar.setCookie(line, url);
      vi.setSystemTime(start + minutes * 60 * 1000);
      const sent = await jar.getCookieString(url);
      vi.useRealTimers();
      return sent;
    };
    expect(await jarAfter(14)).toBe('theme=dark');
    expect(await jarAfter(16)).toBe('');
  });
});

describe('maxAge is in milliseconds (a variant written in this spec, not the article)', () => {
  test('maxAge: 900 by mistake gives Max-Age=0: a cookie jar drops the cookie at once', async () => {
    const app = express();
    app.get('/set-theme', (_req, res) => {
      res.cookie('theme', 'dark', { maxAge: 900, httpOnly: true }).send('ok');
    });
    const res = await request(app).get('/set-theme');
    expect(requireCookie(res, 'theme').maxAge).toBe(0);
    const jar = new CookieJar();
    for (const line of setCookieLines(res)) await jar.setCookie(line, 'http://localhost/');
    expect(await jar.getCookieString('http://localhost/')).toBe('');
  });
});

describe('Express URL-encodes cookie values', () => {
  test('a value with a space and a semicolon is sent percent-encoded, so it cannot break the header', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.cookie('theme', 'solarized dark; v2').send('ok');
    });
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual(['theme=solarized%20dark%3B%20v2; Path=/']);
    expect(decodeURIComponent(requireCookie(res, 'theme').value)).toBe('solarized dark; v2');
  });

  test('an object value is sent as JSON behind a j: prefix', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.cookie('theme', { name: 'dark' }).send('ok');
    });
    const res = await request(app).get('/');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('j%3A%7B%22name%22%3A%22dark%22%7D');
    expect(decodeURIComponent(cookie.value)).toBe('j:{"name":"dark"}');
  });
});

describe('the recommended theme cookie', () => {
  test('?theme=dark sets theme=dark for a year: Max-Age=31536000, Expires a year after Date', async () => {
    const res = await request(createApp({ secure: false })).get('/set-theme?theme=dark');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Theme set to dark');
    expect(setCookieLines(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('dark');
    expect(cookie.maxAge).toBe(ONE_YEAR_MS / 1000);
    expect(cookie.maxAge).toBe(31_536_000);
    expect(Math.abs(expiresAfterDate(res, cookie.expires) - ONE_YEAR_MS)).toBeLessThanOrEqual(1000);
  });

  test('every attribute is chosen: Path=/, HttpOnly, SameSite=Lax, no Domain, and no Secure when secure is false', async () => {
    const res = await request(createApp({ secure: false })).get('/set-theme?theme=light');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('light');
    expect(cookie.path).toBe('/');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.domain).toBeUndefined();
    expect(cookie.secure).toBeUndefined();
  });

  test('in production (NODE_ENV=production) the theme cookie is Secure by default, and still HttpOnly and SameSite=Lax', async () => {
    const app = withEnv({ NODE_ENV: 'production' }, () => createApp());
    const cookie = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    expect(cookie.secure).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.httpOnly).toBe(true);
  });

  test('outside production (NODE_ENV=development) the theme cookie is not Secure by default', async () => {
    const app = withEnv({ NODE_ENV: 'development' }, () => createApp());
    const cookie = requireCookie(await request(app).get('/set-theme?theme=dark'), 'theme');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.httpOnly).toBe(true);
  });

  test('an unknown theme is refused with 400, no cookie, and the value is not echoed back', async () => {
    const res = await request(createApp()).get('/set-theme').query({ theme: '<script>alert(1)</script>' });
    expect(res.status).toBe(400);
    expect(res.text).toBe('Unknown theme: choose one of light, dark');
    expect(res.text).not.toContain('<script>');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a missing or repeated ?theme= is refused with 400 and sets nothing', async () => {
    const app = createApp();
    for (const path of ['/set-theme', '/set-theme?theme=dark&theme=light']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.text).toBe('Unknown theme: choose one of light, dark');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  test('a cookie jar sends the theme back, and the next page is rendered with it', async () => {
    const url = 'http://localhost/';
    const app = createApp({ secure: false });
    const jar = new CookieJar();
    const before = await request(app).get('/');
    expect(before.text).toBe('Current theme: light');
    const set = await request(app).get('/set-theme?theme=dark');
    for (const line of setCookieLines(set)) await jar.setCookie(line, url);
    const sent = await jar.getCookieString(url);
    expect(sent).toBe(cookiePair(requireCookie(set, 'theme')));
    const after = await request(app).get('/').set('Cookie', sent);
    expect(after.status).toBe(200);
    expect(after.text).toBe('Current theme: dark');
  });
});

describeHostileInput({
  createApp: () => createApp({ secure: false }),
  path: '/',
  cookieName: 'theme',
});

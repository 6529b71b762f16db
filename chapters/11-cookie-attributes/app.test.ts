import express from 'express';
import session, { type CookieOptions } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-11-secret';
const HTTPS = { 'X-Forwarded-Proto': 'https' };
const THIRTY_MINUTES = 30 * 60 * 1000;

/** Logs in over (proxied) HTTPS and returns the raw Set-Cookie line and the parsed sid cookie. */
async function loginWith(cookie: CookieOptions = {}, name = 'sid') {
  const before = Date.now();
  const res = await request(createApp({ secret: SECRET, name, cookie })).post('/login').set(HTTPS);
  expect(res.status).toBe(200);
  expect(setCookieLines(res)).toHaveLength(1);
  return { res, before, line: setCookieLines(res)[0] ?? '', parsed: requireCookie(res, name) };
}

describe('the recommended session cookie', () => {
  test('the whole header: sid=<signed ID>; Path=/; Expires=<in 30 minutes>; HttpOnly; Secure; SameSite=Lax', async () => {
    const { line, parsed } = await loginWith();
    expect(line).toMatch(/^sid=s%3A[^;]+; Path=\/; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly; Secure; SameSite=Lax$/);
    expect(signedSessionId(parsed.value).id).toHaveLength(32);
  });

  test('the name is sid; the default, connect.sid, tells everyone the server runs express-session', async () => {
    const { parsed } = await loginWith();
    expect(parsed.name).toBe('sid');
    const bare = express();
    bare.use(session({ secret: SECRET, resave: false, saveUninitialized: true }));
    bare.get('/', (_req, res) => {
      res.send('ok');
    });
    expect(requireCookie(await request(bare).get('/'), 'connect.sid').name).toBe('connect.sid');
  });

  test('HttpOnly is present (express-session sets it unless told otherwise)', async () => {
    expect((await loginWith()).parsed.httpOnly).toBe(true);
  });

  test('httpOnly: false removes HttpOnly, and the cookie becomes readable by page scripts', async () => {
    expect((await loginWith({ httpOnly: false })).parsed.httpOnly).toBeUndefined();
  });

  test('Secure is present on an HTTPS request', async () => {
    expect((await loginWith()).parsed.secure).toBe(true);
  });

  test('on a plain HTTP request the Secure cookie is not sent at all', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });

  test('Path is / : the cookie goes with every request to the site', async () => {
    expect((await loginWith()).parsed.path).toBe('/');
  });

  test('no Domain: a host-only cookie that subdomains never see', async () => {
    expect((await loginWith()).parsed.domain).toBeUndefined();
  });

  test('domain: "example.test" adds Domain=example.test, sharing the cookie with every subdomain', async () => {
    expect((await loginWith({ domain: 'example.test' })).parsed.domain).toBe('example.test');
  });
});

describe('Max-Age against Expires', () => {
  test('cookie.maxAge is sent as an Expires date 30 minutes ahead and never as Max-Age', async () => {
    const { parsed, line, before } = await loginWith();
    expect(parsed.maxAge).toBeUndefined();
    expect(line).not.toMatch(/Max-Age/i);
    const expires = parsed.expires?.getTime() ?? 0;
    // Expires has one-second precision: allow for the truncation and the request's own time.
    expect(expires).toBeGreaterThanOrEqual(before + THIRTY_MINUTES - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + THIRTY_MINUTES);
  });

  test('Express res.cookie with maxAge, by contrast, sends both Max-Age (in seconds) and Expires', async () => {
    const app = express();
    app.get('/theme', (_req, res) => {
      res.cookie('theme', 'dark', { maxAge: 900000, httpOnly: true });
      res.send('ok');
    });
    const theme = requireCookie(await request(app).get('/theme'), 'theme');
    expect(theme.maxAge).toBe(900);
    expect(theme.expires).toBeInstanceOf(Date);
  });

  test('without maxAge there is neither Expires nor Max-Age: the cookie dies with the browser session', async () => {
    const { parsed, line } = await loginWith({ maxAge: undefined });
    expect(parsed.expires).toBeUndefined();
    expect(parsed.maxAge).toBeUndefined();
    expect(line).not.toMatch(/Expires|Max-Age/i);
  });
});

describe('SameSite', () => {
  test("sameSite: 'lax' emits SameSite=Lax", async () => {
    expect((await loginWith({ sameSite: 'lax' })).parsed.sameSite).toBe('Lax');
  });

  test("sameSite: 'strict' emits SameSite=Strict, and so does sameSite: true", async () => {
    expect((await loginWith({ sameSite: 'strict' })).parsed.sameSite).toBe('Strict');
    expect((await loginWith({ sameSite: true })).parsed.sameSite).toBe('Strict');
  });

  test("sameSite: 'none' with secure emits SameSite=None; Secure", async () => {
    const { parsed } = await loginWith({ sameSite: 'none' });
    expect(parsed.sameSite).toBe('None');
    expect(parsed.secure).toBe(true);
  });

  test("sameSite: 'none' without secure is emitted as asked, SameSite=None with no Secure, without a warning", async () => {
    const res = await request(createApp({ secret: SECRET, cookie: { sameSite: 'none', secure: false } })).post('/login');
    const parsed = requireCookie(res, 'sid');
    expect(parsed.sameSite).toBe('None');
    expect(parsed.secure).toBeUndefined();
  });

  test('leaving sameSite out emits no SameSite attribute: the browser picks its default', async () => {
    const { parsed, line } = await loginWith({ sameSite: undefined });
    expect(parsed.sameSite).toBeUndefined();
    expect(line).not.toMatch(/SameSite/i);
  });
});

describe("the article's session cookie", () => {
  test('connect.sid with Path=/ and HttpOnly only: no Secure, no SameSite, no Expires or Max-Age, no Domain', async () => {
    const res = await request(createArticleApp()).post('/login');
    expect(setCookieLines(res)).toHaveLength(1);
    const parsed = requireCookie(res, 'connect.sid');
    expect(parsed.path).toBe('/');
    expect(parsed.httpOnly).toBe(true);
    expect(parsed.secure).toBeUndefined();
    expect(parsed.sameSite).toBeUndefined();
    expect(parsed.expires).toBeUndefined();
    expect(parsed.maxAge).toBeUndefined();
    expect(parsed.domain).toBeUndefined();
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login').set(HTTPS), 'sid')),
});

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Express } from 'express';
import session, { type CookieOptions, MemoryStore } from 'express-session';
import request from 'supertest';
import { CookieJar } from 'tough-cookie';
import { describe, expect, test } from 'vitest';
import { cookiePair, cookieNamed, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { expectLoginWaitsForStore } from '../../src/testkit/held-login.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { sendRaw } from '../../src/testkit/http.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import {
  CountingStore,
  FailingStore,
  HeldStore,
  storedCount,
  storedIds,
  storedSession,
} from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-11-secret';
const HTTPS = { 'X-Forwarded-Proto': 'https' };
const THIRTY_MINUTES = 30 * 60 * 1000;
/** Where a jar files the app's cookies: a label for tough-cookie, never dialled (requests go to loopback). */
const APP = 'https://app.example.test';

/** Logs in over (proxied) HTTPS and returns the `sid=…` pair to send back. */
async function logIn(app: Express, cookie?: string): Promise<string> {
  const req = request(app).post('/login').set(HTTPS);
  if (cookie) req.set('Cookie', cookie);
  const res = await req;
  expect(res.status).toBe(200);
  return cookiePair(requireCookie(res, 'sid'));
}

/** Whether a request carrying `cookie` is served as the logged-in user. */
async function opensProfile(app: Express, cookie: string): Promise<boolean> {
  return (await request(app).get('/profile').set('Cookie', cookie)).status === 200;
}

/** Logs in over (proxied) HTTPS and returns the raw Set-Cookie line and the parsed sid cookie. */
async function loginWith(cookie: CookieOptions = {}, name = 'sid') {
  const before = Date.now();
  const res = await request(createApp({ secret: SECRET, name, cookie }))
    .post('/login')
    .set(HTTPS);
  expect(res.status).toBe(200);
  expect(setCookieLines(res)).toHaveLength(1);
  return { res, before, line: setCookieLines(res)[0] ?? '', parsed: requireCookie(res, name) };
}

describe('the recommended session cookie', () => {
  test('the whole header: sid=<signed ID>; Path=/; Expires=<in 30 minutes>; HttpOnly; Secure; SameSite=Lax', async () => {
    const { line, parsed } = await loginWith();
    expect(line).toMatch(
      /^sid=s%3A[^;]+; Path=\/; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(signedSessionId(parsed.value).id).toHaveLength(32);
  });

  test('the name is sid; without the name option express-session calls it connect.sid', async () => {
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

  test('httpOnly: false removes HttpOnly', async () => {
    expect((await loginWith({ httpOnly: false })).parsed.httpOnly).toBeUndefined();
  });

  test('Secure is present on a request the loopback proxy marks as HTTPS (X-Forwarded-Proto: https)', async () => {
    expect((await loginWith()).parsed.secure).toBe(true);
  });

  test('on a plain HTTP request the Secure cookie is not sent at all', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });

  test('Path is / : a jar sends the cookie with every request to the site', async () => {
    const { line, parsed } = await loginWith();
    expect(parsed.path).toBe('/');
    const jar = new CookieJar();
    await jar.setCookie(line, `${APP}/login`);
    expect(await jar.getCookieString(`${APP}/any/page/at/all`)).toBe(cookiePair(parsed));
  });

  test('no Domain: a host-only cookie that a jar sends back only to the host that set it, never to its subdomains or parent', async () => {
    const { line, parsed } = await loginWith();
    expect(parsed.domain).toBeUndefined();
    const jar = new CookieJar();
    await jar.setCookie(line, `${APP}/login`);
    expect(await jar.getCookieString(`${APP}/`)).toBe(cookiePair(parsed));
    expect(await jar.getCookieString('https://other.example.test/')).toBe('');
    expect(await jar.getCookieString('https://example.test/')).toBe('');
    expect(await jar.getCookieString('https://sub.app.example.test/')).toBe('');
  });

  test('domain: "example.test" adds Domain=example.test, and a jar then sends the cookie to every host under example.test', async () => {
    const { line, parsed } = await loginWith({ domain: 'example.test' });
    expect(parsed.domain).toBe('example.test');
    const jar = new CookieJar();
    await jar.setCookie(line, `${APP}/login`);
    expect(await jar.getCookieString('https://other.example.test/')).toBe(cookiePair(parsed));
    expect(await jar.getCookieString('https://example.test/')).toBe(cookiePair(parsed));
  });

  test('host-only does not stop a sibling subdomain from planting a sid cookie for the whole domain: the jar sends it to the app too', async () => {
    const { line } = await loginWith();
    const jar = new CookieJar();
    await jar.setCookie(line, `${APP}/login`);
    await jar.setCookie('sid=planted-by-a-sibling; Domain=example.test; Path=/; Secure', 'https://evil.example.test/');
    const sent = (await jar.getCookieString(`${APP}/`)).split('; ');
    expect(sent).toHaveLength(2);
    expect(sent).toContain('sid=planted-by-a-sibling');
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

  test('without maxAge there is neither Expires nor Max-Age', async () => {
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

  test("sameSite: 'none' without secure is emitted as asked, SameSite=None with no Secure", async () => {
    const res = await request(createApp({ secret: SECRET, cookie: { sameSite: 'none', secure: false } })).post(
      '/login',
    );
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

describe("'trust proxy' is 'loopback': only a proxy on this machine's loopback is believed", () => {
  test('a request from 127.0.0.1 that says X-Forwarded-Proto: https counts as HTTPS: the Secure cookie is set', async () => {
    const { parsed } = await loginWith();
    expect(parsed.secure).toBe(true);
  });

  test('the same request from a peer with no loopback address (a Unix socket, as nginx can use) is not believed: no cookie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chapter-11-'));
    const socketPath = join(dir, 'app.sock');
    const server = createServer(createApp({ secret: SECRET }));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const res = await sendRaw({ socketPath, path: '/login' }, 'POST', HTTPS);
      expect(res.status).toBe(200);
      expect(res.body).toBe('Logged in');
      expect(setCookieLines(res)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the login and the rest of the snippet', () => {
  test('an anonymous request gets no cookie and the store stays empty (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const res = await request(createApp({ store, secret: SECRET }))
      .get('/profile')
      .set(HTTPS);
    expect(res.status).toBe(401);
    expect(setCookieLines(res)).toEqual([]);
    expect(await storedCount(store)).toBe(0);
  });

  test('logging in again issues a new session ID; the one from before no longer opens the profile and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const first = await logIn(app);
    const second = await logIn(app, first);
    const firstId = signedSessionId(first.slice(first.indexOf('=') + 1)).id;
    expect(signedSessionId(second.slice(second.indexOf('=') + 1)).id).not.toBe(firstId);
    expect(await opensProfile(app, first)).toBe(false);
    expect(await opensProfile(app, second)).toBe(true);
    expect(await storedSession(store, firstId)).toBeUndefined();
  });

  test('with a store that holds the write until the test releases it, the login sends nothing, not even headers, until the session is stored', async () => {
    const store = new HeldStore();
    const app = createApp({ store, secret: SECRET });
    await expectLoginWaitsForStore({
      app,
      store,
      headers: HTTPS,
      cookieName: 'sid',
      body: 'Logged in',
      session: { userId: 42, username: 'ada' },
    });
  });

  test('when the store cannot delete the old session, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    const first = await logIn(app);
    store.failing.add('destroy');
    const login = await request(app).post('/login').set(HTTPS).set('Cookie', first);
    expect(login.status).toBe(500);
    expect(login.text).not.toContain('Logged in');
    store.failing.clear();
    const issued = cookieNamed(login, 'sid');
    if (issued) expect(await opensProfile(app, cookiePair(issued))).toBe(false);
    const loggedIn = [];
    for (const id of await storedIds(store))
      if ((await storedSession(store, id))?.userId !== undefined) loggedIn.push(id);
    expect(loggedIn).toEqual([signedSessionId(first.slice(first.indexOf('=') + 1)).id]); // only the first login's
  });

  test('when the store cannot save the new session, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    store.failing.add('set');
    const login = await request(app).post('/login').set(HTTPS);
    expect(login.status).toBe(500);
    expect(login.text).not.toContain('Logged in');
    store.failing.clear();
    const issued = cookieNamed(login, 'sid');
    if (issued) expect(await opensProfile(app, cookiePair(issued))).toBe(false);
    expect(await storedCount(store)).toBe(0);
  });

  test('a request that does not change the session does not write it back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ store, secret: SECRET });
    const cookie = await logIn(app);
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0);
    expect(await opensProfile(app, cookie)).toBe(true);
    expect(await opensProfile(app, cookie)).toBe(true);
    expect(store.writes).toBe(afterLogin);
  });
});

describe("the article's configuration", () => {
  test('it gives a session cookie to a visitor who never logged in, even on a page that does not exist (saveUninitialized: true)', async () => {
    const res = await request(createArticleApp()).get('/no-such-page');
    expect(res.status).toBe(404);
    expect(setCookieLines(res)).toHaveLength(1);
    expect(requireCookie(res, 'connect.sid').httpOnly).toBe(true);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').set(HTTPS),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
  cookieName: 'sid',
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login').set(HTTPS), 'sid')),
});

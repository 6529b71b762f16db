import express, { type CookieOptions, type Express, type Response } from 'express';
import session, { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, cookieNamed, requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { JarClient } from '../../src/testkit/jar-client.ts';
import { storedCount } from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createApp, SESSION_COOKIE, SESSION_COOKIE_NAME } from './app.ts';

const SECRET = 'chapter-10-secret';

/**
 * The chapter's app with one change: its logout clears the cookie with `clear` instead of the
 * right name and options. Each common mistake below is one `clear`.
 */
function appWithLogout(clear: (res: Response) => void): Express {
  const app = express();
  app.use(session({ name: SESSION_COOKIE_NAME, cookie: SESSION_COOKIE, secret: SECRET, resave: false, saveUninitialized: false }));
  app.post('/login', (req, res) => {
    req.session.userId = 42;
    res.send('Logged in');
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      clear(res);
      res.send('Logged out');
    });
  });
  return app;
}

/** Logs in with a real cookie jar, then logs out, returning the client and both responses. */
async function logInAndOut(app: Express, origin?: string) {
  const client = new JarClient(app, origin);
  const login = await client.post('/login');
  expect(login.status).toBe(200);
  const before = await client.all();
  const logout = await client.post('/logout');
  expect(logout.status).toBe(200);
  const after = await client.all();
  return { client, login, logout, before, after };
}

const held = (cookies: Array<{ key: string; path: string | null; domain: string | null }>) =>
  cookies.map((c) => `${c.key} on ${c.domain}${c.path}`);

describe('what a cookie jar holds after each way of logging out', () => {
  test("the article's logout destroys the session but sends no Set-Cookie: the jar keeps the cookie", async () => {
    const { logout, before, after } = await logInAndOut(createArticleApp());
    expect(logout.text).toBe('User logged out, session destroyed');
    expect(setCookieLines(logout)).toEqual([]);
    expect(held(after)).toEqual(['connect.sid on 127.0.0.1/']);
    expect(after[0]?.value).toBe(before[0]?.value);
  });

  test("the cookie the article leaves behind still travels: the next request sends it and gets a new ID", async () => {
    const { client, before } = await logInAndOut(createArticleApp());
    const res = await client.get('/profile');
    expect(res.text).toBe('User not logged in');
    const fresh = requireCookie(res, 'connect.sid');
    expect(fresh.value).not.toBe(before[0]?.value);
  });

  test('clearing with a different path sends a Set-Cookie for that path and leaves the real cookie in the jar', async () => {
    const app = appWithLogout((res) => res.clearCookie(SESSION_COOKIE_NAME, { ...SESSION_COOKIE, path: '/account' }));
    const { logout, after } = await logInAndOut(app);
    const clearing = requireCookie(logout, 'sid');
    expect(clearing.path).toBe('/account');
    expect(held(after)).toEqual(['sid on 127.0.0.1/']);
  });

  test('clearing the default name connect.sid leaves a cookie called sid in the jar', async () => {
    const app = appWithLogout((res) => res.clearCookie('connect.sid', SESSION_COOKIE));
    const { logout, after } = await logInAndOut(app);
    expect(cookieNamed(logout, 'sid')).toBeUndefined();
    expect(requireCookie(logout, 'connect.sid').value).toBe('');
    expect(held(after)).toEqual(['sid on 127.0.0.1/']);
  });

  test('clearing with a Domain the cookie was not set with leaves the host-only cookie in the jar', async () => {
    const app = appWithLogout((res) => res.clearCookie(SESSION_COOKIE_NAME, { ...SESSION_COOKIE, domain: 'example.test' }));
    // The jar files cookies as if the app were at app.example.test; requests still go to loopback.
    const { logout, after } = await logInAndOut(app, 'http://app.example.test');
    expect(requireCookie(logout, 'sid').domain).toBe('example.test');
    expect(held(after)).toEqual(['sid on app.example.test/']);
  });

  test("the chapter's logout clears sid with the same Path, HttpOnly and SameSite, an Expires in 1970, and the jar is empty", async () => {
    const { logout, before, after } = await logInAndOut(createApp({ secret: SECRET }));
    expect(logout.text).toBe('Logged out');
    expect(held(before)).toEqual(['sid on 127.0.0.1/']);
    expect(setCookieLines(logout)).toHaveLength(1);
    const clearing = requireCookie(logout, 'sid');
    expect(clearing.value).toBe('');
    expect(clearing.path).toBe('/');
    expect(clearing.httpOnly).toBe(true);
    expect(clearing.sameSite).toBe('Lax');
    expect(clearing.secure).toBeUndefined();
    expect(clearing.domain).toBeUndefined();
    expect(clearing.maxAge).toBeUndefined();
    expect(clearing.expires?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(after).toEqual([]);
  });

  test('only name, path and domain have to match: clearing with the bare name still empties the jar', async () => {
    const bare: CookieOptions = {};
    const app = appWithLogout((res) => res.clearCookie(SESSION_COOKIE_NAME, bare));
    const { logout, after } = await logInAndOut(app);
    const clearing = requireCookie(logout, 'sid');
    expect(clearing.path).toBe('/');
    expect(clearing.httpOnly).toBeUndefined();
    expect(clearing.sameSite).toBeUndefined();
    expect(after).toEqual([]);
  });
});

describe('after a real logout the old cookie is worth nothing', () => {
  test('the old cookie replayed after logout gets 401 Not logged in and no new cookie', async () => {
    const app = createApp({ secret: SECRET });
    const login = await request(app).post('/login');
    const old = cookiePair(requireCookie(login, 'sid'));
    const logout = await request(app).post('/logout').set('Cookie', old);
    expect(logout.status).toBe(200);
    const replay = await request(app).get('/profile').set('Cookie', old);
    expect(replay.status).toBe(401);
    expect(replay.text).toBe('Not logged in');
    expect(setCookieLines(replay)).toEqual([]);
  });

  test('the session is gone from the store after logout', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const login = await request(app).post('/login');
    expect(await storedCount(store)).toBe(1);
    await request(app).post('/logout').set('Cookie', cookiePair(requireCookie(login, 'sid')));
    expect(await storedCount(store)).toBe(0);
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'sid')),
});

import express, { type CookieOptions, type Express, type Response } from 'express';
import session, { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, cookieNamed, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { expectLoginWaitsForStore } from '../../src/testkit/held-login.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { JarClient } from '../../src/testkit/jar-client.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import {
  CountingStore,
  FailingStore,
  HeldStore,
  storedCount,
  storedIds,
  storedSession,
} from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createApp, SESSION_COOKIE_NAME, sessionCookieOptions } from './app.ts';

const SECRET = 'chapter-10-secret';
const SESSION_COOKIE = sessionCookieOptions(); // as built under the test run's NODE_ENV (not production)

/** Logs in on the chapter's app and returns the `sid=…` pair to send back. */
async function logIn(app: Express): Promise<string> {
  const login = await request(app).post('/login');
  expect(login.status).toBe(200);
  return cookiePair(requireCookie(login, 'sid'));
}

/** Whether a request carrying `cookie` is served as the logged-in user. */
async function opensProfile(app: Express, cookie: string): Promise<boolean> {
  return (await request(app).get('/profile').set('Cookie', cookie)).status === 200;
}

/**
 * The chapter's app with one change: its logout clears the cookie with `clear` instead of the
 * right name and options. Each common mistake below is one `clear`.
 */
function appWithLogout(clear: (res: Response) => void): Express {
  const app = express();
  app.use(
    session({
      name: SESSION_COOKIE_NAME,
      cookie: SESSION_COOKIE,
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
    }),
  );
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
    const store = new MemoryStore();
    const { logout, before, after } = await logInAndOut(createArticleApp({ store }));
    expect(logout.text).toBe('User logged out, session destroyed');
    expect(await storedCount(store)).toBe(0);
    expect(setCookieLines(logout)).toEqual([]);
    expect(held(after)).toEqual(['connect.sid on 127.0.0.1/']);
    expect(after[0]?.value).toBe(before[0]?.value);
  });

  test('the cookie the article leaves behind still travels: the next request sends it and gets a new ID', async () => {
    const app = createArticleApp();
    const client = new JarClient(app);
    await client.post('/login');
    expect((await client.get('/profile')).text).toBe('User profile for user ID: 1');
    const before = await client.all();
    expect((await client.post('/logout')).status).toBe(200);
    expect(await client.jar.getCookieString('http://127.0.0.1/profile')).toBe(`connect.sid=${before[0]?.value}`);
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
    const app = appWithLogout((res) =>
      res.clearCookie(SESSION_COOKIE_NAME, { ...SESSION_COOKIE, domain: 'example.test' }),
    );
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
    await request(app)
      .post('/logout')
      .set('Cookie', cookiePair(requireCookie(login, 'sid')));
    expect(await storedCount(store)).toBe(0);
  });
});

describe("the chapter's login and logout, the rest of the snippet", () => {
  test('the session cookie is sid, HttpOnly, SameSite=Lax and Path=/, with no Secure outside production', async () => {
    const login = await request(createApp({ secret: SECRET })).post('/login');
    expect(setCookieLines(login)).toHaveLength(1);
    const cookie = requireCookie(login, 'sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
  });

  test('under NODE_ENV=production the cookie is Secure: no cookie over plain HTTP at login, and the clearing header is Secure too', async () => {
    const app = withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp());
    const login = await request(app).post('/login');
    expect(login.status).toBe(200);
    expect(setCookieLines(login)).toEqual([]);
    const logout = await request(app).post('/logout');
    expect(logout.status).toBe(200);
    const clearing = requireCookie(logout, 'sid');
    expect(clearing.value).toBe('');
    expect(clearing.secure).toBe(true);
    expect(clearing.path).toBe('/');
    expect(clearing.httpOnly).toBe(true);
    expect(clearing.sameSite).toBe('Lax');
  });

  test('logging in again issues a new session ID; the one from before no longer opens the profile and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const first = await logIn(app);
    const second = await request(app).post('/login').set('Cookie', first);
    expect(second.status).toBe(200);
    const fresh = requireCookie(second, 'sid');
    const firstId = signedSessionId(first.slice(first.indexOf('=') + 1)).id;
    expect(signedSessionId(fresh.value).id).not.toBe(firstId);
    expect(await opensProfile(app, first)).toBe(false);
    expect(await opensProfile(app, cookiePair(fresh))).toBe(true);
    expect(await storedSession(store, firstId)).toBeUndefined();
  });

  test('with a store that holds the write until the test releases it, the login sends nothing, not even headers, until the session is stored', async () => {
    const store = new HeldStore();
    const app = createApp({ store, secret: SECRET });
    await expectLoginWaitsForStore({
      app,
      store,
      cookieName: 'sid',
      body: 'Logged in',
      session: { userId: 42, username: 'ada' },
    });
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

describe('a store error is an error, never a login or a logout', () => {
  test('when the store cannot delete the old session, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    const first = await logIn(app);
    store.failing.add('destroy');
    const login = await request(app).post('/login').set('Cookie', first);
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
    const login = await request(app).post('/login');
    expect(login.status).toBe(500);
    expect(login.text).not.toContain('Logged in');
    store.failing.clear();
    const issued = cookieNamed(login, 'sid');
    if (issued) expect(await opensProfile(app, cookiePair(issued))).toBe(false);
    expect(await storedCount(store)).toBe(0);
  });

  test('when the store cannot delete the session, the logout answers 500, clears no cookie, and the session still works', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    const cookie = await logIn(app);
    store.failing.add('destroy');
    const logout = await request(app).post('/logout').set('Cookie', cookie);
    expect(logout.status).toBe(500);
    expect(logout.text).not.toContain('Logged out');
    expect(setCookieLines(logout)).toEqual([]);
    store.failing.clear();
    expect(await opensProfile(app, cookie)).toBe(true);
  });
});

describe("the article's logout when the store fails", () => {
  test("when the store cannot delete the session, the article's logout answers 500 Error logging out", async () => {
    const store = new FailingStore();
    const app = createArticleApp({ store });
    const login = await request(app).post('/login');
    const cookie = cookiePair(requireCookie(login, 'connect.sid'));
    store.failing.add('destroy');
    const logout = await request(app).post('/logout').set('Cookie', cookie);
    expect(logout.status).toBe(500);
    expect(logout.text).toBe('Error logging out');
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login'),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
  cookieName: 'sid',
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'sid')),
});

import type { RequestListener } from 'node:http';
import { MemoryStore } from 'express-session';
import request from 'supertest';
import { CookieJar } from 'tough-cookie';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-17-secret';
const ORIGIN = 'http://127.0.0.1';
const MINUTE = 60 * 1000;
/** The moment every test logs in: a round date, so expiry dates can be asserted to the second. */
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

/** Moves the clock that express-session, MemoryStore and the cookie jar read to T0 + `ms`. */
function at(ms: number): void {
  vi.setSystemTime(T0 + ms);
}

// Only `Date` is faked: timers and sockets stay real, so HTTP works as usual while the clock jumps.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A browser-like client: a real cookie jar that drops cookies when they expire. */
function browser(app: RequestListener) {
  const jar = new CookieJar();
  async function send(method: 'get' | 'post', path: string) {
    const cookie = await jar.getCookieString(`${ORIGIN}${path}`);
    const req = request(app)[method](path);
    if (cookie) req.set('Cookie', cookie);
    const res = await req;
    for (const line of setCookieLines(res)) await jar.setCookie(line, `${ORIGIN}${path}`);
    return res;
  }
  return { jar, get: (path: string) => send('get', path), post: (path: string) => send('post', path) };
}

describe('cookie.maxAge puts an expiry date on the session cookie', () => {
  test('with cookie.maxAge of 30 minutes, the cookie’s Expires is 30 minutes after the response, and there is no Max-Age', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login');
    expect(res.status).toBe(200);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.expires?.toUTCString()).toBe('Tue, 01 Jan 2030 09:30:00 GMT');
    // express-session 1.19 turns maxAge into an Expires date and sends no Max-Age attribute.
    expect(cookie.maxAge).toBeUndefined();
    expect(setCookieLines(res)[0]).not.toMatch(/max-age/i);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
  });

  test('the article’s session cookie has neither Expires nor Max-Age: it lasts until the browser closes', async () => {
    const res = await request(createArticleApp(new MemoryStore())).post('/login');
    expect(res.status).toBe(200);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.expires).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.secure).toBeUndefined();
  });
});

describe('an idle timeout', () => {
  test('29 minutes after login, without any request in between, the user is still logged in', async () => {
    const client = browser(createApp({ secret: SECRET }));
    await client.post('/login');
    at(29 * MINUTE);
    const res = await client.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('after 30 idle minutes the jar has dropped the cookie, and a client that sends it anyway gets 401: the store has let the session go', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: SECRET, store });
    const client = browser(app);
    const login = await client.post('/login');
    const cookie = requireCookie(login, 'connect.sid');
    at(30 * MINUTE + 1000);
    expect(await client.jar.getCookieString(`${ORIGIN}/profile`)).toBe('');
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
    expect(await storedSession(store, signedSessionId(cookie.value).id)).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });
});

describe('rolling: true against rolling: false', () => {
  test('rolling: true sends the cookie again on a request that changes nothing, with Expires 30 minutes after that request', async () => {
    const client = browser(createApp({ secret: SECRET, rolling: true }));
    const login = await client.post('/login');
    at(10 * MINUTE);
    const res = await client.get('/profile');
    expect(res.status).toBe(200);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.value).toBe(requireCookie(login, 'connect.sid').value);
    expect(cookie.expires?.toUTCString()).toBe('Tue, 01 Jan 2030 09:40:00 GMT');
    expect(cookie.maxAge).toBeUndefined();
  });

  test('with rolling: true, a user active every 20 minutes is still logged in an hour after login', async () => {
    const client = browser(createApp({ secret: SECRET, rolling: true }));
    await client.post('/login');
    for (const minutes of [20, 40, 60]) {
      at(minutes * MINUTE);
      const res = await client.get('/profile');
      expect(res.status).toBe(200);
      expect(res.text).toBe('User profile for user ID: 1');
    }
  });

  test('rolling: false sends no Set-Cookie on a request that changes nothing', async () => {
    const client = browser(createApp({ secret: SECRET, rolling: false }));
    await client.post('/login');
    at(10 * MINUTE);
    const res = await client.get('/profile');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('with rolling: false, the browser drops the cookie 30 minutes after login however active the user was', async () => {
    const client = browser(createApp({ secret: SECRET, rolling: false }));
    await client.post('/login');
    at(20 * MINUTE);
    expect((await client.get('/profile')).status).toBe(200);
    at(31 * MINUTE);
    expect(await client.jar.getCookieString(`${ORIGIN}/profile`)).toBe('');
    const res = await client.get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });

  test('with rolling: false the server still extends the session on each request: a client that keeps the old cookie is logged in at 40 minutes', async () => {
    const app = createApp({ secret: SECRET, rolling: false });
    const login = await request(app).post('/login');
    const pair = cookiePair(requireCookie(login, 'connect.sid'));
    at(20 * MINUTE);
    expect((await request(app).get('/profile').set('Cookie', pair)).status).toBe(200);
    at(40 * MINUTE);
    const res = await request(app).get('/profile').set('Cookie', pair);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('an absolute limit on a session’s age', () => {
  test('a session is ended one hour after login however active the user is: 401, the cookie is cleared, the store forgets it', async () => {
    const store = new MemoryStore();
    const client = browser(createApp({ secret: SECRET, store, absoluteTimeoutMs: 60 * MINUTE }));
    const login = await client.post('/login');
    const { id } = signedSessionId(requireCookie(login, 'connect.sid').value);
    for (const minutes of [25, 50]) {
      at(minutes * MINUTE);
      expect((await client.get('/profile')).status).toBe(200);
    }
    at(61 * MINUTE);
    const res = await client.get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('Session expired, please log in again');
    const cleared = requireCookie(res, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    expect(cleared.path).toBe('/');
    expect(await client.jar.getCookieString(`${ORIGIN}/profile`)).toBe('');
    expect(await storedSession(store, id)).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('when the store cannot delete an expired session, the client gets a 500, not an "expired" answer that leaves the session stored', async () => {
    const store = new FailingStore();
    const app = createApp({ secret: SECRET, store, absoluteTimeoutMs: 60 * MINUTE });
    const login = await request(app).post('/login').expect(200);
    const cookie = requireCookie(login, 'connect.sid');
    for (const minutes of [25, 50]) {
      at(minutes * MINUTE);
      await request(app).get('/profile').set('Cookie', cookiePair(cookie)).expect(200);
    }
    at(75 * MINUTE);
    store.failing.add('destroy');
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Session expired');
    expect(cookieNamed(res, 'connect.sid')?.value).not.toBe('');
    store.failing.clear();
    expect(await storedSession(store, signedSessionId(cookie.value).id)).toMatchObject({ userId: 1 });
    const retried = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(retried.status).toBe(401);
    expect(retried.text).toBe('Session expired, please log in again');
  });

  test('up to the limit an active user keeps the same session and cookie: requests at 25, 50 and 59 minutes all succeed', async () => {
    const client = browser(createApp({ secret: SECRET, absoluteTimeoutMs: 60 * MINUTE }));
    const login = await client.post('/login');
    for (const minutes of [25, 50, 59]) {
      at(minutes * MINUTE);
      const res = await client.get('/profile');
      expect(res.status).toBe(200);
      expect(requireCookie(res, 'connect.sid').value).toBe(requireCookie(login, 'connect.sid').value);
    }
  });
});

describe('the app’s own defaults', () => {
  test('with createApp() defaults, a user active every 20 minutes is still logged in 7 hours 59 minutes after login and refused at exactly 8 hours', async () => {
    const client = browser(createApp());
    expect((await client.post('/login')).status).toBe(200);
    // A request every 20 minutes keeps the 30-minute idle timeout from ending the session first.
    for (let minutes = 20; minutes < 8 * 60; minutes += 20) {
      at(minutes * MINUTE);
      expect((await client.get('/profile')).status).toBe(200);
    }
    at((7 * 60 + 59) * MINUTE);
    const before = await client.get('/profile');
    expect(before.status).toBe(200);
    expect(before.text).toBe('User profile for user ID: 1');
    at(8 * 60 * MINUTE);
    const after = await client.get('/profile');
    expect(after.status).toBe(401);
    expect(after.text).toBe('Session expired, please log in again');
    expect(await client.jar.getCookieString(`${ORIGIN}/profile`)).toBe('');
  });
});

describe('the login and the store', () => {
  test('logging in again issues a new session ID: the old ID opens nothing and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: SECRET, store });
    const agent = request.agent(app);
    const first = requireCookie(await agent.post('/login').expect(200, 'Logged in'), 'connect.sid');
    const second = requireCookie(await agent.post('/login').expect(200, 'Logged in'), 'connect.sid');
    expect(signedSessionId(second.value).id).not.toBe(signedSessionId(first.value).id);
    await request(app).get('/profile').set('Cookie', cookiePair(first)).expect(401, 'Not logged in');
    await request(app).get('/profile').set('Cookie', cookiePair(second)).expect(200, 'User profile for user ID: 1');
    expect(await storedIds(store)).toEqual([signedSessionId(second.value).id]);
  });

  test('when the store cannot replace the old session at login, the client gets a 500 and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    store.failing.add('destroy'); // regenerate() destroys the old session first
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toBe('Logged in');
    store.failing.clear();
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
    await agent.get('/profile').expect(401, 'Not logged in');
  });

  test('when the store cannot save the login, the client gets a 500, not a success, and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    store.failing.add('set');
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toBe('Logged in');
    store.failing.clear();
    expect(await storedCount(store)).toBe(0);
    await agent.get('/profile').expect(401, 'Not logged in');
  });

  test('a session that did not change is not written back to the store on each request (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    await agent.post('/login').expect(200);
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0);
    for (const minutes of [5, 10, 15]) {
      at(minutes * MINUTE);
      await agent.get('/profile').expect(200, 'User profile for user ID: 1');
    }
    expect(store.writes).toBe(afterLogin);
  });

  test('anonymous requests store nothing and get no cookie (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: SECRET, store });
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/profile').expect(401, 'Not logged in');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
  });
});

describe('the article’s sessions never end on the server', () => {
  test('closing the browser discards the article’s cookie, but the MemoryStore keeps the session a year later', async () => {
    const store = new MemoryStore();
    const client = browser(createArticleApp(store));
    const login = await client.post('/login');
    const { id } = signedSessionId(requireCookie(login, 'connect.sid').value);
    const [cookie] = await client.jar.getCookies(`${ORIGIN}/profile`);
    // A cookie without Expires or Max-Age is a session cookie: the browser deletes it when it closes.
    expect(cookie?.isPersistent()).toBe(false);
    at(365 * 24 * 60 * MINUTE);
    expect(await storedSession(store, id)).toMatchObject({ userId: 1 });
    expect(await storedCount(store)).toBe(1);
  });

  test('a year later, whoever kept a copy of the article’s cookie is still logged in', async () => {
    const app = createArticleApp(new MemoryStore());
    const login = await request(app).post('/login');
    const pair = cookiePair(requireCookie(login, 'connect.sid'));
    at(365 * 24 * 60 * MINUTE);
    const res = await request(app).get('/profile').set('Cookie', pair);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('every anonymous visit to the article’s app leaves a session in the store, still there a year later', async () => {
    const store = new MemoryStore();
    const app = createArticleApp(store);
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/profile');
      expect(res.text).toBe('User not logged in');
      expect(cookieNamed(res, 'connect.sid')).toBeDefined();
    }
    at(365 * 24 * 60 * MINUTE);
    expect(await storedCount(store)).toBe(3);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').expect(200),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

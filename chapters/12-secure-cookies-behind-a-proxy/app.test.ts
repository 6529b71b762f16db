import express, { type Express } from 'express';
import session, { MemoryStore } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { LoopbackServers, type RawResponse, sendRaw } from '../../src/testkit/http.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createSecureArticleApp } from './pitfall-secure-true.ts';
import { createApp, type AppOptions, type TrustProxy } from './app.ts';

const SECRET = 'chapter-12-secret';
const HTTPS = { 'X-Forwarded-Proto': 'https' };
/** What a client may write itself (203.0.113.9), then what the proxy appends: the address it saw. */
const FORWARDED_FOR = { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7' };

/** Builds the snippet's app with `TRUST_PROXY` set to `trustProxy` (or unset), as a reader would run it. */
function appWithTrustProxyEnv(trustProxy: string | undefined, options: AppOptions = {}): Express {
  return withEnv({ TRUST_PROXY: trustProxy }, () => createApp({ secret: SECRET, ...options }));
}

/** Asserts the snippet's session cookie a response sets and every attribute this chapter is about. */
function expectSessionCookie(res: { headers: Record<string, unknown> }, secure: boolean) {
  const cookie = requireCookie(res, 'sid');
  expect(cookie.secure).toBe(secure ? true : undefined);
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  expect(cookie.path).toBe('/');
  expect(cookie.domain).toBeUndefined();
  expect(cookie.expires).toBeUndefined();
  expect(cookie.maxAge).toBeUndefined();
  return cookie;
}

/** A minimal app to try one combination of Express's `trust proxy` and express-session's options. */
function variant({
  trustProxy,
  proxy,
  secure,
}: {
  trustProxy: TrustProxy;
  proxy?: boolean;
  secure: boolean | 'auto';
}): Express {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(
    session({
      name: 'sid',
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      proxy,
      cookie: { secure, httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.post('/login', (req, res) => {
    req.session.userId = 42;
    res.send('Logged in');
  });
  return app;
}

// Requests from a chosen loopback source address (127.0.0.1 or 127.0.0.2) need a listening server.
const servers = new LoopbackServers();
afterAll(() => servers.closeAll());

/** Sends one request to 127.0.0.1:port from the source address `from`. */
function requestFrom(
  from: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return sendRaw({ host: '127.0.0.1', port, path, localAddress: from }, method, headers);
}

describe("the article's code as written (secure: false)", () => {
  test("the article's login sets its session cookie over plain HTTP without Secure, so a browser would also send it over plain HTTP", async () => {
    const res = await request(createArticleApp()).post('/login');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User logged in, session data stored');
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.path).toBe('/');
    expect(cookie.sameSite).toBeUndefined();
  });

  test("the article's saveUninitialized: true gives an anonymous request a session cookie and a stored session", async () => {
    const store = new MemoryStore();
    const res = await request(createArticleApp({ store })).get('/');
    expect(res.status).toBe(404);
    const cookie = requireCookie(res, 'connect.sid');
    expect(await storedIds(store)).toEqual([signedSessionId(cookie.value).id]);
  });

  test("the article's resave: false: a request that changes nothing does not write the session back", async () => {
    const store = new CountingStore();
    const app = createArticleApp({ store });
    const cookie = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    const afterLogin = store.writes;
    await request(app).get('/').set('Cookie', cookiePair(cookie)).expect(404);
    await request(app).get('/').set('Cookie', cookiePair(cookie)).expect(404);
    expect(afterLogin).toBe(1);
    expect(store.writes).toBe(afterLogin);
  });
});

describe("the article's comment followed: secure: true behind a proxy, changed by the handbook", () => {
  test("with secure: true (the article's comment followed) and no trust proxy, login answers 200 and sends no Set-Cookie at all, even when the proxy says X-Forwarded-Proto: https", async () => {
    const app = createSecureArticleApp();
    for (const headers of [{}, HTTPS]) {
      const res = await request(app).post('/login').set(headers);
      expect(res.status).toBe(200);
      expect(res.text).toBe('User logged in, session data stored');
      expect(setCookieLines(res)).toEqual([]);
    }
  });

  test('with secure: true and no trust proxy, the login is still saved: the store holds a session no client can ever reach', async () => {
    const store = new MemoryStore();
    const res = await request(createSecureArticleApp({ store })).post('/login').set(HTTPS);
    expect(setCookieLines(res)).toEqual([]);
    const ids = await storedIds(store);
    expect(ids).toHaveLength(1);
    expect(await storedSession(store, ids[0]!)).toMatchObject({ userId: 1 });
  });

  test('with secure: true and no trust proxy, every anonymous request also leaves a session in the store (saveUninitialized: true) and gets no cookie for it', async () => {
    const store = new MemoryStore();
    const app = createSecureArticleApp({ store });
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app).get('/').set(HTTPS);
      expect(res.status).toBe(404);
      expect(setCookieLines(res)).toEqual([]);
    }
    expect(await storedCount(store)).toBe(3);
  });
});

describe('trust proxy brings the cookie back', () => {
  test('with TRUST_PROXY=false, X-Forwarded-Proto: https is ignored: no cookie, and the app reports http', async () => {
    const app = appWithTrustProxyEnv('false');
    const res = await request(app).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
    const seen = await request(app).get('/connection').set(HTTPS).set(FORWARDED_FOR);
    expect(seen.body).toMatchObject({ protocol: 'http', secure: false });
    expect(seen.body.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  test('with the default trust proxy, X-Forwarded-Proto: https from the local proxy gets the cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, no expiry', async () => {
    const res = await request(appWithTrustProxyEnv(undefined)).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expect(res.text).toBe('Logged in');
    expectSessionCookie(res, true);
  });

  test('the same app still sends no cookie to a plain HTTP request that carries no forwarded header', async () => {
    const store = new MemoryStore();
    const res = await request(appWithTrustProxyEnv(undefined, { store })).post('/login');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });

  test('the app reports what it believes: https and secure behind the trusted proxy', async () => {
    const res = await request(appWithTrustProxyEnv(undefined)).get('/connection').set(HTTPS);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ protocol: 'https', secure: true });
  });

  test('the cookie set through the proxy logs the client in on the next request', async () => {
    const app = appWithTrustProxyEnv(undefined);
    const login = await request(app).post('/login').set(HTTPS);
    const res = await request(app)
      .get('/profile')
      .set(HTTPS)
      .set('Cookie', cookiePair(requireCookie(login, 'sid')));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello ada, your user ID is 42');
  });
});

describe("the snippet's session settings", () => {
  test('without logging in, /profile answers 401, sets no cookie and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = appWithTrustProxyEnv(undefined, { store });
    for (const path of ['/profile', '/connection', '/no-such-page']) {
      const res = await request(app).get(path).set(HTTPS);
      expect(setCookieLines(res)).toEqual([]);
      if (path === '/profile') {
        expect(res.status).toBe(401);
        expect(res.text).toBe('Not logged in');
      }
    }
    expect(await storedCount(store)).toBe(0);
  });

  test('reading the profile does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = appWithTrustProxyEnv(undefined, { store });
    const cookie = cookiePair(requireCookie(await request(app).post('/login').set(HTTPS).expect(200), 'sid'));
    const afterLogin = store.writes;
    for (let i = 0; i < 3; i += 1) {
      await request(app).get('/profile').set(HTTPS).set('Cookie', cookie).expect(200, 'Hello ada, your user ID is 42');
    }
    expect(store.writes).toBe(afterLogin);
  });

  test('logging in again issues a new session ID: the old one is gone from the store and no longer opens the profile', async () => {
    const store = new MemoryStore();
    const app = appWithTrustProxyEnv(undefined, { store });
    const before = requireCookie(await request(app).post('/login').set(HTTPS), 'sid');
    const res = await request(app).post('/login').set(HTTPS).set('Cookie', cookiePair(before));
    expect(res.status).toBe(200);
    const after = expectSessionCookie(res, true);
    const oldId = signedSessionId(before.value).id;
    expect(signedSessionId(after.value).id).not.toBe(oldId);
    expect(await storedSession(store, oldId)).toBeUndefined();
    const old = await request(app).get('/profile').set(HTTPS).set('Cookie', cookiePair(before));
    expect(old.status).toBe(401);
    const fresh = await request(app).get('/profile').set(HTTPS).set('Cookie', cookiePair(after));
    expect(fresh.text).toBe('Hello ada, your user ID is 42');
  });

  test('when the store fails while regenerating the session at login, the client gets a 500 and is not logged in', async () => {
    const store = new FailingStore();
    const app = appWithTrustProxyEnv(undefined, { store });
    store.failing.add('destroy');
    const res = await request(app).post('/login').set(HTTPS);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    // No stored session holds a user (express-session may still store the fresh, empty session)...
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
    store.failing.delete('destroy');
    // ...and the cookie the failed answer may carry for that empty session opens nothing.
    const issued = cookieNamed(res, 'sid');
    if (issued) {
      const profile = await request(app).get('/profile').set(HTTPS).set('Cookie', cookiePair(issued));
      expect(profile.status).toBe(401);
    }
  });

  test('when the store fails to save the login, the client gets a 500 and is not logged in', async () => {
    const store = new FailingStore();
    const app = appWithTrustProxyEnv(undefined, { store });
    store.failing.add('set');
    const res = await request(app).post('/login').set(HTTPS);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    expect(await storedCount(store)).toBe(0);
    store.failing.delete('set');
    const issued = cookieNamed(res, 'sid');
    if (issued) {
      const profile = await request(app).get('/profile').set(HTTPS).set('Cookie', cookiePair(issued));
      expect(profile.status).toBe(401);
    }
  });
});

describe('TRUST_PROXY: whom the app believes', () => {
  test('by default (TRUST_PROXY unset or empty) only loopback proxies are trusted: req.ip is the address the local proxy saw, not the one a client wrote into X-Forwarded-For', async () => {
    for (const setting of [undefined, '']) {
      const res = await request(appWithTrustProxyEnv(setting)).get('/connection').set(HTTPS).set(FORWARDED_FOR);
      expect(res.body).toEqual({ protocol: 'https', secure: true, ip: '198.51.100.7' });
    }
  });

  test('by default (TRUST_PROXY unset or empty) every loopback hop is trusted, not only the nearest: X-Forwarded-For: 203.0.113.9, 127.0.0.5 from the local proxy gives req.ip 203.0.113.9 (a hop count of 1 would give 127.0.0.5)', async () => {
    const chain = { 'X-Forwarded-For': '203.0.113.9, 127.0.0.5' };
    for (const setting of [undefined, '']) {
      const res = await request(appWithTrustProxyEnv(setting)).get('/connection').set(HTTPS).set(chain);
      expect(res.body).toEqual({ protocol: 'https', secure: true, ip: '203.0.113.9' });
    }
    // The contrast the name states: trusting one hop stops at the loopback entry.
    const oneHop = await request(appWithTrustProxyEnv('1')).get('/connection').set(HTTPS).set(chain);
    expect(oneHop.body).toEqual({ protocol: 'https', secure: true, ip: '127.0.0.5' });
  });

  test('TRUST_PROXY=true trusts every hop: req.ip becomes the first X-Forwarded-For entry, which any client can write', async () => {
    const res = await request(appWithTrustProxyEnv('true')).get('/connection').set(HTTPS).set(FORWARDED_FOR);
    expect(res.body).toEqual({ protocol: 'https', secure: true, ip: '203.0.113.9' });
  });

  test('TRUST_PROXY=127.0.0.1 (or a list with it) believes X-Forwarded-Proto from 127.0.0.1 and ignores the same header from 127.0.0.2', async () => {
    for (const setting of ['127.0.0.1', '10.0.0.1, 127.0.0.1']) {
      const { port } = await servers.start(appWithTrustProxyEnv(setting));
      const fromProxy = await requestFrom('127.0.0.1', port, 'POST', '/login', HTTPS);
      expect(fromProxy.status).toBe(200);
      expectSessionCookie(fromProxy, true);
      const forged = await requestFrom('127.0.0.2', port, 'POST', '/login', HTTPS);
      expect(forged.status).toBe(200);
      expect(setCookieLines(forged)).toEqual([]);
      const seen = await requestFrom('127.0.0.2', port, 'GET', '/connection', { ...HTTPS, ...FORWARDED_FOR });
      expect(JSON.parse(seen.body)).toEqual({ protocol: 'http', secure: false, ip: '127.0.0.2' });
    }
  });

  test('TRUST_PROXY=1 believes whoever connects: a client reaching the app directly from 127.0.0.2 can claim https and any address', async () => {
    const { port } = await servers.start(appWithTrustProxyEnv('1'));
    const forged = await requestFrom('127.0.0.2', port, 'POST', '/login', HTTPS);
    expect(forged.status).toBe(200);
    expectSessionCookie(forged, true);
    const seen = await requestFrom('127.0.0.2', port, 'GET', '/connection', {
      ...HTTPS,
      'X-Forwarded-For': '203.0.113.9',
    });
    expect(JSON.parse(seen.body)).toEqual({ protocol: 'https', secure: true, ip: '203.0.113.9' });
  });

  test('Express reads the first X-Forwarded-Proto value: a proxy that appends instead of overwriting lets a forged https through', async () => {
    const res = await request(appWithTrustProxyEnv(undefined)).post('/login').set('X-Forwarded-Proto', 'https, http');
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });
});

describe("secure: 'auto'", () => {
  test("secure: 'auto' sends the cookie without Secure on a plain HTTP request", async () => {
    const res = await request(variant({ trustProxy: 'loopback', secure: 'auto' })).post('/login');
    expect(res.status).toBe(200);
    expectSessionCookie(res, false);
  });

  test("secure: 'auto' adds Secure when the trusted proxy says https", async () => {
    const res = await request(variant({ trustProxy: 'loopback', secure: 'auto' }))
      .post('/login')
      .set(HTTPS);
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });
});

describe("express-session's own proxy option", () => {
  test('proxy: true believes X-Forwarded-Proto from anyone, even when Express trusts no proxy', async () => {
    const res = await request(variant({ trustProxy: false, proxy: true, secure: true }))
      .post('/login')
      .set(HTTPS);
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });

  test('proxy: false ignores X-Forwarded-Proto even when Express trusts the proxy: no cookie', async () => {
    const res = await request(variant({ trustProxy: 'loopback', proxy: false, secure: true }))
      .post('/login')
      .set(HTTPS);
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').set(HTTPS),
  recognises: async (app, cookie) =>
    (await request(app).get('/profile').set(HTTPS).set('Cookie', cookie)).status === 200,
  cookieName: 'sid',
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login').set(HTTPS), 'sid')),
});

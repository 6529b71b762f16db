import { createServer, type IncomingHttpHeaders, request as httpRequest, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import session, { MemoryStore } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { storedCount } from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createApp, type TrustProxy } from './app.ts';

const SECRET = 'chapter-12-secret';
const HTTPS = { 'X-Forwarded-Proto': 'https' };

/** Asserts the session cookie a response sets and every attribute this chapter is about. */
function expectSessionCookie(res: { headers: Record<string, unknown> }, secure: boolean) {
  const cookie = requireCookie(res, 'sid');
  expect(cookie.secure).toBe(secure ? true : undefined);
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  expect(cookie.path).toBe('/');
  expect(cookie.domain).toBeUndefined();
  return cookie;
}

/** A minimal app to try one combination of Express's `trust proxy` and express-session's options. */
function variant({ trustProxy, proxy, secure }: { trustProxy: TrustProxy; proxy?: boolean; secure: boolean | 'auto' }): Express {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(
    session({ name: 'sid', secret: SECRET, resave: false, saveUninitialized: false, proxy, cookie: { secure, httpOnly: true, sameSite: 'lax' } }),
  );
  app.post('/login', (req, res) => {
    req.session.userId = 42;
    res.send('Logged in');
  });
  return app;
}

// Requests from a chosen loopback source address (127.0.0.1 or 127.0.0.2) need a listening server.
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function listen(app: RequestListener): Promise<number> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends one request to 127.0.0.1:port from the source address `from`. */
function requestFrom(from: string, port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, localAddress: from }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cookie.secure: true on plain HTTP', () => {
  test("the article's secure: true over plain HTTP: login answers 200 and sends no Set-Cookie at all", async () => {
    const res = await request(createArticleApp()).post('/login');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User logged in, session data stored');
    expect(setCookieLines(res)).toEqual([]);
  });

  test('the session is still saved: the store holds a session no client can ever reach', async () => {
    const store = new MemoryStore();
    await request(createArticleApp({ store })).post('/login');
    expect(await storedCount(store)).toBe(1);
  });

  test('without trust proxy, X-Forwarded-Proto: https is ignored and there is still no cookie', async () => {
    const res = await request(createApp({ secret: SECRET, trustProxy: false })).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });
});

describe('trust proxy brings the cookie back', () => {
  test('with the proxy trusted, X-Forwarded-Proto: https gets the cookie, with Secure', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });

  test('the same app still sends no cookie to a plain HTTP request that carries no forwarded header', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });

  test('the app reports what it believes: https and secure behind the trusted proxy', async () => {
    const res = await request(createApp({ secret: SECRET })).get('/connection').set(HTTPS);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ protocol: 'https', secure: true });
  });

  test('the cookie set through the proxy logs the client in on the next request', async () => {
    const app = createApp({ secret: SECRET });
    const login = await request(app).post('/login').set(HTTPS);
    const res = await request(app).get('/profile').set(HTTPS).set('Cookie', cookiePair(requireCookie(login, 'sid')));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello ada, your user ID is 42');
  });
});

describe('whom trust proxy believes', () => {
  test('trust proxy 127.0.0.1 believes X-Forwarded-Proto from 127.0.0.1 and ignores the same header from 127.0.0.2', async () => {
    const port = await listen(createApp({ secret: SECRET, trustProxy: '127.0.0.1' }));
    const fromProxy = await requestFrom('127.0.0.1', port, 'POST', '/login', HTTPS);
    expect(fromProxy.status).toBe(200);
    expectSessionCookie(fromProxy, true);
    const forged = await requestFrom('127.0.0.2', port, 'POST', '/login', HTTPS);
    expect(forged.status).toBe(200);
    expect(setCookieLines(forged)).toEqual([]);
    const seen = await requestFrom('127.0.0.2', port, 'GET', '/connection', HTTPS);
    expect(JSON.parse(seen.text)).toEqual({ protocol: 'http', secure: false, ip: '127.0.0.2' });
  });

  test('trust proxy 1 believes whoever connects: a client reaching the app directly from 127.0.0.2 can claim https', async () => {
    const port = await listen(createApp({ secret: SECRET, trustProxy: 1 }));
    const forged = await requestFrom('127.0.0.2', port, 'POST', '/login', HTTPS);
    expect(forged.status).toBe(200);
    expectSessionCookie(forged, true);
  });

  test('Express reads the first X-Forwarded-Proto value: a proxy that appends instead of overwriting lets a forged https through', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/login').set('X-Forwarded-Proto', 'https, http');
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
    const res = await request(variant({ trustProxy: 'loopback', secure: 'auto' })).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });
});

describe("express-session's own proxy option", () => {
  test('proxy: true believes X-Forwarded-Proto from anyone, even when Express trusts no proxy', async () => {
    const res = await request(variant({ trustProxy: false, proxy: true, secure: true })).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expectSessionCookie(res, true);
  });

  test('proxy: false ignores X-Forwarded-Proto even when Express trusts the proxy: no cookie', async () => {
    const res = await request(variant({ trustProxy: 'loopback', proxy: false, secure: true })).post('/login').set(HTTPS);
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  cookieName: 'sid',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login').set(HTTPS), 'sid')),
});

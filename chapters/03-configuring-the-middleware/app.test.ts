import { createHmac } from 'node:crypto';
import { MemoryStore, type SessionData } from 'express-session';
import request from 'supertest';
import { Cookie as JarCookie } from 'tough-cookie';
import { describe, expect, test, vi } from 'vitest';
import { cookiePair, requireCookie, setCookieLines, setCookies, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { behindHttpsProxy } from '../../src/testkit/proxy.ts';
import { describeSecretSource, signValue, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-03-secret';
const ARTICLE_SECRET = 'your_secret_key';
const N = 5;

describe("the cookie the article's configuration sets", () => {
  test('one cookie, connect.sid, value s:<session ID>.<signature> URL-encoded as s%3A…', async () => {
    const res = await request(createArticleApp()).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Welcome');
    expect(setCookieLines(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.value).toMatch(/^s%3A[A-Za-z0-9_-]{32}\.[A-Za-z0-9%]+$/);
    const { id, signature } = signedSessionId(cookie.value);
    expect(signature).toBe(createHmac('sha256', ARTICLE_SECRET).update(id).digest('base64').replace(/=+$/, ''));
  });

  test('its only attributes are Path=/ and HttpOnly: no Secure, Expires, Max-Age, SameSite or Domain', async () => {
    const res = await request(createArticleApp()).get('/');
    const [cookie] = setCookies(res);
    expect(cookie).toEqual({ name: 'connect.sid', value: expect.any(String), path: '/', httpOnly: true });
    expect(setCookieLines(res)[0]).toMatch(/^connect\.sid=s%3A[^;]+; Path=\/; HttpOnly$/);
  });

  test('without Expires or Max-Age it is a session cookie: an RFC 6265 cookie jar keeps it as not persistent', async () => {
    const res = await request(createArticleApp()).get('/');
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.expires).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
    const parsed = JarCookie.parse(setCookieLines(res)[0] ?? '');
    expect(parsed?.isPersistent()).toBe(false);
  });
});

describe('saveUninitialized: true (the article) gives every visitor a session', () => {
  test(`${N} anonymous requests to a page that never uses the session create ${N} cookies and ${N} stored sessions`, async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    const ids = new Set<string>();
    for (let i = 0; i < N; i += 1) {
      const res = await request(app).get('/');
      expect(res.status).toBe(200);
      ids.add(signedSessionId(requireCookie(res, 'connect.sid').value).id);
    }
    expect(ids.size).toBe(N);
    expect(await storedCount(store)).toBe(N);
    expect(new Set(await storedIds(store))).toEqual(ids);
  });

  test('even a 404 for a path that does not exist (a bot probing /wp-login.php) gets a cookie and a stored session', async () => {
    const store = new MemoryStore();
    const res = await request(createArticleApp({ store })).get('/wp-login.php');
    expect(res.status).toBe(404);
    requireCookie(res, 'connect.sid');
    expect(await storedCount(store)).toBe(1);
  });

  test('with the default MemoryStore and no maxAge, those sessions never expire: a year later the store still holds every one', async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    for (let i = 0; i < N; i += 1) await request(app).get('/').expect(200);
    const [id] = await storedIds(store);
    expect((await storedSession(store, id ?? ''))?.cookie.expires ?? null).toBeNull();
    // For comparison, a store holding one session that expires in a day.
    const control = new MemoryStore();
    const day = 24 * 60 * 60 * 1000;
    await new Promise<void>((resolve, reject) =>
      control.set(
        'control',
        { cookie: { originalMaxAge: day, expires: new Date(Date.now() + day) } } as SessionData,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    // Only Date is moved on (no timers are faked): MemoryStore compares a session's expiry with Date.now().
    vi.setSystemTime(Date.now() + 366 * day);
    try {
      expect(await storedCount(control)).toBe(0);
      expect(await storedCount(store)).toBe(N);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('saveUninitialized: false (the corrected app) waits until the session is used', () => {
  test(`${N} anonymous requests create no cookie and no stored session`, async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    for (let i = 0; i < N; i += 1) {
      const res = await request(app).get('/');
      expect(res.status).toBe(200);
      expect(res.text).toBe('Welcome');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const probe = await request(app).get('/wp-login.php');
    expect(probe.status).toBe(404);
    expect(probe.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('reading an empty session does not create one either', async () => {
    const store = new MemoryStore();
    const res = await request(createApp({ store, secret: SECRET })).get('/views');
    expect(res.text).toBe('Views: 0');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('the first change to the session creates it: one cookie, one stored session', async () => {
    const store = new MemoryStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    const res = await agent.post('/views');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Views: 1');
    const { id } = signedSessionId(requireCookie(res, 'connect.sid').value);
    expect(await storedIds(store)).toEqual([id]);
    const read = await agent.get('/views');
    expect(read.text).toBe('Views: 1');
  });
});

describe("the corrected app's cookie", () => {
  test('Path=/, HttpOnly and SameSite=Lax; no Secure over plain HTTP in development, no Expires, Max-Age or Domain', async () => {
    const res = await request(createApp({ secret: SECRET })).post('/views');
    const [cookie] = setCookies(res);
    expect(setCookieLines(res)).toHaveLength(1);
    expect(cookie).toEqual({
      name: 'connect.sid',
      value: expect.stringMatching(/^s%3A/),
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
    });
  });

  test('under NODE_ENV=production, behind an HTTPS proxy (simulated in the spec), the cookie adds Secure: Path=/, HttpOnly, SameSite=Lax, Secure', async () => {
    const app = withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp());
    const res = await request(behindHttpsProxy(app)).post('/views').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toHaveLength(1);
    expect(setCookies(res)[0]).toEqual({
      name: 'connect.sid',
      value: expect.stringMatching(/^s%3A/),
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
    });
  });

  test('under NODE_ENV=production, a plain-HTTP request gets no cookie at all', async () => {
    const store = new MemoryStore();
    const app = withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp({ store }));
    const res = await request(app).post('/views');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('with secure: true over plain HTTP, express-session sends no cookie at all: the session never comes back', async () => {
    const store = new MemoryStore();
    const agent = request.agent(createApp({ store, secret: SECRET, secure: true }));
    const first = await agent.post('/views');
    expect(first.status).toBe(200);
    expect(first.text).toBe('Views: 1');
    expect(first.headers['set-cookie']).toBeUndefined();
    const second = await agent.post('/views');
    expect(second.text).toBe('Views: 1');
    // Each request saved a session that no client can ever present again.
    expect(await storedCount(store)).toBe(2);
  });
});

describe('resave: false (the article is right)', () => {
  test('a request that only reads the session does not write it back: the store is touched, not set', async () => {
    const store = new CountingStore();
    const agent = request.agent(createArticleApp({ store }));
    await agent.post('/views').expect(200, 'Views: 1');
    const writesAfterWrite = store.writes;
    const read = await agent.get('/views');
    expect(read.text).toBe('Views: 1');
    expect(read.headers['set-cookie']).toBeUndefined();
    expect(store.writes).toBe(writesAfterWrite);
    expect(store.touches).toBe(1);
  });
});

describe('resave: false (kept in the corrected app)', () => {
  test('a request that only reads the session does not write it back: the store is touched, not set', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    await agent.post('/views').expect(200, 'Views: 1');
    const writesAfterWrite = store.writes;
    const read = await agent.get('/views');
    expect(read.text).toBe('Views: 1');
    expect(read.headers['set-cookie']).toBeUndefined();
    expect(store.writes).toBe(writesAfterWrite);
    expect(store.touches).toBe(1);
  });
});

describe("the article's hard-coded secret", () => {
  test("the signature protects nothing: a session ID signed by the client with 'your_secret_key' is accepted", async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    await request(app).post('/views').expect(200, 'Views: 1');
    const [id] = await storedIds(store);
    const forged = await request(app)
      .get('/views')
      .set('Cookie', `connect.sid=${signValue(id ?? '', ARTICLE_SECRET)}`);
    expect(forged.text).toBe('Views: 1');
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  test("with SESSION_SECRET set in the environment, a cookie signed with 'your_secret_key' gets nothing", async () => {
    const store = new MemoryStore();
    const app = withEnv({ SESSION_SECRET: 'chapter-03-from-the-environment', NODE_ENV: 'test' }, () =>
      createApp({ store }),
    );
    await request(app).post('/views').expect(200, 'Views: 1');
    const [id] = await storedIds(store);
    const forged = await request(app)
      .get('/views')
      .set('Cookie', `connect.sid=${signValue(id ?? '', ARTICLE_SECRET)}`);
    expect(forged.text).toBe('Views: 0');
    expect(forged.headers['set-cookie']).toBeUndefined();
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/views').expect(200, 'Views: 1'),
  recognises: async (app, cookie) => (await request(app).get('/views').set('Cookie', cookie)).text === 'Views: 1',
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/views',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/views'), 'connect.sid')),
});

import { createHmac } from 'node:crypto';
import { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import {
  cookieNamed,
  cookiePair,
  requireCookie,
  setCookieLines,
  setCookies,
  signedSessionId,
} from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { behindHttpsProxy } from '../../src/testkit/proxy.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-04-secret';

describe("the article's login and profile", () => {
  test('logging in and reading the profile with the same client answers "User profile for user ID: 1"', async () => {
    const agent = request.agent(createArticleApp());
    const login = await agent.post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    requireCookie(login, 'connect.sid');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
    expect(profile.headers['set-cookie']).toBeUndefined();
  });

  test('without the cookie the profile says "User not logged in", with status 200', async () => {
    const app = createArticleApp();
    await request(app).post('/login').expect(200);
    const res = await request(app).get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
  });

  test('after a restart the in-memory sessions are gone: the old cookie gets "User not logged in" and a new session', async () => {
    const before = createArticleApp();
    const cookie = requireCookie(await request(before).post('/login'), 'connect.sid');
    await request(before).get('/profile').set('Cookie', cookiePair(cookie)).expect(200, 'User profile for user ID: 1');

    // The old cookie stays validly signed for the next start: the article's secret is fixed.
    const { id, signature } = signedSessionId(cookie.value);
    expect(signature).toBe(createHmac('sha256', 'your_secret_key').update(id).digest('base64').replace(/=+$/, ''));
    const after = createArticleApp(); // a new process: a new, empty MemoryStore
    const res = await request(after).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
    // saveUninitialized: true, so the unknown ID is replaced with a brand-new session right away.
    const fresh = requireCookie(res, 'connect.sid');
    expect(signedSessionId(fresh.value).id).not.toBe(signedSessionId(cookie.value).id);
  });

  test('logging in keeps the session ID the visitor had before: the pre-login cookie is now logged in (see chapter 09)', async () => {
    const app = createArticleApp();
    const anonymous = await request(app).get('/profile');
    expect(anonymous.text).toBe('User not logged in');
    const planted = requireCookie(anonymous, 'connect.sid');

    const login = await request(app).post('/login').set('Cookie', cookiePair(planted));
    expect(login.text).toBe('User logged in, session data stored');
    expect(cookieNamed(login, 'connect.sid')).toBeUndefined(); // no new ID is issued

    const res = await request(app).get('/profile').set('Cookie', cookiePair(planted));
    expect(res.text).toBe('User profile for user ID: 1');
  });
});

describe('the corrected login and profile', () => {
  test('logging in and reading the profile with the same client answers "User profile for user ID: 1"', async () => {
    const agent = request.agent(createApp({ secret: SECRET }));
    const login = await agent.post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    const cookie = requireCookie(login, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
    expect(profile.headers['set-cookie']).toBeUndefined();
  });

  test('the user ID is stored on the server, under the session ID, as the number 1; the cookie holds only the signed ID', async () => {
    const store = new MemoryStore();
    const login = await request(createApp({ store, secret: SECRET })).post('/login');
    const cookie = requireCookie(login, 'connect.sid');
    const { id, signature } = signedSessionId(cookie.value);
    expect(decodeURIComponent(cookie.value)).toBe(`s:${id}.${signature}`);
    expect(signature).toBe(createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, ''));
    const data = await storedSession(store, id);
    expect(data?.userId).toBe(1);
    expect(await storedCount(store)).toBe(1);
  });

  test('a visitor who has not logged in gets no cookie and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('reading the profile does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    await agent.post('/login').expect(200);
    const writesAfterLogin = store.writes;
    for (let i = 0; i < 3; i += 1) await agent.get('/profile').expect(200, 'User profile for user ID: 1');
    expect(store.writes).toBe(writesAfterLogin);
  });

  test('without the cookie the profile answers 401 "User not logged in" and sets no cookie', async () => {
    const app = createApp({ secret: SECRET });
    await request(app).post('/login').expect(200);
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('after a restart with the default in-memory store the old cookie gets 401, and no new cookie', async () => {
    const cookie = requireCookie(await request(createApp({ secret: SECRET })).post('/login'), 'connect.sid');
    const res = await request(createApp({ secret: SECRET }))
      .get('/profile')
      .set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('with SESSION_SECRET set, a store that outlives the process keeps the user logged in across the restart', async () => {
    const store = new MemoryStore(); // stands in for Redis or SQLite, which later chapters use
    const start = () => withEnv({ SESSION_SECRET: SECRET, NODE_ENV: 'development' }, () => createApp({ store }));
    const cookie = requireCookie(await request(start()).post('/login'), 'connect.sid');
    const res = await request(start()).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('outside production without SESSION_SECRET, even a store that outlives the process keeps no one logged in across a restart: each start signs with a new secret', async () => {
    const store = new MemoryStore();
    const start = () => withEnv({ SESSION_SECRET: undefined, NODE_ENV: 'development' }, () => createApp({ store }));
    const cookie = requireCookie(await request(start()).post('/login'), 'connect.sid');
    expect(await storedCount(store)).toBe(1);
    const res = await request(start()).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
  });

  test('logging in issues a new session ID and deletes the old session', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const first = requireCookie(await request(app).post('/login'), 'connect.sid');
    const second = await request(app).post('/login').set('Cookie', cookiePair(first));
    expect(second.status).toBe(200);
    const renewed = requireCookie(second, 'connect.sid');
    expect(signedSessionId(renewed.value).id).not.toBe(signedSessionId(first.value).id);
    expect(await storedSession(store, signedSessionId(first.value).id)).toBeUndefined();
    expect(await storedCount(store)).toBe(1);
    const old = await request(app).get('/profile').set('Cookie', cookiePair(first));
    expect(old.status).toBe(401);
  });
});

describe('store errors at login', () => {
  test('when the store cannot replace the old session (regenerate fails), the login answers 500 and logs no one in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    store.failing.add('destroy');
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('User logged in');
    store.failing.delete('destroy');
    expect((await agent.get('/profile')).status).toBe(401);
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
  });

  test('when the store cannot save the logged-in session, the login answers 500, not "User logged in", and the client is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    store.failing.add('set');
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('User logged in');
    expect(await storedCount(store)).toBe(0);
    store.failing.delete('set');
    expect((await agent.get('/profile')).status).toBe(401);
  });
});

describe("the corrected app's cookie in production", () => {
  test('under NODE_ENV=production, behind an HTTPS proxy (simulated in the spec), the session cookie is Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const app = withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp());
    const res = await request(behindHttpsProxy(app)).post('/login').set('X-Forwarded-Proto', 'https');
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

  test('under NODE_ENV=production, a login over plain HTTP gets no cookie at all', async () => {
    const app = withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp());
    const res = await request(app).post('/login');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
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

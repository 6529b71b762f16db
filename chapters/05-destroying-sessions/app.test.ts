import { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { JarClient } from '../../src/testkit/jar-client.ts';
import { behindHttpsProxy } from '../../src/testkit/proxy.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-05-secret';

/** The chapter's app built under NODE_ENV=production (with a secret, which production requires). */
function productionApp(store = new MemoryStore()) {
  return withEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }, () => createApp({ store }));
}

describe("the article's logout", () => {
  test('destroys the session: the store goes from one session to none', async () => {
    const store = new MemoryStore();
    const agent = request.agent(createArticleApp({ store }));
    await agent.post('/login').expect(200, 'User logged in, session data stored');
    expect(await storedCount(store)).toBe(1);
    const res = await agent.post('/logout');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User logged out, session destroyed');
    expect(await storedCount(store)).toBe(0);
  });

  test('sends no Set-Cookie at all: a real cookie jar still holds connect.sid, with the same value', async () => {
    const client = new JarClient(createArticleApp());
    const login = await client.post('/login');
    const issued = requireCookie(login, 'connect.sid');
    const logout = await client.post('/logout');
    expect(logout.status).toBe(200);
    expect(setCookieLines(logout)).toEqual([]);
    const held = await client.all();
    expect(held.map((cookie) => [cookie.key, cookie.value])).toEqual([['connect.sid', issued.value]]);
  });

  test('the cookie left behind is sent again: "User not logged in", and the server issues a new session for it', async () => {
    const store = new MemoryStore();
    const client = new JarClient(createArticleApp({ store }));
    const issued = requireCookie(await client.post('/login'), 'connect.sid');
    await client.post('/logout');
    // What the jar sends with the next request: the dead cookie, unchanged.
    expect((await client.cookies('/profile')).map((cookie) => [cookie.key, cookie.value])).toEqual([
      ['connect.sid', issued.value],
    ]);
    const res = await client.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
    const fresh = requireCookie(res, 'connect.sid'); // saveUninitialized: true
    expect(signedSessionId(fresh.value).id).not.toBe(signedSessionId(issued.value).id);
    expect(await storedCount(store)).toBe(1);
  });

  test("when the store cannot destroy the session it answers 500 'Error logging out', and the user is still logged in", async () => {
    const store = new FailingStore();
    const client = new JarClient(createArticleApp({ store }));
    expect((await client.post('/login')).status).toBe(200);
    store.failing.add('destroy');
    const res = await client.post('/logout');
    expect(res.status).toBe(500);
    expect(res.text).toBe('Error logging out');
    expect(setCookieLines(res)).toEqual([]);
    expect(await storedCount(store)).toBe(1);
    const profile = await client.get('/profile');
    expect(profile.text).toBe('User profile for user ID: 1');
  });
});

describe('the corrected logout: destroy, then clear the cookie', () => {
  test('the session is removed from the store', async () => {
    const store = new MemoryStore();
    const client = new JarClient(createApp({ store, secret: SECRET }));
    await client.post('/login');
    expect(await storedCount(store)).toBe(1);
    const res = await client.post('/logout');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User logged out, session destroyed');
    expect(await storedCount(store)).toBe(0);
  });

  test('outside production, one Set-Cookie clears connect.sid: empty value, Path=/, HttpOnly, SameSite=Lax, Expires in 1970, no Max-Age, no Secure', async () => {
    const client = new JarClient(createApp({ secret: SECRET }));
    await client.post('/login');
    const res = await client.post('/logout');
    expect(setCookieLines(res)).toEqual([
      'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    ]);
    const cleared = requireCookie(res, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/');
    expect(cleared.expires?.toUTCString()).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(cleared.maxAge).toBeUndefined();
    expect(cleared.domain).toBeUndefined();
    expect(cleared.secure).toBeUndefined();
  });

  test('the clearing cookie matches the one that was set: same name, Path and (no) Domain', async () => {
    const client = new JarClient(createApp({ secret: SECRET }));
    const set = requireCookie(await client.post('/login'), 'connect.sid');
    const cleared = requireCookie(await client.post('/logout'), 'connect.sid');
    expect([cleared.name, cleared.path, cleared.domain]).toEqual([set.name, set.path, set.domain]);
    expect([cleared.httpOnly, cleared.sameSite]).toEqual([set.httpOnly, set.sameSite]);
  });

  test('a real cookie jar is empty after logout', async () => {
    const client = new JarClient(createApp({ secret: SECRET }));
    await client.post('/login');
    expect((await client.all()).map((cookie) => cookie.key)).toEqual(['connect.sid']);
    await client.post('/logout');
    expect(await client.all()).toEqual([]);
    const profile = await client.get('/profile');
    expect(profile.status).toBe(401);
    expect(profile.text).toBe('User not logged in');
    expect(profile.headers['set-cookie']).toBeUndefined();
  });

  test('a copy of the old cookie replayed after logout gets 401 and no new session', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const stolen = requireCookie(await request(app).post('/login'), 'connect.sid');
    await request(app).post('/logout').set('Cookie', cookiePair(stolen)).expect(200);
    const res = await request(app).get('/profile').set('Cookie', cookiePair(stolen));
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
    expect(cookieNamed(res, 'connect.sid')).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('when the store cannot destroy the session it answers 500, keeps the cookie, and the user is still logged in', async () => {
    const store = new FailingStore();
    const client = new JarClient(createApp({ store, secret: SECRET }));
    expect((await client.post('/login')).status).toBe(200);
    store.failing.add('destroy');
    const res = await client.post('/logout');
    expect(res.status).toBe(500);
    expect(res.text).toContain('the store is down (destroy)'); // the store's own error, through next(err)
    expect(res.text).not.toContain('logged out');
    expect(await storedCount(store)).toBe(1);
    expect(setCookieLines(res)).toEqual([]);
    expect((await client.all()).map((cookie) => cookie.key)).toEqual(['connect.sid']);
    const profile = await client.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });
});

describe('the corrected login and session settings', () => {
  test('a visitor who has not logged in gets no cookie and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
    expect(setCookieLines(res)).toEqual([]);
    expect(await storedCount(store)).toBe(0);
  });

  test('logging in again issues a new session ID, and the previous ID no longer opens the profile (regenerate)', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const first = requireCookie(await request(app).post('/login'), 'connect.sid');
    const second = requireCookie(await request(app).post('/login').set('Cookie', cookiePair(first)), 'connect.sid');
    const firstId = signedSessionId(first.value).id;
    const secondId = signedSessionId(second.value).id;
    expect(secondId).not.toBe(firstId);
    expect(await storedIds(store)).toEqual([secondId]);
    const old = await request(app).get('/profile').set('Cookie', cookiePair(first));
    expect(old.status).toBe(401);
    expect(old.text).toBe('User not logged in');
    const current = await request(app).get('/profile').set('Cookie', cookiePair(second));
    expect(current.status).toBe(200);
    expect(current.text).toBe('User profile for user ID: 1');
  });

  test('reading the profile does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ store, secret: SECRET });
    const cookie = cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid'));
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0); // the login wrote the session
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/profile').set('Cookie', cookie);
      expect(res.text).toBe('User profile for user ID: 1');
    }
    expect(store.writes).toBe(afterLogin);
  });

  test('when the store cannot save the logged-in session, the login answers 500 and the client is not logged in', async () => {
    const store = new FailingStore();
    store.failing.add('set');
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.text).toContain('the store is down (set)'); // the store's own error, through next(err)
    expect(res.text).not.toContain('User logged in');
    expect(await storedCount(store)).toBe(0);
    store.failing.delete('set');
    const cookie = cookieNamed(res, 'connect.sid');
    const profile = request(app).get('/profile');
    const answer = await (cookie ? profile.set('Cookie', cookiePair(cookie)) : profile);
    expect(answer.status).toBe(401);
  });
});

describe('the session cookie and NODE_ENV', () => {
  test('outside production the session cookie has no Secure flag, so a login over plain HTTP works', async () => {
    const app = withEnv({ NODE_ENV: 'development', SESSION_SECRET: SECRET }, () => createApp());
    const res = await request(app).post('/login');
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.secure).toBeUndefined();
    expect([cookie.path, cookie.httpOnly, cookie.sameSite]).toEqual(['/', true, 'Lax']);
    const profile = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(profile.text).toBe('User profile for user ID: 1');
  });

  test('in production the session cookie is Secure, so over plain HTTP the login sets no cookie at all', async () => {
    const store = new MemoryStore();
    const res = await request(productionApp(store)).post('/login');
    expect(res.status).toBe(200);
    expect(setCookieLines(res)).toEqual([]);
    expect(await storedCount(store)).toBe(1); // the session exists, but the client never gets its ID
  });

  test('in production behind an HTTPS proxy (simulated in this spec: trust proxy and X-Forwarded-Proto), the cookie is set Secure and the logout clears it with Secure too', async () => {
    const store = new MemoryStore();
    const app = behindHttpsProxy(productionApp(store));
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https');
    const set = requireCookie(login, 'connect.sid');
    expect([set.secure, set.httpOnly, set.sameSite, set.path]).toEqual([true, true, 'Lax', '/']);
    const logout = await request(app).post('/logout').set('X-Forwarded-Proto', 'https').set('Cookie', cookiePair(set));
    expect(logout.status).toBe(200);
    const cleared = requireCookie(logout, 'connect.sid');
    expect(cleared.value).toBe('');
    expect([cleared.secure, cleared.httpOnly, cleared.sameSite, cleared.path]).toEqual([true, true, 'Lax', '/']);
    expect(await storedCount(store)).toBe(0);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login'),
  recognises: async (app, cookie) => {
    const res = await request(app).get('/profile').set('Cookie', cookie);
    return res.status === 200 && res.text === 'User profile for user ID: 1';
  },
});

describe('a store that cannot destroy also cannot log anyone in', () => {
  test('the corrected login answers 500, because regenerate() first destroys the session ID it replaces', async () => {
    const store = new FailingStore();
    store.failing.add('destroy');
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.text).toContain('the store is down (destroy)');
    expect(res.text).not.toContain('User logged in');
    // express-session has already swapped in a new, empty session: the 500 carries its cookie.
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(await storedCount(store)).toBe(1);
    const profile = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(profile.status).toBe(401);
    expect(profile.text).toBe('User not logged in');
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

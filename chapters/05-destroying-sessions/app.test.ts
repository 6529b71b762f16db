import { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { JarClient } from '../../src/testkit/jar-client.ts';
import { storedCount } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-05-secret';

/**
 * A real express-session store (a MemoryStore) whose destroy fails once `failing` is switched on,
 * as a store that lost its connection would. It starts healthy because the corrected login's
 * regenerate() also calls destroy.
 */
class FailingDestroyStore extends MemoryStore {
  failing = false;
  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    if (!this.failing) return super.destroy(sid, callback);
    setImmediate(() => callback?.(new Error('store unavailable: could not delete the session')));
  }
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
    const res = await client.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
    const fresh = requireCookie(res, 'connect.sid'); // saveUninitialized: true
    expect(signedSessionId(fresh.value).id).not.toBe(signedSessionId(issued.value).id);
    expect(await storedCount(store)).toBe(1);
  });

  test("when the store cannot destroy the session it answers 500 'Error logging out', and the user is still logged in", async () => {
    const store = new FailingDestroyStore();
    const client = new JarClient(createArticleApp({ store }));
    expect((await client.post('/login')).status).toBe(200);
    store.failing = true;
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

  test('one Set-Cookie clears connect.sid: empty value, Path=/, HttpOnly, SameSite=Lax, Expires in 1970, no Max-Age', async () => {
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
    const store = new FailingDestroyStore();
    const client = new JarClient(createApp({ store, secret: SECRET }));
    expect((await client.post('/login')).status).toBe(200);
    store.failing = true;
    const res = await client.post('/logout');
    expect(res.status).toBe(500);
    expect(res.text).toContain('store unavailable: could not delete the session');
    expect(setCookieLines(res)).toEqual([]);
    expect((await client.all()).map((cookie) => cookie.key)).toEqual(['connect.sid']);
    const profile = await client.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });
});

describe('a store that cannot destroy also cannot log anyone in', () => {
  test('the corrected login answers 500, because regenerate() first destroys the session ID it replaces', async () => {
    const store = new FailingDestroyStore();
    store.failing = true;
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.text).toContain('store unavailable: could not delete the session');
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

import { createHmac } from 'node:crypto';
import { MemoryStore, type SessionData } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-01-secret';

async function logIn() {
  const store = new MemoryStore();
  const app = createApp({ store, secret: SECRET });
  const res = await request(app).post('/login').expect(200);
  const cookie = requireCookie(res, 'connect.sid');
  return { store, app, res, cookie };
}

describe('what the browser keeps and what the server keeps', () => {
  test('logging in sets one cookie, connect.sid, whose value is s:<session ID>.<signature>', async () => {
    const { res, cookie } = await logIn();
    expect(res.headers['set-cookie']).toHaveLength(1);
    expect(cookie.name).toBe('connect.sid');
    expect(decodeURIComponent(cookie.value)).toMatch(/^s:[A-Za-z0-9_-]{32}\.[A-Za-z0-9+/]{43}$/);
  });

  test('the cookie carries none of the session data: it is the store key and its signature, nothing else', async () => {
    const { cookie, store } = await logIn();
    const value = decodeURIComponent(cookie.value);
    const { id, signature } = signedSessionId(cookie.value);
    // The whole value is accounted for by the ID and the signature...
    expect(value).toBe(`s:${id}.${signature}`);
    // ...the signature depends on the ID and the secret alone, not on the data...
    expect(signature).toBe(createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, ''));
    // ...and the ID is only the key under which the store keeps the data.
    expect(await storedSession(store, id)).toMatchObject({ userId: 42, username: 'ada' });
    expect(value).not.toContain('userId');
    expect(value).not.toContain('username');
  });

  test('the signature is an HMAC-SHA256 of the session ID with the secret', async () => {
    const { cookie } = await logIn();
    const { id, signature } = signedSessionId(cookie.value);
    const expected = createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '');
    expect(signature).toBe(expected);
  });

  test('the data sits in the server store under the session ID', async () => {
    const { store, cookie } = await logIn();
    const { id } = signedSessionId(cookie.value);
    const data = await storedSession(store, id);
    expect(data).toMatchObject({ userId: 42, username: 'ada' });
    expect(await storedCount(store)).toBe(1);
  });

  test('sending the cookie back lets the server find the data: the profile answers 200', async () => {
    const { app, cookie } = await logIn();
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello ada, your user ID is 42');
  });

  test('changing the data on the server changes the answer without any new cookie', async () => {
    const { app, store, cookie } = await logIn();
    const { id } = signedSessionId(cookie.value);
    const data = await storedSession(store, id);
    await new Promise<void>((resolve, reject) =>
      store.set(id, { ...(data as SessionData), username: 'grace' }, (err) => (err ? reject(err) : resolve())),
    );
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.text).toBe('Hello grace, your user ID is 42');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('without the cookie the server cannot tell who is asking: 401', async () => {
    const { app } = await logIn();
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });
});

describe('the session settings of the snippet', () => {
  test('a visitor who has not logged in gets no cookie and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    const missing = await request(app).get('/no-such-page');
    expect(missing.status).toBe(404);
    expect(missing.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('reading the profile does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ store, secret: SECRET });
    const cookie = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    const writesAfterLogin = store.writes;
    for (let i = 0; i < 3; i += 1) {
      await request(app).get('/profile').set('Cookie', cookiePair(cookie)).expect(200, 'Hello ada, your user ID is 42');
    }
    expect(store.writes).toBe(writesAfterLogin);
  });
});

describe('logging in', () => {
  test('gives the client a new session ID: the cookie it held before no longer opens the profile', async () => {
    const { app, store, cookie: before } = await logIn();
    const res = await request(app).post('/login').set('Cookie', cookiePair(before));
    expect(res.status).toBe(200);
    const after = requireCookie(res, 'connect.sid');
    expect(signedSessionId(after.value).id).not.toBe(signedSessionId(before.value).id);
    expect(await storedSession(store, signedSessionId(before.value).id)).toBeUndefined();
    const old = await request(app).get('/profile').set('Cookie', cookiePair(before));
    expect(old.status).toBe(401);
    const fresh = await request(app).get('/profile').set('Cookie', cookiePair(after));
    expect(fresh.text).toBe('Hello ada, your user ID is 42');
  });

  test('when the store cannot replace the old session (regenerate fails), the login answers 500 and logs no one in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    store.failing.add('destroy');
    const agent = request.agent(app);
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    store.failing.delete('destroy');
    // Whatever cookie the failed answer carried, it opens nothing, and no stored session holds a user.
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(401);
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
  });

  test('when the store cannot save the logged-in session, the login answers 500 and the client is not logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    store.failing.add('set');
    const agent = request.agent(app);
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    expect(await storedCount(store)).toBe(0);
    store.failing.delete('set');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(401);
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

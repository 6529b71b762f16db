import express from 'express';
import session, { MemoryStore, type SessionOptions } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { signedWith, signValue, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp, loadConfig } from './app.ts';

// Stand-ins for `openssl rand -base64 32`; never reuse test secrets anywhere.
const NEW_SECRET = 'c14-new-Zq8vKx2mP4rT7wY1bN6dF3hJ9sL0aE5u';
const OLD_SECRET = 'c14-old-Hk3nW8pQ1zX6cV4bM9tR2yU7oI5eA0sD';
const NEWER_SECRET = 'c14-newer-Lp5gT2kS8dF1hJ4mN7bV0cX3zQ6wE9r';
const PUBLIC_SECRET = 'your_secret_key';

const quiet = () => {};

describe('the secret comes from the environment', () => {
  test('in production, loadConfig takes SESSION_SECRET as the only secret, with no warnings', () => {
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: NEW_SECRET })).toEqual({
      secrets: [NEW_SECRET],
      warnings: [],
    });
  });

  test('in production without SESSION_SECRET, createApp refuses to start with a clear message', () => {
    expect(() => createApp({ env: { NODE_ENV: 'production' } })).toThrow(
      'SESSION_SECRET must be set in production (generate one with: openssl rand -base64 32)',
    );
  });

  test('in production a blank SESSION_SECRET counts as missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: '   ' })).toThrow(
      'SESSION_SECRET must be set in production',
    );
  });

  test("the article's 'your_secret_key' is refused as a well-known placeholder, in production and out of it", () => {
    const message = 'a session secret is a well-known placeholder: anyone could sign cookies with it';
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: PUBLIC_SECRET })).toThrow(message);
    expect(() => loadConfig({ NODE_ENV: 'development', SESSION_SECRET: PUBLIC_SECRET })).toThrow(message);
    expect(() => loadConfig({ SESSION_SECRET: 'keyboard cat' })).toThrow(message);
  });

  test('in production a 31-character secret is refused and a 32-character one accepted', () => {
    const secret31 = 'c14-len-Rm4tY8wQ2zK6xN1vB5pL9hD';
    const secret32 = `${secret31}3`;
    expect(secret31).toHaveLength(31);
    expect(secret32).toHaveLength(32);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret31 })).toThrow(
      'a session secret is shorter than 32 characters',
    );
    expect(() => createApp({ env: { NODE_ENV: 'production', SESSION_SECRET: secret31 }, warn: quiet })).toThrow(
      'a session secret is shorter than 32 characters',
    );
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret32 })).toEqual({
      secrets: [secret32],
      warnings: [],
    });
    expect(() => createApp({ env: { NODE_ENV: 'production', SESSION_SECRET: secret32 }, warn: quiet })).not.toThrow();
  });

  test('outside production a short secret is accepted with a warning, which createApp passes on', () => {
    expect(loadConfig({ SESSION_SECRET: 'short-dev-secret' })).toEqual({
      secrets: ['short-dev-secret'],
      warnings: ['a session secret is shorter than 32 characters'],
    });
    const seen: string[] = [];
    createApp({ env: { SESSION_SECRET: 'short-dev-secret' }, warn: (message) => seen.push(message) });
    expect(seen).toEqual(['a session secret is shorter than 32 characters']);
  });

  test('outside production without SESSION_SECRET, each start gets a fresh random secret and a warning', () => {
    const first = loadConfig({});
    const second = loadConfig({ NODE_ENV: 'development' });
    expect(first.secrets).toHaveLength(1);
    expect(first.secrets[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.secrets[0]).not.toBe(first.secrets[0]);
    expect(first.warnings).toEqual([
      'SESSION_SECRET is not set: using a random secret, sessions end when the process restarts',
    ]);
  });

  test('SESSION_PREVIOUS_SECRETS adds older secrets after the current one, in order', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: NEW_SECRET,
      SESSION_PREVIOUS_SECRETS: ` ${OLD_SECRET} ,${NEWER_SECRET},`,
    });
    expect(config.secrets).toEqual([NEW_SECRET, OLD_SECRET, NEWER_SECRET]);
  });

  test('a previous secret is held to the same rules as the current one', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: NEW_SECRET, SESSION_PREVIOUS_SECRETS: PUBLIC_SECRET }),
    ).toThrow('well-known placeholder');
  });
});

describe("the snippet's session settings", () => {
  const env = { SESSION_SECRET: NEW_SECRET };

  test('a visitor who has not logged in gets 401, no cookie, and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ env, store });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
    expect(setCookieLines(res)).toEqual([]);
    const missing = await request(app).get('/no-such-page');
    expect(missing.status).toBe(404);
    expect(setCookieLines(missing)).toEqual([]);
    expect(await storedCount(store)).toBe(0);
  });

  test('reading the profile does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ env, store });
    const cookie = cookiePair(requireCookie(await request(app).post('/login').expect(200), 'connect.sid'));
    const afterLogin = store.writes;
    for (let i = 0; i < 3; i += 1) {
      await request(app).get('/profile').set('Cookie', cookie).expect(200, 'Hello ada, your user ID is 42');
    }
    expect(store.writes).toBe(afterLogin);
  });

  test('logging in again issues a new session ID: the old one is gone from the store and no longer opens the profile', async () => {
    const store = new MemoryStore();
    const app = createApp({ env, store });
    const before = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    const res = await request(app).post('/login').set('Cookie', cookiePair(before));
    expect(res.status).toBe(200);
    const after = requireCookie(res, 'connect.sid');
    const oldId = signedSessionId(before.value).id;
    expect(signedSessionId(after.value).id).not.toBe(oldId);
    expect(await storedSession(store, oldId)).toBeUndefined();
    expect((await request(app).get('/profile').set('Cookie', cookiePair(before))).status).toBe(401);
    expect((await request(app).get('/profile').set('Cookie', cookiePair(after))).text).toBe(
      'Hello ada, your user ID is 42',
    );
  });

  for (const [when, operation] of [
    ['while regenerating the session at login', 'destroy'],
    ['to save the login', 'set'],
  ] as const) {
    test(`when the store fails ${when}, the client gets a 500 and is not logged in`, async () => {
      const store = new FailingStore();
      const app = createApp({ env, store });
      store.failing.add(operation);
      const res = await request(app).post('/login');
      expect(res.status).toBe(500);
      expect(res.text).not.toContain('Logged in');
      for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
      store.failing.delete(operation);
      // The failed answer may carry a cookie for a fresh, empty session: it opens nothing.
      const issued = cookieNamed(res, 'connect.sid');
      if (issued) expect((await request(app).get('/profile').set('Cookie', cookiePair(issued))).status).toBe(401);
    });
  }
});

describe('express-session without any secret', () => {
  test('every request fails with 500 "secret option required for sessions", even one that never reads the session', async () => {
    const app = express();
    // No secret option and no cookie-parser secret to fall back on (the types rightly insist on one).
    app.use(session({ resave: false, saveUninitialized: false } as SessionOptions));
    app.get('/hello', (_req, res) => {
      res.send('hello');
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).type('text/plain').send(err.message);
    });
    for (const path of ['/hello', '/']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(500);
      expect(res.text).toBe('secret option required for sessions');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });
});

describe('rotating the secret', () => {
  test('with a previous secret configured, new cookies are signed with the current one', async () => {
    const app = createApp({ env: { SESSION_SECRET: NEW_SECRET, SESSION_PREVIOUS_SECRETS: OLD_SECRET } });
    const cookie = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    const { id } = signedSessionId(cookie.value);
    expect(cookiePair(cookie)).toBe(`connect.sid=${signValue(id, NEW_SECRET)}`);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
  });

  test('a cookie signed with the previous secret is still accepted, and it is not re-signed', async () => {
    const store = new MemoryStore();
    const before = createApp({ env: { SESSION_SECRET: OLD_SECRET }, store });
    const oldCookie = requireCookie(await request(before).post('/login').expect(200), 'connect.sid');
    const after = createApp({ env: { SESSION_SECRET: NEW_SECRET, SESSION_PREVIOUS_SECRETS: OLD_SECRET }, store });
    const res = await request(after).get('/profile').set('Cookie', cookiePair(oldCookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello ada, your user ID is 42');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('once the old secret is removed, its cookies get a fresh, empty session: 401 and no cookie', async () => {
    const store = new MemoryStore();
    const before = createApp({ env: { SESSION_SECRET: OLD_SECRET }, store });
    const oldCookie = requireCookie(await request(before).post('/login').expect(200), 'connect.sid');
    const later = createApp({ env: { SESSION_SECRET: NEWER_SECRET, SESSION_PREVIOUS_SECRETS: NEW_SECRET }, store });
    const res = await request(later).get('/profile').set('Cookie', cookiePair(oldCookie));
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
    expect(res.headers['set-cookie']).toBeUndefined();
    // The data is still in the store, unreachable, until it expires.
    expect(await storedIds(store)).toEqual([signedSessionId(oldCookie.value).id]);
  });
});

describe("the article's hard-coded secret", () => {
  test("knowing a session ID and the article's public secret is enough to take over the session", async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    await request(app).post('/login').expect(200); // the victim logs in
    // The attacker has the raw ID only (store keys, logs, an admin page), never the cookie.
    const [id] = await storedIds(store);
    expect(id).toBeDefined();
    const res = await request(app)
      .get('/profile')
      .set('Cookie', `connect.sid=${signValue(id as string, PUBLIC_SECRET)}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test("the article's resave: false: reading the profile does not write the unchanged session back", async () => {
    const store = new CountingStore();
    const app = createArticleApp({ store });
    const cookie = cookiePair(requireCookie(await request(app).post('/login').expect(200), 'connect.sid'));
    const afterLogin = store.writes;
    for (let i = 0; i < 2; i += 1) {
      await request(app).get('/profile').set('Cookie', cookie).expect(200, 'User profile for user ID: 1');
    }
    expect(afterLogin).toBe(1);
    expect(store.writes).toBe(afterLogin);
  });

  test('the same ID signed with any other secret is rejected: the signature is the only barrier', async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    await request(app).post('/login').expect(200);
    const [id] = await storedIds(store);
    const res = await request(app)
      .get('/profile')
      .set('Cookie', `connect.sid=${signValue(id as string, 'a-guess')}`);
    expect(res.text).toBe('User not logged in');
    const issued = requireCookie(res, 'connect.sid');
    expect(signedSessionId(issued.value).id).not.toBe(id);
  });

  test("the chapter's app, with its secret from the environment, rejects a cookie signed with the public secret", async () => {
    const store = new MemoryStore();
    const app = createApp({ env: { SESSION_SECRET: NEW_SECRET }, store });
    await request(app).post('/login').expect(200);
    const [id] = await storedIds(store);
    const res = await request(app)
      .get('/profile')
      .set('Cookie', `connect.sid=${signValue(id as string, PUBLIC_SECRET)}`);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

// The secret's source, against the app built with its defaults (no `env` passed: it reads
// process.env). The shared describeSecretSource starts the production app with a 19-character
// secret, which this chapter's app rightly refuses (shorter than 32 characters), so its claims are here.
describe('the app built with its defaults reads process.env', () => {
  const build = (vars: Record<string, string | undefined>, store = new MemoryStore()) =>
    withEnv(vars, () => createApp({ store, warn: quiet }));

  test('with SESSION_SECRET set in process.env, the connect.sid cookie is signed with exactly that secret', async () => {
    const app = build({ SESSION_SECRET: NEW_SECRET, SESSION_PREVIOUS_SECRETS: undefined, NODE_ENV: 'test' });
    const cookie = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    expect(signedWith(cookie.value, NEW_SECRET)).toBe(true);
    expect((await request(app).get('/profile').set('Cookie', cookiePair(cookie))).status).toBe(200);
  });

  test('in production without SESSION_SECRET in process.env, the app refuses to start, naming the variable', () => {
    expect(() => build({ SESSION_SECRET: undefined, NODE_ENV: 'production' })).toThrow(
      'SESSION_SECRET must be set in production',
    );
  });

  test('in production with a strong SESSION_SECRET in process.env, the app starts and signs with it', async () => {
    const app = build({ SESSION_SECRET: NEW_SECRET, SESSION_PREVIOUS_SECRETS: undefined, NODE_ENV: 'production' });
    const cookie = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    expect(signedWith(cookie.value, NEW_SECRET)).toBe(true);
  });

  test('outside production without SESSION_SECRET, each start signs with a new random secret: a cookie from one start is not honoured by the next, even with the same store', async () => {
    const store = new MemoryStore();
    const vars = { SESSION_SECRET: undefined, SESSION_PREVIOUS_SECRETS: undefined, NODE_ENV: 'development' };
    const [first, second] = [build(vars, store), build(vars, store)];
    const cookie = cookiePair(requireCookie(await request(first).post('/login').expect(200), 'connect.sid'));
    expect((await request(first).get('/profile').set('Cookie', cookie)).status).toBe(200);
    expect((await request(second).get('/profile').set('Cookie', cookie)).status).toBe(401);
  });
});

describeHostileInput({
  createApp: () => createApp({ env: { NODE_ENV: 'production', SESSION_SECRET: NEW_SECRET }, warn: quiet }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

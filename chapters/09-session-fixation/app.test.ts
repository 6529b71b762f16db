import { createHmac } from 'node:crypto';
import { MemoryStore } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, cookieNamed, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { type App, JarClient } from '../../src/testkit/jar-client.ts';
import { storedIds, storedSession } from '../../src/testkit/store.ts';
import { createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-09-secret';

/** The attacker visits `path` and keeps the session cookie the app hands out. */
async function attackerGetsAnId(app: App, path: string) {
  const res = await request(app).get(path);
  const cookie = requireCookie(res, 'connect.sid');
  return { res, cookie, id: signedSessionId(cookie.value).id };
}

/** The victim's client, with the attacker's cookie planted in its jar (by a subdomain, an XSS, a shared machine). */
async function victimWithPlantedCookie(app: App, planted: string): Promise<JarClient> {
  const victim = new JarClient(app);
  await victim.plant(`connect.sid=${planted}; Path=/; HttpOnly`);
  return victim;
}

describe("the article's login: the ID from before login stays valid after it", () => {
  test('any visit hands out a session ID before login, because saveUninitialized is true', async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    const { res, id } = await attackerGetsAnId(app, '/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
    expect(await storedIds(store)).toEqual([id]);
  });

  test("the victim's login keeps the planted ID: the login response sets no new cookie", async () => {
    const app = createArticleApp();
    const attacker = await attackerGetsAnId(app, '/profile');
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    const login = await victim.post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    expect(setCookieLines(login)).toEqual([]);
    const jar = await victim.cookies();
    expect(jar.map((c) => `${c.key}=${c.value}`)).toEqual([cookiePair(attacker.cookie)]);
  });

  test("the attacker's copy of the planted cookie now opens the victim's profile", async () => {
    const app = createArticleApp();
    const attacker = await attackerGetsAnId(app, '/profile');
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    await victim.post('/login');
    const res = await request(app).get('/profile').set('Cookie', cookiePair(attacker.cookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('an ID the attacker invents is not adopted, even signed with the known secret: a real one must be fetched first', async () => {
    const app = createArticleApp();
    const invented = 'attacker-chosen-session-id-000000';
    const signature = createHmac('sha256', 'your_secret_key').update(invented).digest('base64').replace(/=+$/, '');
    const res = await request(app).get('/profile').set('Cookie', `connect.sid=${encodeURIComponent(`s:${invented}.${signature}`)}`);
    const issued = requireCookie(res, 'connect.sid');
    expect(signedSessionId(issued.value).id).not.toBe(invented);
  });
});

describe('regenerating the session at login defeats fixation', () => {
  test('an attacker can still get a session ID before login, from any page that uses the session', async () => {
    const app = createApp({ secret: SECRET });
    const { res } = await attackerGetsAnId(app, '/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Visits this session: 1');
  });

  test('pages that do not touch the session hand out no ID (saveUninitialized: false)', async () => {
    const app = createApp({ secret: SECRET });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(cookieNamed(res, 'connect.sid')).toBeUndefined();
  });

  test('the login response sets a new session ID, different from the planted one', async () => {
    const app = createApp({ secret: SECRET });
    const attacker = await attackerGetsAnId(app, '/');
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    const login = await victim.post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('Logged in');
    const issued = requireCookie(login, 'connect.sid');
    expect(signedSessionId(issued.value).id).not.toBe(attacker.id);
    expect(issued.httpOnly).toBe(true);
    expect(issued.path).toBe('/');
    expect(issued.sameSite).toBe('Lax');
    expect(issued.expires).toBeUndefined();
    expect(issued.maxAge).toBeUndefined();
    const jar = await victim.cookies();
    expect(jar.map((c) => `${c.key}=${c.value}`)).toEqual([cookiePair(issued)]);
  });

  test("the planted ID is worthless after the victim's login: 401 Not logged in", async () => {
    const app = createApp({ secret: SECRET });
    const attacker = await attackerGetsAnId(app, '/');
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    await victim.post('/login');
    const res = await request(app).get('/profile').set('Cookie', cookiePair(attacker.cookie));
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });

  test('the pre-login session is gone from the store; only the new one is there', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const attacker = await attackerGetsAnId(app, '/');
    expect(await storedSession(store, attacker.id)).toMatchObject({ views: 1 });
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    const login = await victim.post('/login');
    const newId = signedSessionId(requireCookie(login, 'connect.sid').value).id;
    expect(await storedSession(store, attacker.id)).toBeUndefined();
    expect(await storedIds(store)).toEqual([newId]);
    expect(await storedSession(store, newId)).toMatchObject({ userId: 42, username: 'ada' });
  });

  test('the session is saved before the answer: the very next request with the new cookie is logged in', async () => {
    const app = createApp({ secret: SECRET });
    const attacker = await attackerGetsAnId(app, '/');
    const victim = await victimWithPlantedCookie(app, attacker.cookie.value);
    await victim.post('/login');
    const res = await victim.get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello ada, your user ID is 42');
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

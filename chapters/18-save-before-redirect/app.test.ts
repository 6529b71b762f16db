import { request as httpRequest, type IncomingMessage, type RequestListener } from 'node:http';
import { MemoryStore, type SessionData } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { describeSecretSource, signedWith } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';
import { createApp as createRedirectWithoutSave } from './pitfall-redirect-without-save.ts';
import { SlowStore } from './slow-store.ts';

const SECRET = 'chapter-18-secret';

const servers = new LoopbackServers();
afterAll(() => servers.closeAll());

interface Timeline {
  response: IncomingMessage;
  /** The session ID the response's cookie carries. */
  id: string;
  /** What the store held for that ID at the moment the response headers arrived. */
  storedAtHeaders: SessionData | null | undefined;
  /** Each body chunk: bytes, and whether it arrived after the test released the store's writes. */
  chunks: Array<{ bytes: number; afterRelease: boolean }>;
  /** Whether the response had ended once all but the last byte of its body had arrived, before the release. */
  endedBeforeRelease: boolean;
  /** What the store held for that ID just before the release. */
  storedBeforeRelease: SessionData | null | undefined;
  /** What the store held for that ID at the moment the response ended. */
  storedAtEnd: SessionData | null | undefined;
  body: string;
}

/**
 * POST /login with a raw client that notes what arrives before and after the test releases the
 * store's writes: it waits for the headers and all but the last byte of the body (Content-Length
 * says how many), lets the event loop turn once more, then calls store.release() and waits for the end.
 */
async function postLogin(app: RequestListener, store: SlowStore): Promise<Timeline> {
  const { port } = await servers.start(app);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/login', method: 'POST', headers: { accept: 'text/plain' } },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  // The body does not flow until a 'data' listener is attached, so nothing is missed meanwhile.
  const { id } = signedSessionId(requireCookie(response, 'connect.sid').value);
  const atHeaders = storedSession(store, id); // MemoryStore reads at call time, answers on the next turn
  const length = Number(response.headers['content-length']);
  const chunks: Timeline['chunks'] = [];
  let body = '';
  let released = false;
  let ended = false;
  let atEnd: Promise<SessionData | null | undefined> | undefined;
  const end = new Promise<void>((resolve, reject) => {
    response.on('end', () => {
      ended = true;
      atEnd = storedSession(store, id);
      resolve();
    });
    response.on('error', reject);
  });
  await new Promise<void>((resolve) => {
    let arrived = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push({ bytes: chunk.length, afterRelease: released });
      body += chunk.toString('utf8');
      arrived += chunk.length;
      if (arrived >= length - 1) resolve();
    });
  });
  await new Promise((resolve) => setImmediate(resolve));
  const endedBeforeRelease = ended;
  const storedBeforeRelease = await storedSession(store, id);
  released = true;
  store.release();
  await end;
  return {
    response,
    id,
    storedAtHeaders: await atHeaders,
    chunks,
    endedBeforeRelease,
    storedBeforeRelease,
    storedAtEnd: await atEnd,
    body,
  };
}

describe('redirecting without save(): what express-session does on its own', () => {
  test('with a store whose write lands late, the 302’s headers and all but the last byte of its body leave before the store has the session', async () => {
    const store = new SlowStore({ hold: true });
    const t = await postLogin(createRedirectWithoutSave({ store, secret: SECRET }), store);
    expect(t.response.statusCode).toBe(302);
    expect(t.response.headers.location).toBe('/profile');
    expect(t.body).toBe('Found. Redirecting to /profile');
    expect(t.storedAtHeaders).toBeUndefined();
    const before = t.chunks.filter((c) => !c.afterRelease);
    expect(before.reduce((sum, c) => sum + c.bytes, 0)).toBe(t.body.length - 1);
    expect(t.storedBeforeRelease).toBeUndefined();
    expect(t.chunks.filter((c) => c.afterRelease)).toEqual([{ bytes: 1, afterRelease: true }]);
  });

  test('with a store whose write lands late, the last byte waits for it: the response ends only once the session is saved', async () => {
    const store = new SlowStore({ hold: true });
    const t = await postLogin(createRedirectWithoutSave({ store, secret: SECRET }), store);
    expect(t.storedBeforeRelease).toBeUndefined();
    expect(t.endedBeforeRelease).toBe(false);
    expect(t.chunks.at(-1)).toEqual({ bytes: 1, afterRelease: true });
    expect(t.storedAtEnd).toMatchObject({ userId: 1 });
  });

  test('so even with a store whose write lands late, a client that reads the whole response before its next request finds the login', async () => {
    const agent = request.agent(createRedirectWithoutSave({ store: new SlowStore(), secret: SECRET }));
    const login = await agent.post('/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/profile');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });

  test('but with a store whose write lands late, a client that follows the redirect on the headers (superagent’s .redirects()) lands on 401', async () => {
    const store = new SlowStore({ hold: true });
    // A server the test runs (supertest would close its own after the request and wait for the held response).
    const { origin } = await servers.start(createRedirectWithoutSave({ store, secret: SECRET }));
    const agent = request.agent(origin);
    try {
      const res = await agent.post('/login').redirects(1);
      expect(res.redirects).toHaveLength(1);
      expect(res.status).toBe(401);
      expect(res.text).toBe('Not logged in');
      expect(store.writes).toBe(1); // the login's write, asked for and still held
    } finally {
      store.release();
    }
  });
});

describe('save() before the redirect', () => {
  test('with a store whose write lands late, no header leaves before the store has the session', async () => {
    const store = new SlowStore();
    const t = await postLogin(createApp({ store, secret: SECRET }), store);
    expect(t.response.statusCode).toBe(302);
    expect(t.response.headers.location).toBe('/profile');
    expect(t.storedAtHeaders).toMatchObject({ userId: 1 });
  });

  test('with a store whose write lands late, a client that follows the redirect on the headers lands on the profile, logged in', async () => {
    const agent = request.agent(createApp({ store: new SlowStore(), secret: SECRET }));
    const res = await agent.post('/login').redirects(1);
    expect(res.redirects).toHaveLength(1);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('after regenerate(), express-session writes the session a second time as the response ends: two writes, not one', async () => {
    const store = new SlowStore();
    const res = await request(createApp({ store, secret: SECRET })).post('/login');
    expect(res.status).toBe(302);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.path).toBe('/');
    expect(store.writes).toBe(2);
  });
});

describe('the slow store the handbook wrote for this chapter', () => {
  /** A session as express-session would hand it to a store. */
  const session = { cookie: { originalMaxAge: null, path: '/', httpOnly: true }, userId: 1 } as unknown as SessionData;

  test('a write lands delayMs after it is asked for, not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const store = new SlowStore({ delayMs: 100 });
      let landed = false;
      store.set('sid', session, () => (landed = true));
      await vi.advanceTimersByTimeAsync(99);
      expect(landed).toBe(false);
      expect(await storedCount(store)).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(landed).toBe(true);
      expect(await storedSession(store, 'sid')).toMatchObject({ userId: 1 });
      expect(store.writes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test('with hold: true a write waits for release(), however long that takes; then it lands and writes stop being held', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const store = new SlowStore({ delayMs: 100, hold: true });
      let landed = false;
      store.set('sid', session, () => (landed = true));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(landed).toBe(false);
      expect(await storedCount(store)).toBe(0);
      store.release();
      await new Promise((resolve) => setImmediate(resolve)); // MemoryStore calls back on the next turn
      expect(landed).toBe(true);
      expect(await storedSession(store, 'sid')).toMatchObject({ userId: 1 });
      expect(store.hold).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the pitfall has one mistake only', () => {
  test('apart from the missing save(), the pitfall is the snippet: its login regenerates the session and signs the cookie with the given secret', async () => {
    const store = new MemoryStore();
    const app = createRedirectWithoutSave({ store, secret: SECRET });
    const agent = request.agent(app);
    const first = requireCookie(await agent.post('/login').expect(302), 'connect.sid');
    const second = requireCookie(await agent.post('/login').expect(302), 'connect.sid');
    expect(signedWith(second.value, SECRET)).toBe(true);
    expect(signedSessionId(second.value).id).not.toBe(signedSessionId(first.value).id);
    await request(app).get('/profile').set('Cookie', cookiePair(first)).expect(401, 'Not logged in');
    await request(app).get('/profile').set('Cookie', cookiePair(second)).expect(200, 'User profile for user ID: 1');
    expect(await storedIds(store)).toEqual([signedSessionId(second.value).id]);
  });
});

describe('the article’s login with its own store', () => {
  test('with the article’s own in-memory store, the login is in the store before its headers arrive: a request sent on the headers finds it', async () => {
    const store = new MemoryStore();
    const { port, origin } = await servers.start(createArticleApp(store));
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/login', method: 'POST' }, resolve);
      req.on('error', reject);
      req.end();
    });
    const cookie = requireCookie(response, 'connect.sid');
    expect(await storedSession(store, signedSessionId(cookie.value).id)).toMatchObject({ userId: 1 });
    // The next request leaves before this body is read, as fetch() lets a page script do.
    const profile = await request(origin).get('/profile').set('Cookie', cookiePair(cookie));
    expect(profile.text).toBe('User profile for user ID: 1');
    response.resume();
  });
});

describe('the rest of the snippet', () => {
  test('anonymous requests store nothing and get no cookie (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: SECRET, store });
    for (const path of ['/', '/profile']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(path === '/' ? 200 : 401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
  });

  test('logging in again issues a new session ID: the old ID opens nothing and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: SECRET, store });
    const agent = request.agent(app);
    const first = requireCookie(await agent.post('/login').expect(302), 'connect.sid');
    const second = requireCookie(await agent.post('/login').expect(302), 'connect.sid');
    expect(signedSessionId(second.value).id).not.toBe(signedSessionId(first.value).id);
    await request(app).get('/profile').set('Cookie', cookiePair(first)).expect(401, 'Not logged in');
    await request(app).get('/profile').set('Cookie', cookiePair(second)).expect(200, 'User profile for user ID: 1');
    expect(await storedIds(store)).toEqual([signedSessionId(second.value).id]);
  });

  test('when the store cannot replace the old session at login, the client gets a 500, no redirect, and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    store.failing.add('destroy'); // regenerate() destroys the old session first
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.headers.location).toBeUndefined();
    store.failing.clear();
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
    await agent.get('/profile').expect(401, 'Not logged in');
  });

  test('when the store cannot save the login, the client gets a 500, no redirect, and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    store.failing.add('set');
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.headers.location).toBeUndefined();
    store.failing.clear();
    expect(await storedCount(store)).toBe(0);
    await agent.get('/profile').expect(401, 'Not logged in');
  });

  test('a session that did not change is not written back to the store on each request (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ secret: SECRET, store }));
    await agent.post('/login').expect(302);
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await agent.get('/profile').expect(200, 'User profile for user ID: 1');
    expect(store.writes).toBe(afterLogin);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').expect(302),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

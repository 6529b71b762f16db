import { MemoryStore, type SessionData } from 'express-session';
import request from 'supertest';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedSession as stored } from '../../src/testkit/store.ts';
import { createApp } from './app.ts';
import { createRaceDemoApp } from './pitfall-race-demo.ts';

const SECRET = 'chapter-19-secret';
const THIRTY_MINUTES = 30 * 60 * 1000;

/** The write methods express-session called on a CountingStore: how many `set`s and `touch`es. */
function storeCalls(store: CountingStore): { writes: number; touches: number } {
  return { writes: store.writes, touches: store.touches };
}

/** Real servers on loopback ports, so that overlapping requests really overlap. */
const servers = new LoopbackServers();
afterEach(async () => {
  vi.useRealTimers();
  await servers.closeAll();
});

/**
 * A gate for GET /slow, held by the test: `reached` resolves once /slow has loaded its session and
 * is waiting at the gate; /slow answers only after `open()`.
 */
function slowGate() {
  let reachedGate!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reachedGate = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    gate: () => {
      reachedGate();
      return opened;
    },
  };
}

/**
 * The race: a visit creates the session, GET /slow starts with it, POST /login lands while /slow
 * is still waiting, then /slow finishes. Returns what the profile says at each point.
 */
async function race(resave: boolean) {
  const slowRoute = slowGate();
  const { server } = await servers.start(createRaceDemoApp({ resave, slowGate: slowRoute.gate }));
  const agent = request.agent(server);
  await agent.get('/visit').expect(200, 'Visit number 1');
  const slow = agent.get('/slow').then((res) => res); // starts now, answers once the gate opens
  await slowRoute.reached; // /slow has loaded the anonymous session and waits
  const login = await agent.post('/login');
  const during = await agent.get('/profile');
  slowRoute.open();
  const slowRes = await slow;
  const after = await agent.get('/profile');
  return { login, during, slowRes, after };
}

describe('two overlapping requests on one session', () => {
  test('with resave: true, a slow read-only request that began before the login writes its stale copy back and erases the login', async () => {
    const { login, during, slowRes, after } = await race(true);
    expect(login.status).toBe(200);
    expect(during.status).toBe(200);
    expect(during.text).toBe('User profile for user ID: 7');
    expect(slowRes.status).toBe(200);
    expect(slowRes.text).toBe('Slow report for a visitor with 1 visit(s)');
    expect(after.status).toBe(401);
    expect(after.text).toBe('Not logged in');
  });

  test('with resave: false, the same overlap keeps the login: the slow request writes nothing back, to the store or to the cookie', async () => {
    const { login, during, slowRes, after } = await race(false);
    expect(login.status).toBe(200);
    expect(during.text).toBe('User profile for user ID: 7');
    expect(slowRes.text).toBe('Slow report for a visitor with 1 visit(s)');
    expect(slowRes.headers['set-cookie']).toBeUndefined(); // the demo, like the snippet, leaves rolling off
    expect(after.status).toBe(200);
    expect(after.text).toBe('User profile for user ID: 7');
  });

  test('the recommended app (resave: false, regenerate on login, rolling off) keeps the login through the same overlap', async () => {
    const slowRoute = slowGate();
    const { server } = await servers.start(createApp({ secret: SECRET, slowGate: slowRoute.gate }));
    const agent = request.agent(server);
    const visit = await agent.get('/visit');
    const before = signedSessionId(requireCookie(visit, 'connect.sid').value).id;
    const slow = agent.get('/slow').then((res) => res);
    await slowRoute.reached;
    const login = await agent.post('/login').expect(200, 'Logged in');
    expect(signedSessionId(requireCookie(login, 'connect.sid').value).id).not.toBe(before);
    slowRoute.open();
    const slowRes = await slow;
    expect(slowRes.headers['set-cookie']).toBeUndefined();
    const after = await agent.get('/profile');
    expect(after.status).toBe(200);
    expect(after.text).toBe('User profile for user ID: 7');
  });

  test('with rolling: true, the slow response re-sends the pre-login cookie and a cookie jar that keeps the latest cookie ends up logged out', async () => {
    const slowRoute = slowGate();
    const { server } = await servers.start(createApp({ secret: SECRET, rolling: true, slowGate: slowRoute.gate }));
    const agent = request.agent(server);
    const visit = await agent.get('/visit');
    const before = signedSessionId(requireCookie(visit, 'connect.sid').value).id;
    const slow = agent.get('/slow').then((res) => res);
    await slowRoute.reached;
    const login = await agent.post('/login').expect(200);
    expect(signedSessionId(requireCookie(login, 'connect.sid').value).id).not.toBe(before);
    slowRoute.open();
    const slowRes = await slow;
    // The stale response carries the old, already destroyed session ID and overwrites the new one.
    expect(signedSessionId(requireCookie(slowRes, 'connect.sid').value).id).toBe(before);
    const after = await agent.get('/profile');
    expect(after.status).toBe(401);
    expect(after.text).toBe('Not logged in');
  });
});

describe('touch: keeping a session alive without rewriting it', () => {
  async function loggedIn(store: MemoryStore, options: { rolling?: boolean } = {}) {
    const app = createApp({ store, secret: SECRET, ...options });
    const login = await request(app).post('/login').expect(200);
    const cookie = requireCookie(login, 'connect.sid');
    return { app, cookie, id: signedSessionId(cookie.value).id };
  }

  test('the login cookie expires 30 minutes after the login (an Expires date, no Max-Age attribute), HttpOnly, SameSite=Lax, Path=/, no Secure', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T10:00:00Z'));
    const { cookie } = await loggedIn(new MemoryStore());
    expect(cookie.expires?.toISOString()).toBe('2030-01-01T10:30:00.000Z');
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
  });

  test("the snippet's login writes the session twice: once in save(), once more as the response ends", async () => {
    const store = new CountingStore();
    await loggedIn(store);
    // express-session compares the regenerated session with the ID the request started with.
    expect(storeCalls(store)).toEqual({ writes: 2, touches: 0 });
  });

  test('with resave: false, a request that changes nothing calls store.touch once and store.set never', async () => {
    const store = new CountingStore();
    const { app, cookie } = await loggedIn(store);
    store.writes = 0;
    store.touches = 0;
    await request(app).get('/profile').set('Cookie', cookiePair(cookie)).expect(200, 'User profile for user ID: 7');
    expect(storeCalls(store)).toEqual({ writes: 0, touches: 1 });
  });

  test('with resave: true, the same request calls store.set instead, rewriting the whole session', async () => {
    const store = new CountingStore();
    const agent = request.agent(createRaceDemoApp({ resave: true, store }));
    await agent.get('/visit').expect(200);
    await agent.post('/login').expect(200);
    store.writes = 0;
    store.touches = 0;
    await agent.get('/profile').expect(200, 'User profile for user ID: 7');
    expect(storeCalls(store)).toEqual({ writes: 1, touches: 0 });
  });

  test('express-session calls touch for an unmodified session even when the cookie has no maxAge', async () => {
    const store = new CountingStore();
    const agent = request.agent(createRaceDemoApp({ resave: false, store }));
    const visit = await agent.get('/visit').expect(200);
    expect(requireCookie(visit, 'connect.sid').maxAge).toBeUndefined();
    expect(requireCookie(visit, 'connect.sid').expires).toBeUndefined();
    store.writes = 0;
    store.touches = 0;
    await agent.get('/profile').expect(401);
    expect(storeCalls(store)).toEqual({ writes: 0, touches: 1 });
  });

  test('touch moves the stored expiry forward by the time elapsed and leaves the data as it was', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T10:00:00Z'));
    const store = new MemoryStore();
    const { app, cookie, id } = await loggedIn(store);
    const first = await stored(store, id);
    expect(new Date(String(first?.cookie.expires)).toISOString()).toBe('2030-01-01T10:30:00.000Z');
    vi.setSystemTime(new Date('2030-01-01T10:10:00Z'));
    await request(app).get('/profile').set('Cookie', cookiePair(cookie)).expect(200);
    const second = await stored(store, id);
    expect(new Date(String(second?.cookie.expires)).toISOString()).toBe('2030-01-01T10:40:00.000Z');
    expect(second?.userId).toBe(7);
  });

  test('without rolling, that unmodified request sends no Set-Cookie: the browser keeps the expiry the login gave it', async () => {
    const { app, cookie } = await loggedIn(new MemoryStore());
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('with rolling: true, every response re-sends the cookie with an Expires 30 minutes from now', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T10:00:00Z'));
    const { app, cookie } = await loggedIn(new MemoryStore(), { rolling: true });
    vi.setSystemTime(new Date('2030-01-01T10:10:00Z'));
    const res = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    const again = requireCookie(res, 'connect.sid');
    expect(again.value).toBe(cookie.value);
    expect(again.expires?.toISOString()).toBe(
      new Date(Date.parse('2030-01-01T10:10:00Z') + THIRTY_MINUTES).toISOString(),
    );
    expect(again.maxAge).toBeUndefined();
    expect(again.httpOnly).toBe(true);
    expect(again.sameSite).toBe('Lax');
    expect(again.secure).toBeUndefined();
  });
});

describe('expiry on the server', () => {
  async function loggedInAt(store: MemoryStore, time: string) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(time));
    const app = createApp({ store, secret: SECRET });
    const login = await request(app).post('/login').expect(200, 'Logged in');
    return { app, cookie: cookiePair(requireCookie(login, 'connect.sid')) };
  }

  test("with the snippet's MemoryStore, a session ends 30 minutes after its last request, and each request (a touch) moves that end", async () => {
    const { app, cookie } = await loggedInAt(new MemoryStore(), '2030-01-01T10:00:00Z');
    vi.setSystemTime(new Date('2030-01-01T10:20:00Z'));
    await request(app).get('/profile').set('Cookie', cookie).expect(200, 'User profile for user ID: 7');
    // 45 minutes after the login, but only 25 after the last request: still alive.
    vi.setSystemTime(new Date('2030-01-01T10:45:00Z'));
    await request(app).get('/profile').set('Cookie', cookie).expect(200, 'User profile for user ID: 7');
    // 31 minutes idle: the store has expired it, whatever cookie the client still sends.
    vi.setSystemTime(new Date('2030-01-01T11:16:00Z'));
    await request(app).get('/profile').set('Cookie', cookie).expect(401, 'Not logged in');
  });

  test('with a store that has no touch method, an active session still ends 30 minutes after its last write', async () => {
    const store = new MemoryStore();
    Object.defineProperty(store, 'touch', { value: undefined });
    const { app, cookie } = await loggedInAt(store, '2030-01-01T10:00:00Z');
    vi.setSystemTime(new Date('2030-01-01T10:20:00Z'));
    await request(app).get('/profile').set('Cookie', cookie).expect(200, 'User profile for user ID: 7');
    vi.setSystemTime(new Date('2030-01-01T10:31:00Z'));
    await request(app).get('/profile').set('Cookie', cookie).expect(401, 'Not logged in');
  });

  test('with no cookie maxAge (the race demo), a MemoryStore session never expires on the server: a year later the same cookie still finds it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T10:00:00Z'));
    const store = new MemoryStore();
    const app = createRaceDemoApp({ resave: false, store });
    const visit = await request(app).get('/visit').expect(200, 'Visit number 1');
    const cookie = requireCookie(visit, 'connect.sid');
    expect(cookie.expires).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
    expect((await stored(store, signedSessionId(cookie.value).id))?.cookie.expires).toBeNull();
    vi.setSystemTime(new Date('2031-01-01T10:00:00Z'));
    await request(app).get('/visit').set('Cookie', cookiePair(cookie)).expect(200, 'Visit number 2');
  });
});

/** How many sessions in the store hold a logged-in user. */
async function loggedInSessions(store: MemoryStore): Promise<number> {
  const sessions = await new Promise<Record<string, SessionData>>((resolve, reject) =>
    store.all((err, all) => (err ? reject(err) : resolve((all ?? {}) as Record<string, SessionData>))),
  );
  return Object.values(sessions).filter((s) => s.userId !== undefined).length;
}

describe("the snippet's login and logout", () => {
  test('an anonymous request gets no cookie and leaves the store empty (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    const slow = await request(app).get('/slow');
    expect(slow.status).toBe(200);
    expect(slow.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('the race demo, too, stores nothing and sets no cookie until a request writes to the session', async () => {
    const store = new MemoryStore();
    const app = createRaceDemoApp({ resave: false, store });
    const res = await request(app).get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('the login moves the client to a new session ID; the pre-login ID does not open the profile and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const visit = await request(app).get('/visit').expect(200, 'Visit number 1');
    const before = requireCookie(visit, 'connect.sid');
    const login = await request(app).post('/login').set('Cookie', cookiePair(before)).expect(200, 'Logged in');
    const after = requireCookie(login, 'connect.sid');
    const oldId = signedSessionId(before.value).id;
    expect(signedSessionId(after.value).id).not.toBe(oldId);
    expect(await stored(store, oldId)).toBeUndefined();
    await request(app).get('/profile').set('Cookie', cookiePair(before)).expect(401, 'Not logged in');
    await request(app).get('/profile').set('Cookie', cookiePair(after)).expect(200, 'User profile for user ID: 7');
  });

  test('when the store cannot delete the old session, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    store.failing.add('destroy');
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    expect(await loggedInSessions(store)).toBe(0);
    // express-session has already swapped in a new, empty session (chapter 21): its cookie opens nothing.
    store.failing.clear();
    const issued = cookieNamed(res, 'connect.sid');
    if (issued) await request(app).get('/profile').set('Cookie', cookiePair(issued)).expect(401, 'Not logged in');
  });

  test('when the store cannot save the login, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    store.failing.add('set');
    const res = await request(app).post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged in');
    expect(await loggedInSessions(store)).toBe(0);
    store.failing.clear();
    const issued = cookieNamed(res, 'connect.sid');
    if (issued) await request(app).get('/profile').set('Cookie', cookiePair(issued)).expect(401, 'Not logged in');
  });

  test('logout deletes the session from the store and expires the connect.sid cookie on Path=/; the old cookie then gets 401', async () => {
    const store = new MemoryStore();
    const app = createApp({ store, secret: SECRET });
    const login = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    const id = signedSessionId(login.value).id;
    const res = await request(app).post('/logout').set('Cookie', cookiePair(login));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Logged out');
    expect(await stored(store, id)).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
    const cleared = requireCookie(res, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    expect(cleared.path).toBe('/');
    expect(cleared.domain).toBeUndefined();
    expect(cleared.httpOnly).toBe(true);
    expect(cleared.sameSite).toBe('Lax');
    await request(app).get('/profile').set('Cookie', cookiePair(login)).expect(401, 'Not logged in');
  });

  test('when the store cannot delete the session, the logout answers 500, clears no cookie, and the session still works', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    const login = requireCookie(await request(app).post('/login').expect(200), 'connect.sid');
    store.failing.add('destroy');
    const res = await request(app).post('/logout').set('Cookie', cookiePair(login));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('Logged out');
    expect(res.headers['set-cookie']).toBeUndefined();
    store.failing.clear();
    await request(app).get('/profile').set('Cookie', cookiePair(login)).expect(200, 'User profile for user ID: 7');
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

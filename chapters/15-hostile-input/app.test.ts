import type { Server } from 'node:http';
import express from 'express';
import { MemoryStore, Store, type SessionData } from 'express-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, setCookies, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { listenOnLoopback, type LoopbackServer } from '../../src/testkit/http.ts';
import { describeSecretSource, signValue, signedWith, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'c15-Rk7pW2xN9qT4vB6mZ1cY8sD3fG5hJ0aL';

/** What a stack trace or a server file path looks like in a response body. */
const STACK_LINE = /^\s*at .+/m;
const FILE_PATH = /(\/[\w.-]+){2,}\.(ts|js|mjs|cjs)|node_modules/;

/** State shared by the table: one server, one logged-in bystander. */
interface World {
  server: Server;
  store: MemoryStore;
  /** grace's real `connect.sid=…` pair. */
  bystanderCookie: string;
  /** grace's raw session ID. */
  bystanderId: string;
}

type Expected = { status: number; body?: unknown; text?: string };

interface HostileCase {
  /** The claim, as the test's name. */
  name: string;
  send: (world: World) => request.Test;
  expected: Expected;
  /** Extra checks on the response. */
  check?: (res: request.Response) => void;
}

const NOT_LOGGED_IN: Expected = { status: 401, body: { error: 'not logged in' } };
const profileWith = (cookie: string) => (w: World) => request(w.server).get('/profile').set('Cookie', cookie);
const profileWithW = (cookie: (w: World) => string) => (w: World) =>
  request(w.server).get('/profile').set('Cookie', cookie(w));
const login =
  (body: string, type = 'application/json') =>
  (w: World) =>
    request(w.server).post('/login').set('Content-Type', type).send(body);
const noCookieSet = (res: request.Response) => expect(res.headers['set-cookie']).toBeUndefined();

const cases: HostileCase[] = [
  // Session cookies
  {
    name: 'no cookie at all: 401 not logged in',
    send: (w) => request(w.server).get('/profile'),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: "the bystander's session ID without its signature: 401, no session",
    send: profileWithW((w) => `connect.sid=${w.bystanderId}`),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: "the bystander's cookie with one signature character changed: 401",
    send: profileWithW((w) => w.bystanderCookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: "the bystander's session ID signed with another secret: 401",
    send: profileWithW((w) => `connect.sid=${signValue(w.bystanderId, 'a-guessed-secret')}`),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: "the bystander's session ID signed with the article's public secret: 401",
    send: profileWithW((w) => `connect.sid=${signValue(w.bystanderId, 'your_secret_key')}`),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'a garbage session cookie (broken percent-encoding, a NUL): 401',
    send: profileWith('connect.sid=%E0%A4%A%ZZ%00;;'),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'an empty session cookie: 401',
    send: profileWith('connect.sid='),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'a malformed Cookie header: 401',
    send: profileWith('=;;; ;=; =x; justtext'),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'two session cookies, a forged one first: only the first is read, 401',
    send: profileWithW((w) => `connect.sid=${signValue(w.bystanderId, 'a-guessed-secret')}; ${w.bystanderCookie}`),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'a 4 KB session cookie: 401',
    send: profileWith(`connect.sid=s%3A${'A'.repeat(4096)}.sig`),
    expected: NOT_LOGGED_IN,
    check: noCookieSet,
  },
  {
    name: 'a Cookie header over 16 KB: 431 from Node, before Express runs',
    send: profileWith(`connect.sid=${'x'.repeat(20 * 1024)}`),
    expected: { status: 431, text: '' },
  },
  {
    name: 'a URL over 16 KB: 431 as well',
    send: (w) => request(w.server).get(`/profile?q=${'x'.repeat(20 * 1024)}`),
    expected: { status: 431, text: '' },
  },
  // The signed theme cookie
  {
    name: 'a theme cookie whose value was changed: the default theme, and the cookie is cleared on Path=/, where it was set',
    send: (w) =>
      request(w.server)
        .get('/theme')
        .set('Cookie', `theme=${signValue('dark', SECRET).replace('dark', 'lite')}`),
    expected: { status: 200, body: { theme: 'light' } },
    check: (res) => {
      const [cleared, ...others] = setCookies(res);
      expect(others).toEqual([]);
      expect(cleared?.name).toBe('theme');
      expect(cleared?.value).toBe('');
      expect(cleared?.expires?.getTime()).toBe(0);
      // A browser drops a cookie only when name, path and domain match the one it holds (set on Path=/).
      expect(cleared?.path).toBe('/');
      expect(cleared?.domain).toBeUndefined();
      expect(cleared?.httpOnly).toBe(true);
      expect(cleared?.sameSite).toBe('Lax');
    },
  },
  {
    name: 'an unsigned theme cookie: the default theme',
    send: (w) => request(w.server).get('/theme').set('Cookie', 'theme=dark'),
    expected: { status: 200, body: { theme: 'light' } },
    check: noCookieSet,
  },
  // Bodies
  {
    name: 'a malformed JSON body: 400 malformed JSON body',
    send: login('{"username": "ada",'),
    expected: { status: 400, body: { error: 'malformed JSON body' } },
    check: noCookieSet,
  },
  {
    name: 'a JSON string instead of an object: 400 malformed JSON body (strict parsing)',
    send: login('"ada"'),
    expected: { status: 400, body: { error: 'malformed JSON body' } },
    check: noCookieSet,
  },
  {
    name: 'a JSON body over 1 KB: 413 request body too large',
    send: login(JSON.stringify({ username: 'ada', padding: 'x'.repeat(2048) })),
    expected: { status: 413, body: { error: 'request body too large' } },
    check: noCookieSet,
  },
  {
    name: 'a JSON body declared as ISO-8859-1 (JSON must be UTF): 415',
    send: login('{"username":"ada"}', 'application/json; charset=iso-8859-1'),
    expected: { status: 415, body: { error: 'unsupported charset' } },
    check: noCookieSet,
  },
  {
    name: 'a body with an unknown Content-Encoding: 415',
    send: (w) => login('{"username":"ada"}')(w).set('Content-Encoding', 'x-hostile'),
    expected: { status: 415, body: { error: 'unsupported content encoding' } },
    check: noCookieSet,
  },
  {
    name: 'a username that is an object, not a string: 400',
    send: login('{"username": {"$ne": null}}'),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: 'a username that is an array holding a known name: 400, refused before any look-up',
    send: login('{"username": ["ada"]}'),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: "a username with a capital letter ('Grace'): 400, refused before any look-up",
    send: (w) => request(w.server).post('/login').send({ username: 'Grace' }),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: 'an empty username: 400, refused before any look-up',
    send: login('{"username": ""}'),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: 'a 33-letter username: 400, refused before any look-up',
    send: login(JSON.stringify({ username: 'a'.repeat(33) })),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: 'a 32-letter username, the longest allowed, passes the shape check: 401 unknown user',
    send: login(JSON.stringify({ username: 'a'.repeat(32) })),
    expected: { status: 401, body: { error: 'unknown user' } },
    check: noCookieSet,
  },
  {
    name: 'a login with a form body instead of JSON: 400, not a crash on an undefined req.body',
    send: login('username=ada', 'application/x-www-form-urlencoded'),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: noCookieSet,
  },
  {
    name: 'a __proto__ key in the body: 400, and no object gains its properties',
    send: login('{"__proto__": {"username": "ada", "polluted": true}}'),
    expected: { status: 400, body: { error: 'username must be 1 to 32 lowercase letters' } },
    check: (res) => {
      noCookieSet(res);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  },
  {
    name: 'an unknown username: 401 unknown user',
    send: login('{"username": "mallory"}'),
    expected: { status: 401, body: { error: 'unknown user' } },
    check: noCookieSet,
  },
  {
    name: 'an unknown path: 404 not found',
    send: (w) => request(w.server).get('/../../etc/passwd'),
    expected: { status: 404, body: { error: 'not found' } },
    check: noCookieSet,
  },
];

describe('every hostile request gets a clear, stable answer, and nobody else is affected', () => {
  let world: World;
  let served: LoopbackServer | undefined;
  let bystander: ReturnType<typeof request.agent>;
  let graceLogin: request.Response;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const store = new MemoryStore();
    served = await listenOnLoopback(createApp({ secrets: [SECRET], store, log: (err) => logged.push(err) }));
    const { server } = served;
    bystander = request.agent(server);
    // No assertion here: a failed hook would skip every claim below instead of failing them.
    graceLogin = await bystander.post('/login').send({ username: 'grace' });
    const cookie = cookieNamed(graceLogin, 'connect.sid');
    world = {
      server,
      store,
      bystanderCookie: cookie ? cookiePair(cookie) : '',
      bystanderId: cookie ? signedSessionId(cookie.value).id : '',
    };
  });

  afterAll(() => served?.close());

  test('first, grace (the bystander) logs in normally: 200 and a session cookie', async () => {
    expect(graceLogin.status).toBe(200);
    expect(graceLogin.body).toEqual({ username: 'grace' });
    expect(world.bystanderCookie).toMatch(/^connect\.sid=s%3A/);
    await bystander.get('/profile').expect(200, { userId: 43, username: 'grace' });
  });

  for (const hostile of cases) {
    test(hostile.name, async () => {
      const sessionsBefore = await storedCount(world.store);
      const res = await hostile.send(world);
      expect(res.status).toBe(hostile.expected.status);
      if (hostile.expected.body !== undefined) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual(hostile.expected.body);
      }
      if (hostile.expected.text !== undefined) expect(res.text).toBe(hostile.expected.text);
      expect(res.text).not.toMatch(STACK_LINE);
      expect(res.text).not.toMatch(FILE_PATH);
      hostile.check?.(res);
      // Nothing new in the store, and the bystander is still grace.
      expect(await storedCount(world.store)).toBe(sessionsBefore);
      await bystander.get('/profile').expect(200, { userId: 43, username: 'grace' });
    });
  }

  test('after all of that, a new user can still log in, the bystander can still log out, and no request was logged as a server error', async () => {
    const newcomer = request.agent(world.server);
    await newcomer.post('/login').send({ username: 'ada' }).expect(200, { username: 'ada' });
    await newcomer.get('/profile').expect(200, { userId: 42, username: 'ada' });
    await bystander.post('/logout').expect(200, { loggedOut: true });
    await bystander.get('/profile').expect(401, { error: 'not logged in' });
    expect(logged).toEqual([]);
  });
});

describe('errors never leak a stack trace', () => {
  /** A real Store whose backend is down: every call fails with an error naming internals. */
  class UnreachableStore extends Store {
    private fail(cb?: (err: unknown) => void) {
      cb?.(new Error('connect ECONNREFUSED 127.0.0.1:6379 at /srv/app/db.ts:12:7'));
    }
    get(_sid: string, cb: (err: unknown, session?: SessionData | null) => void) {
      this.fail(cb);
    }
    set(_sid: string, _session: SessionData, cb?: (err?: unknown) => void) {
      this.fail(cb);
    }
    destroy(_sid: string, cb?: (err?: unknown) => void) {
      this.fail(cb);
    }
  }

  test('when the session store fails, the client gets a bare 500 and the details go to the log', async () => {
    const logged: unknown[] = [];
    const app = createApp({ secrets: [SECRET], store: new UnreachableStore(), log: (err) => logged.push(err) });
    const res = await request(app)
      .get('/profile')
      .set('Cookie', `connect.sid=${signValue('some-session-id', SECRET)}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal server error' });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(res.text).not.toMatch(FILE_PATH);
    expect(logged).toHaveLength(1);
    expect(String(logged[0])).toContain('ECONNREFUSED');
  });

  /** The same JSON login, with Express's default error handler instead of the chapter's. */
  function withDefaultHandler(env: string) {
    const app = express();
    app.set('env', env);
    app.use(express.json());
    app.post('/login', (_req, res) => {
      res.send('never reached');
    });
    return app;
  }

  test("Express's default handler answers a malformed JSON body with the stack trace outside production", async () => {
    const res = await request(withDefaultHandler('development'))
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"username":');
    expect(res.status).toBe(400);
    expect(res.text).toContain('SyntaxError');
    expect(res.text).toMatch(/at .+/);
    expect(res.text).toMatch(FILE_PATH);
  });

  test("Express's default handler hides the stack when the env setting is production", async () => {
    const res = await request(withDefaultHandler('production'))
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"username":');
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/at .+/);
    expect(res.text).not.toMatch(FILE_PATH);
    expect(res.text).toContain('Bad Request');
  });

  test("the chapter's handler gives the same short JSON answer whether NODE_ENV is development or production", async () => {
    for (const env of ['development', 'production']) {
      const app = withEnv({ NODE_ENV: env }, () => createApp({ secrets: [SECRET] }));
      expect(app.get('env')).toBe(env);
      const res = await request(app).post('/login').set('Content-Type', 'application/json').send('{"username":');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'malformed JSON body' });
      expect(res.text).not.toContain('SyntaxError');
      expect(res.text).not.toMatch(STACK_LINE);
      expect(res.text).not.toMatch(FILE_PATH);
    }
  });
});

describe("the app's own settings, each checked against this app", () => {
  test('the session cookie is HttpOnly, SameSite=Lax, Path=/, host-only, and lasts for the browser session (no Expires, no Secure)', async () => {
    const res = await request(createApp({ secrets: [SECRET] }))
      .post('/login')
      .send({ username: 'ada' })
      .expect(200);
    expect(setCookies(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'connect.sid');
    expect(signedWith(cookie.value, SECRET)).toBe(true);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.domain).toBeUndefined();
    expect(cookie.expires).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
    expect(cookie.secure).toBeUndefined();
  });

  test('no answer names the framework: there is no X-Powered-By header', async () => {
    const app = createApp({ secrets: [SECRET] });
    for (const res of [
      await request(app).get('/profile'),
      await request(app).get('/nowhere'),
      await request(app).post('/login').send({ username: 'ada' }),
    ]) {
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('logging in issues a new session ID: the ID held before no longer opens anything and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ secrets: [SECRET], store });
    const agent = request.agent(app);
    const first = requireCookie(await agent.post('/login').send({ username: 'ada' }).expect(200), 'connect.sid');
    const second = requireCookie(
      await agent.post('/login').send({ username: 'grace' }).expect(200, { username: 'grace' }),
      'connect.sid',
    );
    expect(signedSessionId(second.value).id).not.toBe(signedSessionId(first.value).id);
    await request(app).get('/profile').set('Cookie', cookiePair(first)).expect(401, { error: 'not logged in' });
    await request(app).get('/profile').set('Cookie', cookiePair(second)).expect(200, { userId: 43, username: 'grace' });
    expect(await storedIds(store)).toEqual([signedSessionId(second.value).id]);
  });

  test('when the store cannot replace the old session at login, the client gets a 500 and is not logged in', async () => {
    const store = new FailingStore();
    const logged: unknown[] = [];
    const agent = request.agent(createApp({ secrets: [SECRET], store, log: (err) => logged.push(err) }));
    store.failing.add('destroy'); // regenerate() destroys the old session first
    await agent.post('/login').send({ username: 'ada' }).expect(500, { error: 'internal server error' });
    store.failing.clear();
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
    await agent.get('/profile').expect(401, { error: 'not logged in' });
    expect(logged).toEqual(store.errors);
  });

  test('when the store cannot save the login, the client gets a 500, not a success, and is not logged in', async () => {
    const store = new FailingStore();
    const logged: unknown[] = [];
    const agent = request.agent(createApp({ secrets: [SECRET], store, log: (err) => logged.push(err) }));
    store.failing.add('set');
    await agent.post('/login').send({ username: 'ada' }).expect(500, { error: 'internal server error' });
    store.failing.clear();
    expect(await storedCount(store)).toBe(0);
    await agent.get('/profile').expect(401, { error: 'not logged in' });
    expect(logged[0]).toBe(store.errors[0]);
  });

  test('a session that did not change is not written back to the store on each request (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ secrets: [SECRET], store }));
    await agent.post('/login').send({ username: 'ada' }).expect(200);
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await agent.get('/profile').expect(200, { userId: 42, username: 'ada' });
    expect(store.writes).toBe(afterLogin);
  });

  test('logging out deletes the session from the store and expires the cookie (same name and path); the old cookie opens nothing', async () => {
    const store = new MemoryStore();
    const app = createApp({ secrets: [SECRET], store });
    const cookie = requireCookie(
      await request(app).post('/login').send({ username: 'ada' }).expect(200),
      'connect.sid',
    );
    const res = await request(app).post('/logout').set('Cookie', cookiePair(cookie)).expect(200, { loggedOut: true });
    expect(await storedCount(store)).toBe(0);
    const cleared = requireCookie(res, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/');
    expect(cleared.domain).toBeUndefined();
    expect(cleared.expires?.getTime()).toBe(0);
    await request(app).get('/profile').set('Cookie', cookiePair(cookie)).expect(401, { error: 'not logged in' });
  });

  test('when the store cannot delete the session at logout, the client gets a 500, keeps its cookie, and is still logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secrets: [SECRET], store, log: () => {} }));
    await agent.post('/login').send({ username: 'ada' }).expect(200);
    store.failing.add('destroy');
    const res = await agent.post('/logout').expect(500, { error: 'internal server error' });
    expect(cookieNamed(res, 'connect.sid')).toBeUndefined();
    store.failing.clear();
    expect(await storedCount(store)).toBe(1);
    await agent.get('/profile').expect(200, { userId: 42, username: 'ada' });
  });

  test('choosing a theme sets a theme cookie signed with the secret, HttpOnly, SameSite=Lax, Path=/, which GET /theme reads back', async () => {
    const app = createApp({ secrets: [SECRET] });
    const res = await request(app).post('/theme').send({ theme: 'dark' }).expect(200, { theme: 'dark' });
    expect(setCookies(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'theme');
    expect(signedWith(cookie.value, SECRET)).toBe(true);
    expect(decodeURIComponent(cookie.value)).toMatch(/^s:dark\./);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
    await request(app).get('/theme').set('Cookie', cookiePair(cookie)).expect(200, { theme: 'dark' });
    await request(app).get('/theme').expect(200, { theme: 'light' });
  });

  test('with secrets [new, old], session and theme cookies signed with the old secret still work, express-session checking its own signature (no deprecation warning), and new ones are signed with the new secret', async () => {
    const OLD = 'c15-old-secret-Vb8nQ2wE5rT7yU1iO3pA';
    const NEW = 'c15-new-secret-Zx4cV6bN8mL0kJ2hG9fD';
    const store = new MemoryStore();
    // Before the rotation: the app signs with OLD only.
    const before = createApp({ secrets: [OLD], store });
    const oldSession = requireCookie(
      await request(before).post('/login').send({ username: 'ada' }).expect(200),
      'connect.sid',
    );
    const oldTheme = requireCookie(await request(before).post('/theme').send({ theme: 'dark' }).expect(200), 'theme');
    expect(signedWith(oldSession.value, OLD)).toBe(true);
    expect(signedWith(oldTheme.value, OLD)).toBe(true);
    // After it: NEW first, OLD still listed, same store.
    const after = createApp({ secrets: [NEW, OLD], store });
    // Given only NEW, express-session would still find the session through cookie-parser's
    // req.signedCookies, a deprecated fallback that warns through depd ('deprecation' event).
    const deprecations: unknown[] = [];
    const onDeprecation = (err: unknown) => deprecations.push(err);
    process.on('deprecation', onDeprecation);
    try {
      await request(after)
        .get('/profile')
        .set('Cookie', cookiePair(oldSession))
        .expect(200, { userId: 42, username: 'ada' });
    } finally {
      process.off('deprecation', onDeprecation);
    }
    expect(deprecations).toEqual([]);
    const themeRes = await request(after)
      .get('/theme')
      .set('Cookie', cookiePair(oldTheme))
      .expect(200, { theme: 'dark' });
    expect(themeRes.headers['set-cookie']).toBeUndefined(); // accepted, not cleared as tampered
    const newSession = requireCookie(
      await request(after).post('/login').send({ username: 'grace' }).expect(200),
      'connect.sid',
    );
    const newTheme = requireCookie(await request(after).post('/theme').send({ theme: 'dark' }).expect(200), 'theme');
    expect(signedWith(newSession.value, NEW)).toBe(true);
    expect(signedWith(newTheme.value, NEW)).toBe(true);
    await request(after)
      .get('/profile')
      .set('Cookie', cookiePair(newSession))
      .expect(200, { userId: 43, username: 'grace' });
    await request(after).get('/theme').set('Cookie', cookiePair(newTheme)).expect(200, { theme: 'dark' });
    // Once OLD is dropped from the list, its cookies open nothing.
    const dropped = createApp({ secrets: [NEW], store });
    await request(dropped)
      .get('/profile')
      .set('Cookie', cookiePair(oldSession))
      .expect(401, { error: 'not logged in' });
    await request(dropped).get('/theme').set('Cookie', cookiePair(oldTheme)).expect(200, { theme: 'light' });
  });

  test('a theme that is not light or dark (an unknown name, a number, a list) is refused with 400 and sets no cookie', async () => {
    const app = createApp({ secrets: [SECRET] });
    for (const theme of ['blue', 1, ['dark'], null]) {
      const res = await request(app)
        .post('/theme')
        .send({ theme })
        .expect(400, { error: 'theme must be one of: light, dark' });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });
});

describe("the article's app under the same garbage", () => {
  const garbage = [
    'connect.sid=just-an-id',
    'connect.sid=',
    'connect.sid=%E0%A4%A%ZZ%00',
    `connect.sid=s%3A${'A'.repeat(64)}.sig`,
    '=;;; justtext',
  ];

  test('the article stores a new empty session, and sends a cookie, for every request carrying garbage', async () => {
    const store = new MemoryStore();
    const app = createArticleApp({ store });
    for (const cookie of garbage) {
      const res = await request(app).get('/profile').set('Cookie', cookie);
      expect(res.text).toBe('User not logged in');
      expect(requireCookie(res, 'connect.sid').value).toMatch(/^s%3A/);
    }
    expect(await storedCount(store)).toBe(garbage.length);
  });

  test("the article's logout does delete the session from the store, and answers 500 'Error logging out' when the store fails", async () => {
    const store = new FailingStore();
    const app = createArticleApp({ store });
    const cookie = cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid'));
    await request(app).get('/profile').set('Cookie', cookie).expect(200, 'User profile for user ID: 1');
    store.failing.add('destroy');
    await request(app).post('/logout').set('Cookie', cookie).expect(500, 'Error logging out');
    store.failing.clear();
    expect(await storedCount(store)).toBe(1);
    await request(app).post('/logout').set('Cookie', cookie).expect(200, 'User logged out, session destroyed');
    expect(await storedCount(store)).toBe(0);
  });

  test('the hardened app stores nothing and sends no cookie for the same requests', async () => {
    const store = new MemoryStore();
    const app = createApp({ secrets: [SECRET], store });
    for (const cookie of garbage) {
      const res = await request(app).get('/profile').set('Cookie', cookie);
      expect(res.status).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').send({ username: 'ada' }).expect(200),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ secrets: [SECRET] }),
  path: '/profile',
  login: async (app) =>
    cookiePair(requireCookie(await request(app).post('/login').send({ username: 'ada' }), 'connect.sid')),
});

import express, { type Express } from 'express';
import session, { MemoryStore } from 'express-session';
import request from 'supertest';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cookieNamed, cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { LoopbackServers } from '../../src/testkit/http.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { FailingStore, storedCount, storedSession as stored } from '../../src/testkit/store.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-21-secret';
const ERROR_PAGE = 'Something went wrong, please try again';

const servers = new LoopbackServers();
afterEach(() => servers.closeAll());
/**
 * A gate for the app's slow work, held by the test: `reached` resolves once a request has started
 * its work (and so has done everything before it); the work finishes only after `open()`.
 */
function workGate() {
  let reachedGate!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reachedGate = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    work: () => {
      reachedGate();
      return opened;
    },
  };
}

async function loggedIn(username = 'ada', slowWork?: () => Promise<void>) {
  const store = new FailingStore();
  const { server } = await servers.start(createApp({ store, secret: SECRET, slowWork }));
  const res = await request(server).post('/login').type('form').send({ username });
  expect(res.status).toBe(200);
  expect(res.text).toBe(`Logged in as ${username}`);
  const cookie = requireCookie(res, 'connect.sid');
  return { store, server, cookie, header: cookiePair(cookie), id: signedSessionId(cookie.value).id };
}

/** A bare express-session app for claims about req.session itself (not about the snippet). */
function probeApp(store: MemoryStore, setup: (app: Express) => void): Express {
  const app = express();
  app.use(session({ secret: SECRET, store, resave: false, saveUninitialized: false }));
  app.post('/start', (req, res) => {
    req.session.userId = 42;
    res.send('started');
  });
  setup(app);
  return app;
}

describe('regenerate', () => {
  test('regenerate deletes the old session from the store and starts a new ID with none of the old data', async () => {
    const { store, server, header, id: oldId } = await loggedIn('ada');
    await request(server).post('/jobs').set('Cookie', header).expect(200, 'Job done');
    expect(await stored(store, oldId)).toMatchObject({ username: 'ada', sessionApiJob: 'done' });
    const again = await request(server).post('/login').set('Cookie', header).type('form').send({ username: 'grace' });
    expect(again.status).toBe(200);
    const newId = signedSessionId(requireCookie(again, 'connect.sid').value).id;
    expect(newId).not.toBe(oldId);
    expect(await stored(store, oldId)).toBeUndefined();
    const fresh = await stored(store, newId);
    expect(fresh).toMatchObject({ userId: 42, username: 'grace' });
    expect(fresh).not.toHaveProperty('sessionApiJob');
  });

  test('when the store cannot delete the old session, the error reaches the callback and the login answers 500', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    store.failing.add('destroy');
    const res = await request(server).post('/login').set('Cookie', header).type('form').send({ username: 'grace' });
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'ada' });
  });

  test('when the store cannot save the new login, the login answers 500 and nobody is logged in', async () => {
    const store = new FailingStore();
    const { server } = await servers.start(createApp({ store, secret: SECRET }));
    store.failing.add('set');
    const res = await request(server).post('/login').type('form').send({ username: 'ada' });
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    expect(await storedCount(store)).toBe(0);
    store.failing.clear();
    const issued = cookieNamed(res, 'connect.sid');
    if (issued) await request(server).get('/profile').set('Cookie', cookiePair(issued)).expect(401, 'Not logged in');
  });

  test('that failed regenerate still swaps in a new, empty session: the 500 carries a cookie for it and the old one stays stored', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    store.failing.add('destroy');
    const res = await request(server).post('/login').set('Cookie', header).type('form').send({ username: 'grace' });
    expect(res.status).toBe(500);
    const cookie = requireCookie(res, 'connect.sid');
    const newId = signedSessionId(cookie.value).id;
    expect(newId).not.toBe(id);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.expires).toBeUndefined();
    const fresh = await stored(store, newId);
    expect(fresh).toBeDefined();
    expect(fresh).not.toHaveProperty('userId');
    expect(fresh).not.toHaveProperty('username');
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'ada' });
    // A browser would store the new cookie: its user is logged out, though the old session lives on.
    await request(server).get('/profile').set('Cookie', cookiePair(cookie)).expect(401, 'Not logged in');
    store.failing.clear();
    await request(server).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42');
  });
});

describe('save', () => {
  test('save writes the session at once: a second request sees the job running while the first still works', async () => {
    const gate = workGate();
    const { server, header } = await loggedIn('ada', gate.work);
    const job = request(server)
      .post('/jobs')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached; // the job has saved "running" and is working
    await request(server).get('/jobs').set('Cookie', header).expect(200, 'Job: running');
    gate.open();
    const done = await job;
    expect(done.status).toBe(200);
    expect(done.text).toBe('Job done');
    await request(server).get('/jobs').set('Cookie', header).expect(200, 'Job: done');
  });

  test('without save(), the second request sees nothing until the first response ends', async () => {
    const store = new MemoryStore();
    const gate = workGate();
    const { server } = await servers.start(
      probeApp(store, (app) => {
        app.post('/jobs', (req, res) => {
          req.session.sessionApiJob = 'running';
          void gate.work().then(() => {
            req.session.sessionApiJob = 'done';
            res.send('Job done');
          });
        });
        app.get('/jobs', (req, res) => res.send(`Job: ${req.session.sessionApiJob ?? 'none'}`));
      }),
    );
    const agent = request.agent(server);
    await agent.post('/start').expect(200);
    const job = agent.post('/jobs').then((res) => res);
    await gate.reached; // the job has set "running" (without saving) and is working
    await agent.get('/jobs').expect(200, 'Job: none');
    gate.open();
    expect((await job).text).toBe('Job done');
    await agent.get('/jobs').expect(200, 'Job: done');
  });

  test('when the store cannot save, the error reaches the callback and the app answers 500', async () => {
    const { store, server, header, id } = await loggedIn();
    store.failing.add('set');
    const res = await request(server).post('/jobs').set('Cookie', header);
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    expect(await stored(store, id)).not.toHaveProperty('sessionApiJob');
  });

  test('when only the automatic save at the end fails, the client has already been told 200 and the store keeps the old data', async () => {
    const gate = workGate();
    const { store, server, header, id } = await loggedIn('ada', gate.work);
    const job = request(server)
      .post('/jobs')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached; // the explicit save of "running" has succeeded: the work starts in its callback
    store.failing.add('set');
    gate.open();
    const res = await job;
    expect(res.status).toBe(200);
    expect(res.text).toBe('Job done');
    expect(await stored(store, id)).toMatchObject({ sessionApiJob: 'running' });
  });
});

describe('reload', () => {
  test('reload picks up a change another request made to the store meanwhile', async () => {
    const gate = workGate();
    const { server, header } = await loggedIn('ada', gate.work);
    const report = request(server)
      .get('/report')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached; // the report has read "ada" and is working
    await request(server)
      .post('/rename')
      .set('Cookie', header)
      .type('form')
      .send({ username: 'grace' })
      .expect(200, 'Renamed to grace');
    gate.open();
    const res = await report;
    expect(res.status).toBe(200);
    expect(res.text).toBe('Report for grace (was ada when the report started)');
  });

  test('when the store fails during reload, the error reaches the callback and the app answers 500', async () => {
    const gate = workGate();
    const { store, server, header } = await loggedIn('ada', gate.work);
    const report = request(server)
      .get('/report')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached;
    store.failing.add('get');
    gate.open();
    const res = await report;
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
  });

  test('reloading a session that another request destroyed fails too: 500, not a silent empty session', async () => {
    const gate = workGate();
    const { server, header } = await loggedIn('ada', gate.work);
    const report = request(server)
      .get('/report')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached;
    await request(server).post('/logout').set('Cookie', header).expect(200, 'Logged out');
    gate.open();
    const res = await report;
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
  });
});

describe('destroy', () => {
  test('destroy deletes the session from the store, and the logout clears the cookie', async () => {
    const { store, server, header, id } = await loggedIn();
    const res = await request(server).post('/logout').set('Cookie', header);
    expect(res.status).toBe(200);
    expect(res.text).toBe('Logged out');
    expect(await stored(store, id)).toBeUndefined();
    const cleared = requireCookie(res, 'connect.sid');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    expect(cleared.path).toBe('/');
    expect(cleared.httpOnly).toBe(true);
    expect(cleared.sameSite).toBe('Lax');
    await request(server).get('/profile').set('Cookie', header).expect(401, 'Not logged in');
  });

  test('req.session is undefined as soon as destroy() is called, before the store answers, and in the callback even when the store failed to delete it', async () => {
    const store = new FailingStore();
    const app = probeApp(store, (a) => {
      a.post('/destroy', (req, res) => {
        req.session.destroy((err: unknown) => {
          res.json({ error: err instanceof Error ? err.message : null, session: typeof req.session, before });
        });
        const before = typeof req.session; // right after the call, before the store has answered
      });
    });
    const agent = request.agent(app);
    await agent.post('/start').expect(200);
    await agent.post('/destroy').expect(200, { error: null, session: 'undefined', before: 'undefined' });
    await agent.post('/start').expect(200);
    store.failing.add('destroy');
    await agent
      .post('/destroy')
      .expect(200, { error: 'the store is down (destroy)', session: 'undefined', before: 'undefined' });
  });

  test('when the store cannot destroy, the logout answers 500, clears no cookie, and the session still works', async () => {
    const { store, server, header, id } = await loggedIn();
    store.failing.add('destroy');
    const res = await request(server).post('/logout').set('Cookie', header);
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await stored(store, id)).toMatchObject({ userId: 42 });
    store.failing.clear();
    await request(server).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42');
  });
});

describe('a store that fails on every read', () => {
  test('the session middleware passes the error to next(err): every request with a cookie answers 500', async () => {
    const { store, server, header } = await loggedIn();
    store.failing.add('get');
    const res = await request(server).get('/profile').set('Cookie', header);
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    // Without a cookie there is nothing to read: the request goes through.
    await request(server).get('/profile').expect(401, 'Not logged in');
  });
});

describe("the snippet's guards and settings", () => {
  const quick = () => Promise.resolve();

  test('an anonymous request gets no cookie and leaves the store empty (saveUninitialized: false)', async () => {
    const store = new FailingStore();
    const app = createApp({ store, secret: SECRET });
    for (const path of ['/profile', '/jobs']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(path === '/profile' ? 401 : 200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
    expect(store.writes).toBe(0);
  });

  test('a request that changes nothing writes nothing back to the store (resave: false)', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    store.writes = 0;
    await request(server).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42');
    await request(server).get('/jobs').set('Cookie', header).expect(200, 'Job: none');
    expect(store.writes).toBe(0);
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'ada' });
  });

  test('without a login, /rename, /report and /jobs answer 401 and store nothing', async () => {
    const store = new FailingStore();
    const { server } = await servers.start(createApp({ store, secret: SECRET, slowWork: quick }));
    const rename = await request(server).post('/rename').type('form').send({ username: 'grace' });
    expect(rename.status).toBe(401);
    expect(rename.text).toBe('Not logged in');
    expect(rename.headers['set-cookie']).toBeUndefined();
    const report = await request(server).get('/report');
    expect(report.status).toBe(401);
    expect(report.text).toBe('Not logged in');
    const job = await request(server).post('/jobs');
    expect(job.status).toBe(401);
    expect(job.text).toBe('Not logged in');
    expect(job.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
    expect(store.writes).toBe(0);
  });

  test('/rename refuses a missing or malformed username with 400 and keeps the stored name', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    const bodies: Array<Record<string, string>> = [
      {},
      { username: 'Grace' },
      { username: '<script>' },
      { username: '' },
      { username: 'a'.repeat(21) },
    ];
    for (const body of bodies) {
      const res = await request(server).post('/rename').set('Cookie', header).type('form').send(body);
      expect(res.status).toBe(400);
      expect(res.text).toBe('username must be 1-20 lowercase letters');
    }
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'ada' });
    await request(server).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42');
  });

  test('/login refuses a missing or malformed username (e.g. <script>, 21 letters, empty) with 400 and stores nothing', async () => {
    const bodies: Array<Record<string, string>> = [
      {},
      { username: 'Grace' },
      { username: '<script>alert(1)</script>' },
      { username: '' },
      { username: 'a'.repeat(21) },
    ];
    const store = new FailingStore();
    const { server } = await servers.start(createApp({ store, secret: SECRET }));
    for (const body of bodies) {
      const res = await request(server).post('/login').type('form').send(body);
      expect(res.status).toBe(400);
      expect(res.text).toBe('username must be 1-20 lowercase letters');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
    expect(store.writes).toBe(0);
    // A logged-in client that sends a bad name keeps its session: nothing was regenerated.
    const { store: kept, server: keptServer, header, id } = await loggedIn('ada');
    for (const body of bodies) {
      await request(keptServer).post('/login').set('Cookie', header).type('form').send(body).expect(400);
    }
    expect(await storedCount(kept)).toBe(1);
    expect(await stored(kept, id)).toMatchObject({ userId: 42, username: 'ada' });
    await request(keptServer).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42');
    // The longest name the message promises is accepted.
    await request(keptServer)
      .post('/login')
      .type('form')
      .send({ username: 'z'.repeat(20) })
      .expect(200, `Logged in as ${'z'.repeat(20)}`);
  });

  test('every answer is text/plain, so a name echoed back is never read as HTML', async () => {
    const gate = workGate();
    const { store, server, header } = await loggedIn('ada', gate.work);
    const plain = (res: request.Response) => expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const login = await request(server).post('/login').type('form').send({ username: 'grace' });
    expect(login.text).toBe('Logged in as grace');
    plain(login);
    plain(await request(server).post('/login').type('form').send({ username: '<b>x</b>' }).expect(400));
    plain(await request(server).get('/profile').set('Cookie', header).expect(200, 'Hello ada, your user ID is 42'));
    plain(await request(server).get('/profile').expect(401));
    const report = request(server)
      .get('/report')
      .set('Cookie', header)
      .then((res) => res);
    await gate.reached;
    gate.open();
    plain(await report);
    plain(
      await request(server)
        .post('/rename')
        .set('Cookie', header)
        .type('form')
        .send({ username: 'grace' })
        .expect(200, 'Renamed to grace'),
    );
    plain(
      await request(server).post('/rename').set('Cookie', header).type('form').send({ username: '<i>' }).expect(400),
    );
    plain(await request(server).post('/jobs').set('Cookie', header).expect(200, 'Job done'));
    plain(await request(server).get('/jobs').set('Cookie', header).expect(200, 'Job: done'));
    store.failing.add('set');
    plain(
      await request(server)
        .post('/rename')
        .set('Cookie', header)
        .type('form')
        .send({ username: 'ada' })
        .expect(500, ERROR_PAGE),
    );
    store.failing.clear();
    plain(await request(server).post('/logout').set('Cookie', header).expect(200, 'Logged out'));
  });

  test('/rename renames the logged-in user and stores the new name at once', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    await request(server)
      .post('/rename')
      .set('Cookie', header)
      .type('form')
      .send({ username: 'grace' })
      .expect(200, 'Renamed to grace');
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'grace' });
  });

  test('when the store cannot save the new name, /rename answers 500 and the stored name stays', async () => {
    const { store, server, header, id } = await loggedIn('ada');
    store.failing.add('set');
    const res = await request(server).post('/rename').set('Cookie', header).type('form').send({ username: 'grace' });
    expect(res.status).toBe(500);
    expect(res.text).toBe(ERROR_PAGE);
    expect(await stored(store, id)).toMatchObject({ userId: 42, username: 'ada' });
  });

  test("outside tests the error handler logs the store's error on the server and tells the client nothing about it", async () => {
    const { store, server, header } = await loggedIn('ada');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      store.failing.add('set');
      const res = await request(server).post('/jobs').set('Cookie', header);
      expect(res.status).toBe(500);
      expect(res.text).toBe(ERROR_PAGE);
      expect(res.text).not.toContain('the store is down');
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: 'the store is down (set)' }));
    } finally {
      process.env.NODE_ENV = saved;
      logged.mockRestore();
    }
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').type('form').send({ username: 'ada' }).expect(200),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) =>
    cookiePair(requireCookie(await request(app).post('/login').type('form').send({ username: 'ada' }), 'connect.sid')),
});

import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionData } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { storedSession } from '../../src/testkit/store.ts';
import { createApp } from './app.ts';
import { createApp as createRedirectWithoutSave } from './pitfall-redirect-without-save.ts';
import { SlowStore } from './slow-store.ts';

const SECRET = 'chapter-18-secret';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function serve(app: RequestListener): Promise<{ host: string; port: number }> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

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
  const { host, port } = await serve(app);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host, port, path: '/login', method: 'POST', headers: { accept: 'text/plain' } }, resolve);
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
  test('the 302’s headers and all but the last byte of its body leave before the store has the session', async () => {
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

  test('the last byte waits for the store: the response ends only once the session is saved', async () => {
    const store = new SlowStore({ hold: true });
    const t = await postLogin(createRedirectWithoutSave({ store, secret: SECRET }), store);
    expect(t.storedBeforeRelease).toBeUndefined();
    expect(t.endedBeforeRelease).toBe(false);
    expect(t.chunks.at(-1)).toEqual({ bytes: 1, afterRelease: true });
    expect(t.storedAtEnd).toMatchObject({ userId: 1 });
  });

  test('so a client that reads the whole response before its next request finds the login', async () => {
    const agent = request.agent(createRedirectWithoutSave({ store: new SlowStore(), secret: SECRET }));
    const login = await agent.post('/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/profile');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });

  test('but a client that follows the redirect on the headers (superagent’s .redirects()) lands on 401', async () => {
    const store = new SlowStore({ hold: true });
    // A server the test runs (supertest would close its own after the request and wait for the held response).
    const { host, port } = await serve(createRedirectWithoutSave({ store, secret: SECRET }));
    const agent = request.agent(`http://${host}:${port}`);
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
  test('no header leaves before the store has the session', async () => {
    const store = new SlowStore();
    const t = await postLogin(createApp({ store, secret: SECRET }), store);
    expect(t.response.statusCode).toBe(302);
    expect(t.response.headers.location).toBe('/profile');
    expect(t.storedAtHeaders).toMatchObject({ userId: 1 });
  });

  test('a client that follows the redirect on the headers lands on the profile, logged in', async () => {
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

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

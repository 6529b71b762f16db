import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionData } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { createApp } from './app.ts';
import { createApp as createRedirectWithoutSave } from './redirect-without-save.ts';
import { SlowStore } from './slow-store.ts';

const SECRET = 'chapter-18-secret';
const DELAY = 100;

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

function storedSession(store: SlowStore, id: string): Promise<SessionData | null | undefined> {
  return new Promise((resolve, reject) => store.get(id, (err, data) => (err ? reject(err) : resolve(data))));
}

interface Timeline {
  response: IncomingMessage;
  /** The session ID the response's cookie carries. */
  id: string;
  /** What the store held for that ID at the moment the response headers arrived. */
  storedAtHeaders: SessionData | null | undefined;
  /** Each body chunk: bytes, and milliseconds after the headers arrived. */
  chunks: Array<{ bytes: number; after: number }>;
  /** Milliseconds between the headers and the end of the response. */
  endAfter: number;
  body: string;
}

/** POST /login with a raw client that notes when the headers, each body chunk and the end arrive. */
async function postLogin(app: RequestListener, store: SlowStore): Promise<Timeline> {
  const { host, port } = await serve(app);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path: '/login', method: 'POST', headers: { accept: 'text/plain' } }, (response) => {
      const headersAt = performance.now();
      const { id } = signedSessionId(requireCookie(response, 'connect.sid').value);
      const chunks: Timeline['chunks'] = [];
      let body = '';
      const atHeaders = storedSession(store, id);
      response.on('data', (chunk: Buffer) => {
        chunks.push({ bytes: chunk.length, after: performance.now() - headersAt });
        body += chunk.toString('utf8');
      });
      response.on('end', () => {
        const endAfter = performance.now() - headersAt;
        atHeaders.then((storedAtHeaders) => resolve({ response, id, storedAtHeaders, chunks, endAfter, body }), reject);
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('redirecting without save(): what express-session does on its own', () => {
  test('the 302’s headers and all but the last byte of its body leave before the store has the session', async () => {
    const store = new SlowStore(DELAY);
    const t = await postLogin(createRedirectWithoutSave({ store, secret: SECRET }), store);
    expect(t.response.statusCode).toBe(302);
    expect(t.response.headers.location).toBe('/profile');
    expect(t.body).toBe('Found. Redirecting to /profile');
    expect(t.storedAtHeaders).toBeUndefined();
    const last = t.chunks.at(-1);
    expect(last?.bytes).toBe(1);
    expect(t.chunks.slice(0, -1).reduce((sum, c) => sum + c.bytes, 0)).toBe(t.body.length - 1);
    expect(t.chunks[0]?.after ?? Infinity).toBeLessThan(DELAY / 2);
  });

  test('the last byte waits for the store: the response ends only once the session is saved', async () => {
    const store = new SlowStore(DELAY);
    const t = await postLogin(createRedirectWithoutSave({ store, secret: SECRET }), store);
    expect(t.endAfter).toBeGreaterThanOrEqual(DELAY * 0.8);
    expect(await storedSession(store, t.id)).toMatchObject({ userId: 1 });
  });

  test('so a client that reads the whole response before its next request finds the login', async () => {
    const agent = request.agent(createRedirectWithoutSave({ store: new SlowStore(DELAY), secret: SECRET }));
    const login = await agent.post('/login');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/profile');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });

  test('but a client that follows the redirect on the headers (superagent’s .redirects()) lands on 401', async () => {
    const agent = request.agent(createRedirectWithoutSave({ store: new SlowStore(DELAY), secret: SECRET }));
    const res = await agent.post('/login').redirects(1);
    expect(res.redirects).toHaveLength(1);
    expect(res.status).toBe(401);
    expect(res.text).toBe('Not logged in');
  });
});

describe('save() before the redirect', () => {
  test('no header leaves before the store has the session', async () => {
    const store = new SlowStore(DELAY);
    const t = await postLogin(createApp({ store, secret: SECRET }), store);
    expect(t.response.statusCode).toBe(302);
    expect(t.response.headers.location).toBe('/profile');
    expect(t.storedAtHeaders).toMatchObject({ userId: 1 });
  });

  test('a client that follows the redirect on the headers lands on the profile, logged in', async () => {
    const agent = request.agent(createApp({ store: new SlowStore(DELAY), secret: SECRET }));
    const res = await agent.post('/login').redirects(1);
    expect(res.redirects).toHaveLength(1);
    expect(res.status).toBe(200);
    expect(res.text).toBe('User profile for user ID: 1');
  });

  test('after regenerate(), express-session writes the session a second time as the response ends: two writes, not one', async () => {
    const store = new SlowStore(DELAY);
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

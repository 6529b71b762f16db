/**
 * The claim that a snippet's login stores its session before it answers, checked with a
 * {@link HeldStore} rather than a timer: while the store holds the login's write, nothing of the
 * response (not even its headers) has been sent, and another connection finds nobody logged in;
 * once the write is released, the login answers and the store holds the logged-in session.
 * Shared by the specs of chapters 09, 10 and 11, whose logins differ only in the headers they send
 * and the session cookie's name.
 */
import type { RequestListener, ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { requireCookie, signedSessionId } from './cookies.ts';
import { listenOnLoopback, sendRaw } from './http.ts';
import { type HeldStore, storedSession } from './store.ts';

export interface HeldLoginOptions {
  /** The chapter's app, built on `store`. */
  app: RequestListener;
  /** The store the app was built with; its writes are held while the login is under way. */
  store: HeldStore;
  /** The request headers of `POST /login` (e.g. a planted cookie, or `X-Forwarded-Proto: https`). */
  headers?: Record<string, string>;
  /** The session cookie's name. */
  cookieName: string;
  /** The login's answer once the write has landed: status 200 and this body. */
  body: string;
  /** What the store must hold (at least) for the new session once the write has landed. */
  session: Record<string, unknown>;
}

/**
 * Serves `app` on loopback, sends `POST /login` with the store's writes held, and asserts that the
 * login sends nothing until its session is stored, then answers with `body` and stores `session`.
 * Call it inside a test; the server is closed and the store released whatever happens.
 */
export async function expectLoginWaitsForStore(options: HeldLoginOptions): Promise<void> {
  const { app, store } = options;
  let loginResponse: ServerResponse | undefined;
  const server = await listenOnLoopback((req, res) => {
    if (req.url === '/login') loginResponse = res;
    app(req, res);
  });
  const base = server.origin;
  try {
    store.hold = true;
    const arrived: string[] = [];
    const login = sendRaw(`${base}/login`, 'POST', options.headers ?? {}, () => arrived.push('headers'));
    await store.writeHeld();
    // A whole round trip on another connection, so anything the login had sent has had its chance to arrive.
    expect((await fetch(`${base}/profile`)).status).toBe(401);
    expect(loginResponse?.headersSent).toBe(false);
    expect(arrived).toEqual([]);
    store.release();
    const res = await login;
    expect(res.status).toBe(200);
    expect(res.body).toBe(options.body);
    const id = signedSessionId(requireCookie(res, options.cookieName).value).id;
    expect(await storedSession(store, id)).toMatchObject(options.session);
  } finally {
    store.release(); // a failed check above must not leave the login hanging
    await server.close();
  }
}

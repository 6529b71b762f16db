/**
 * A shared block of claims about where a snippet's signing secret comes from, run against each
 * chapter's own app built with its defaults (no secret passed in):
 * - with the variable set (`SESSION_SECRET` unless told), cookies are signed with exactly that secret;
 * - in production without it, building the app throws, naming the variable;
 * - outside production without it, each start signs with a fresh random secret: a cookie from one
 *   start is not honoured by the next, even sharing the store.
 *
 * The environment is changed only for the duration of each test and restored after it (vitest's
 * workers each have their own `process.env`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Store } from 'express-session';
import { MemoryStore } from 'express-session';
import type request from 'supertest';
import { describe, expect, test } from 'vitest';
import { requireCookie } from './cookies.ts';

export interface SecretSourceOptions {
  /** Builds the chapter's app with its default secret and the given store (if it takes one). */
  createApp: (store: Store) => RequestListener;
  /** Makes the app set its signed cookie and returns that response (e.g. a login). */
  start: (app: RequestListener) => Promise<request.Response>;
  /** True when a request carrying `cookie` (a `name=value` pair) is served as the same signed-in client. */
  recognises: (app: RequestListener, cookie: string) => Promise<boolean>;
  /** The signed cookie's name; `connect.sid` by default. */
  cookieName?: string;
  /** The environment variable the secret comes from; `SESSION_SECRET` by default. */
  variable?: string;
}

/** Runs `fn` with environment variables set (a value) or removed (`undefined`), then restores them. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

/**
 * cookie-signature's signature of `value` with `secret`, as express-session and cookie-parser compute
 * it: the HMAC-SHA256, base64 without the `=` padding.
 */
export function cookieSignature(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
}

/**
 * `value` signed with `secret` the way express-session signs a session ID (and cookie-parser a signed
 * cookie), URL-encoded as sent: `s%3A<value>.<signature>`. For forging or predicting a cookie value.
 */
export function signValue(value: string, secret: string): string {
  return encodeURIComponent(`s:${value}.${cookieSignature(value, secret)}`);
}

/** True when `value` (a cookie value as sent, URL-encoded `s:<payload>.<signature>`) is signed with `secret`. */
export function signedWith(value: string, secret: string): boolean {
  const decoded = decodeURIComponent(value);
  if (!decoded.startsWith('s:')) return false;
  const dot = decoded.lastIndexOf('.');
  const payload = decoded.slice(2, dot);
  return decoded.slice(dot + 1) === cookieSignature(payload, secret);
}

/** The claims about the secret's source, under a `describe` of their own. */
export function describeSecretSource(options: SecretSourceOptions): void {
  const name = options.cookieName ?? 'connect.sid';
  const variable = options.variable ?? 'SESSION_SECRET';

  describe(`the signing secret comes from ${variable}, never from the source`, () => {
    test(`with ${variable} set, the ${name} cookie is signed with exactly that secret`, async () => {
      const secret = `from-the-environment-${randomBytes(24).toString('base64url')}`;
      const app = withEnv({ [variable]: secret, NODE_ENV: 'test' }, () => options.createApp(new MemoryStore()));
      const res = await options.start(app);
      const cookie = requireCookie(res, name);
      expect(signedWith(cookie.value, secret)).toBe(true);
      expect(await options.recognises(app, `${name}=${cookie.value}`)).toBe(true);
    });

    test(`in production without ${variable}, the app refuses to start, naming the variable`, () => {
      withEnv({ [variable]: undefined, NODE_ENV: 'production' }, () => {
        expect(() => options.createApp(new MemoryStore())).toThrow(variable);
      });
    });

    test(`in production a blank ${variable} counts as missing: the app refuses to start`, () => {
      withEnv({ [variable]: '', NODE_ENV: 'production' }, () => {
        expect(() => options.createApp(new MemoryStore())).toThrow(variable);
      });
    });

    test(`in production with ${variable} set, the app starts`, () => {
      // Long and random, as a real one is: an app that also checks the secret's length accepts it.
      withEnv({ [variable]: randomBytes(32).toString('base64url'), NODE_ENV: 'production' }, () => {
        expect(() => options.createApp(new MemoryStore())).not.toThrow();
      });
    });

    test(`outside production without ${variable}, each start signs with a new random secret: a cookie from one start is not honoured by the next, even with the same store`, async () => {
      const store = new MemoryStore();
      const [first, second] = withEnv({ [variable]: undefined, NODE_ENV: 'development' }, () => [
        options.createApp(store),
        options.createApp(store),
      ]);
      const res = await options.start(first!);
      const cookie = `${name}=${requireCookie(res, name).value}`;
      expect(await options.recognises(first!, cookie)).toBe(true);
      expect(await options.recognises(second!, cookie)).toBe(false);
    });
  });
}

/**
 * A shared block of specs that sends hostile cookies to a chapter's app. Every chapter's spec
 * calls {@link describeHostileInput} so that no snippet on the site crashes on bad input.
 */
import { createServer, type RequestListener } from 'node:http';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookieNamed, setCookieLines } from './cookies.ts';
import { signValue } from './secret.ts';

export interface HostileInputOptions {
  /** Builds a fresh instance of the chapter's app. */
  createApp: () => RequestListener;
  /** A path whose answer depends on the session or cookies, e.g. `/profile`. */
  path: string;
  /** The session cookie's name; `connect.sid` by default. */
  cookieName?: string;
  /**
   * Logs a client in on `app` and returns the `Cookie` header value that carries its session.
   * When given, the suite also checks that a tampered copy of a real cookie gets nothing and
   * that the real session is untouched by the hostile requests.
   */
  login?: (app: RequestListener) => Promise<string>;
}

/** Larger than Node's default 16 KiB limit for all request headers together. */
const OVERSIZED = 20 * 1024;

/** The secret the article prints, which anyone can use to sign a cookie. */
const PUBLIC_SECRET = 'your_secret_key';

/** The session ID inside a `name=s%3A<id>.<signature>` cookie pair. */
function idOf(cookieHeader: string): string {
  const value = decodeURIComponent(cookieHeader.slice(cookieHeader.indexOf('=') + 1));
  const match = /^s:([^.]+)\./.exec(value);
  if (!match?.[1]) throw new Error(`login() must return the signed session cookie pair, got: ${cookieHeader}`);
  return match[1];
}

/**
 * The real cookie must make a difference, or "a forged one gets nothing" would compare two
 * anonymous answers and could not fail: a login that silently did not work is itself a failure.
 */
function expectDifferent(loggedIn: request.Response, anonymous: request.Response): void {
  expect(
    `${loggedIn.status} ${loggedIn.text}`,
    'the real cookie opens nothing more than no cookie: did the login work?',
  ).not.toBe(`${anonymous.status} ${anonymous.text}`);
}

/** Registers the hostile-input specs for one app. */
export function describeHostileInput(options: HostileInputOptions): void {
  const name = options.cookieName ?? 'connect.sid';
  const cases: Array<[string, string]> = [
    [`an unsigned ${name} cookie`, `${name}=just-an-id`],
    [`a ${name} cookie signed with another secret`, `${name}=s%3AforgedId.c2lnbmF0dXJlLW9mLWFub3RoZXItc2VjcmV0`],
    [`a garbage ${name} cookie`, `${name}=%E0%A4%A%ZZ%00;;`],
    [`an empty ${name} cookie`, `${name}=`],
    ['a malformed Cookie header', '=;;; ;=; =x; justtext'],
    [`two ${name} cookies in one header`, `${name}=first; ${name}=second`],
    [`a 4 KB ${name} cookie`, `${name}=s%3A${'A'.repeat(4096)}.sig`],
  ];

  describe('hostile input', () => {
    for (const [label, header] of cases) {
      test(`${label} is treated like no cookie at all, never a server error`, async () => {
        const app = options.createApp();
        const baseline = await request(app).get(options.path);
        const res = await request(app).get(options.path).set('Cookie', header);
        expect(res.status).toBeLessThan(500);
        expect(res.status).toBe(baseline.status);
        expect(res.text).toBe(baseline.text);
        const issued = cookieNamed(res, name);
        if (issued) expect(issued.value).not.toContain('forgedId');
      });
    }

    const oversized: Array<[string, (req: request.Test) => request.Test, string]> = [
      ['a URL', (req) => req, `?q=${'x'.repeat(OVERSIZED)}`],
      ['a Cookie header', (req) => req.set('Cookie', `${name}=${'x'.repeat(OVERSIZED)}`), ''],
    ];
    for (const [what, decorate, query] of oversized) {
      test(`${what} over 16 KB is refused with 431 and the server keeps serving`, async () => {
        const server = createServer(options.createApp());
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const huge = await decorate(request(server).get(`${options.path}${query}`));
          expect(huge.status).toBe(431);
          const after = await request(server).get(options.path);
          expect(after.status).toBeLessThan(500);
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });
    }

    if (options.login) {
      const login = options.login;
      test(`a tampered copy of a real ${name} cookie gets nothing, and the real session is untouched`, async () => {
        const app = options.createApp();
        const anonymous = await request(app).get(options.path);
        const cookieHeader = await login(app);
        const loggedIn = await request(app).get(options.path).set('Cookie', cookieHeader);
        expectDifferent(loggedIn, anonymous);
        // Flip the last character of the signature: the ID is intact, the HMAC no longer matches.
        const tampered = cookieHeader.replace(/.(;|$)/, (match, tail: string) => (match[0] === 'A' ? 'B' : 'A') + tail);
        expect(tampered).not.toBe(cookieHeader);
        const res = await request(app).get(options.path).set('Cookie', tampered);
        expect(res.status).toBe(anonymous.status);
        expect(res.text).toBe(anonymous.text);
        expect(setCookieLines(res).join('\n')).not.toContain(cookieHeader.split('=')[1]);
        const again = await request(app).get(options.path).set('Cookie', cookieHeader);
        expect(again.status).toBe(loggedIn.status);
        expect(again.text).toBe(loggedIn.text);
      });

      test(`a real session ID sent unsigned, or signed with the article's public secret, gets nothing`, async () => {
        const app = options.createApp();
        const anonymous = await request(app).get(options.path);
        const cookieHeader = await login(app);
        const loggedIn = await request(app).get(options.path).set('Cookie', cookieHeader);
        expectDifferent(loggedIn, anonymous);
        const id = idOf(cookieHeader);
        for (const forged of [
          `${name}=${id}`,
          `${name}=${encodeURIComponent(`s:${id}`)}`,
          `${name}=${signValue(id, PUBLIC_SECRET)}`,
        ]) {
          const res = await request(app).get(options.path).set('Cookie', forged);
          expect(res.status).toBe(anonymous.status);
          expect(res.text).toBe(anonymous.text);
        }
        const again = await request(app).get(options.path).set('Cookie', cookieHeader);
        expect(again.status).toBe(loggedIn.status);
        expect(again.text).toBe(loggedIn.text);
      });
    }
  });
}

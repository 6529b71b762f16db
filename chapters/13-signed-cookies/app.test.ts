import express from 'express';
import cookieParser from 'cookie-parser';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { cookieSignature, signedWith, withEnv } from '../../src/testkit/secret.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-13-current-secret-0123456789abcdef';
const OLD_SECRET = 'chapter-13-previous-secret-0123456789abcdef';
const RETIRED_SECRET = 'chapter-13-retired-secret-0123456789abcdef';

/** Sets the theme on `app` and returns the cookie the server sent. */
async function themeCookieFrom(app: ReturnType<typeof createApp>, theme = 'dark') {
  const res = await request(app).post(`/theme/${theme}`).expect(200);
  return requireCookie(res, 'theme');
}

/** A small app that shows what cookie-parser put where, for one request. */
function inspector(secrets: string[]) {
  const app = express();
  app.use(cookieParser(secrets));
  app.get('/inspect', (req, res) => {
    res.json({ cookies: { ...req.cookies }, signedCookies: { ...req.signedCookies } });
  });
  return app;
}

describe('what a signed cookie looks like', () => {
  test('res.cookie(..., { signed: true }) sends s:<value>.<signature>, URL-encoded as s%3A', async () => {
    const cookie = await themeCookieFrom(createApp({ secrets: [SECRET] }));
    expect(cookie.value).toMatch(/^s%3Adark\.[A-Za-z0-9%]+$/);
    expect(decodeURIComponent(cookie.value)).toMatch(/^s:dark\.[A-Za-z0-9+/]{43}$/);
  });

  test('the signature is an HMAC-SHA256 of the value with the first secret, base64 without padding', async () => {
    const cookie = await themeCookieFrom(createApp({ secrets: [SECRET, OLD_SECRET] }));
    expect(decodeURIComponent(cookie.value)).toBe(`s:dark.${cookieSignature('dark', SECRET)}`);
  });

  test('the theme cookie is HttpOnly, SameSite=Lax, Path=/, lasts 30 days and is not Secure or scoped to a Domain', async () => {
    const cookie = await themeCookieFrom(createApp({ secrets: [SECRET] }));
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.maxAge).toBe(30 * 24 * 60 * 60);
    expect(cookie.secure).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
  });

  test('signed is not encrypted: the value travels in clear text before the signature', async () => {
    const res = await request(createApp({ secrets: [SECRET] })).post('/theme/dark');
    expect(setCookieLines(res)[0]).toContain('theme=s%3Adark.');
  });

  test('without a secret given to cookie-parser, a signed res.cookie throws and the request fails with 500', async () => {
    const app = express();
    app.use(cookieParser());
    app.get('/sign', (_req, res) => {
      res.cookie('theme', 'dark', { signed: true });
      res.send('never reached');
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).type('text/plain').send(err.message);
    });
    const res = await request(app).get('/sign');
    expect(res.status).toBe(500);
    expect(res.text).toBe('cookieParser("secret") required for signed cookies');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('reading signed cookies', () => {
  test('a signed cookie sent back appears in req.signedCookies with its plain value', async () => {
    const app = createApp({ secrets: [SECRET] });
    const cookie = await themeCookieFrom(app);
    const res = await request(app).get('/theme').set('Cookie', cookiePair(cookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: dark');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('cookie-parser moves a signed cookie out of req.cookies into req.signedCookies', async () => {
    const value = encodeURIComponent(`s:dark.${cookieSignature('dark', SECRET)}`);
    const res = await request(inspector([SECRET]))
      .get('/inspect')
      .set('Cookie', `theme=${value}; lang=en`);
    expect(res.body).toEqual({ cookies: { lang: 'en' }, signedCookies: { theme: 'dark' } });
  });

  test('a value changed without the secret becomes false in req.signedCookies', async () => {
    // Keep dark's signature, change the value to light.
    const value = encodeURIComponent(`s:light.${cookieSignature('dark', SECRET)}`);
    const res = await request(inspector([SECRET]))
      .get('/inspect')
      .set('Cookie', `theme=${value}`);
    expect(res.body).toEqual({ cookies: {}, signedCookies: { theme: false } });
  });

  test('a tampered theme cookie is ignored (default theme) and cleared', async () => {
    const app = createApp({ secrets: [SECRET] });
    const value = encodeURIComponent(`s:light.${cookieSignature('dark', SECRET)}`);
    const res = await request(app).get('/theme').set('Cookie', `theme=${value}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: light');
    const cleared = requireCookie(res, 'theme');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    expect(cleared.path).toBe('/');
    expect(cleared.httpOnly).toBe(true);
    expect(cleared.sameSite).toBe('Lax');
  });

  test('an unsigned value where a signed one is expected stays in req.cookies and never reaches req.signedCookies', async () => {
    const res = await request(inspector([SECRET]))
      .get('/inspect')
      .set('Cookie', 'theme=dark');
    expect(res.body).toEqual({ cookies: { theme: 'dark' }, signedCookies: {} });
  });

  test('so an unsigned theme cookie is ignored by the app: default theme, nothing cleared', async () => {
    const res = await request(createApp({ secrets: [SECRET] }))
      .get('/theme')
      .set('Cookie', 'theme=dark');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: light');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a theme the app does not know is refused with 400 and sets no cookie', async () => {
    const res = await request(createApp({ secrets: [SECRET] })).post('/theme/%3Cscript%3E');
    expect(res.status).toBe(400);
    expect(res.text).toBe('Unknown theme; choose one of: light, dark');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('rotating secrets', () => {
  test('with [new, old], new cookies are signed with the new secret', async () => {
    const cookie = await themeCookieFrom(createApp({ secrets: [SECRET, OLD_SECRET] }));
    expect(decodeURIComponent(cookie.value)).toBe(`s:dark.${cookieSignature('dark', SECRET)}`);
    expect(decodeURIComponent(cookie.value)).not.toBe(`s:dark.${cookieSignature('dark', OLD_SECRET)}`);
  });

  test('with [new, old], a cookie signed with the old secret is still accepted', async () => {
    const oldCookie = await themeCookieFrom(createApp({ secrets: [OLD_SECRET] }));
    const res = await request(createApp({ secrets: [SECRET, OLD_SECRET] }))
      .get('/theme')
      .set('Cookie', cookiePair(oldCookie));
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: dark');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a cookie signed with a retired secret becomes false: default theme, cookie cleared', async () => {
    const retired = await themeCookieFrom(createApp({ secrets: [RETIRED_SECRET] }));
    const app = createApp({ secrets: [SECRET, OLD_SECRET] });
    const seen = await request(inspector([SECRET, OLD_SECRET]))
      .get('/inspect')
      .set('Cookie', cookiePair(retired));
    expect(seen.body).toEqual({ cookies: {}, signedCookies: { theme: false } });
    const res = await request(app).get('/theme').set('Cookie', cookiePair(retired));
    expect(res.text).toBe('Current theme: light');
    expect(requireCookie(res, 'theme').value).toBe('');
  });

  test('an app needs at least one secret', () => {
    expect(() => createApp({ secrets: [] })).toThrow('at least one cookie secret is required');
  });
});

describe("the article's unsigned cookie", () => {
  test("the article's /set-theme sends the value itself, unsigned: theme=dark, HttpOnly, Max-Age=900, Path=/", async () => {
    const res = await request(createArticleApp()).get('/set-theme');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Theme cookie set');
    const cookie = requireCookie(res, 'theme');
    expect(cookie.value).toBe('dark');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.maxAge).toBe(900);
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.sameSite).toBeUndefined();
  });

  test("the article's /clear-theme expires the theme cookie: an empty value, Expires in 1970, Path=/", async () => {
    const res = await request(createArticleApp()).get('/clear-theme').set('Cookie', 'theme=dark');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Theme cookie cleared');
    const cleared = requireCookie(res, 'theme');
    expect(cleared.value).toBe('');
    expect(cleared.expires?.getTime()).toBe(0);
    expect(cleared.path).toBe('/');
  });

  test("the article's /get-theme answers with any theme the client sends, even one the server never set", async () => {
    const res = await request(createArticleApp()).get('/get-theme').set('Cookie', 'theme=hacker');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: hacker');
  });

  test("the article's /get-theme echoes markup from the cookie into an HTML response", async () => {
    const res = await request(createArticleApp()).get('/get-theme').set('Cookie', 'theme=%3Cb%3Ehi%3C%2Fb%3E');
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe('Current theme: <b>hi</b>');
  });

  test('the same forged value sent to the signed-cookie app is ignored', async () => {
    const res = await request(createApp({ secrets: [SECRET] }))
      .get('/theme')
      .set('Cookie', 'theme=%3Cb%3Ehi%3C%2Fb%3E');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('Current theme: light');
  });
});

// The secret's source, against the snippet built with its defaults (no secrets passed in). The
// shared describeSecretSource speaks of a session store; a theme cookie has none, so these are its
// claims in this chapter's words.
describe('the signing secret comes from COOKIE_SECRET, never from the source', () => {
  test('with COOKIE_SECRET set, the theme cookie is signed with exactly that secret and read back', async () => {
    const secret = `from-the-environment-${Math.random().toString(36).slice(2)}`;
    const app = withEnv({ COOKIE_SECRET: secret, NODE_ENV: 'test' }, () => createApp());
    const cookie = await themeCookieFrom(app);
    expect(signedWith(cookie.value, secret)).toBe(true);
    const res = await request(app).get('/theme').set('Cookie', cookiePair(cookie));
    expect(res.text).toBe('Current theme: dark');
  });

  test('in production without COOKIE_SECRET, the app refuses to start, naming the variable', () => {
    withEnv({ COOKIE_SECRET: undefined, NODE_ENV: 'production' }, () => {
      expect(() => createApp()).toThrow('COOKIE_SECRET must be set in production');
    });
  });

  test('in production with COOKIE_SECRET set, the app starts and signs with it', async () => {
    const app = withEnv({ COOKIE_SECRET: SECRET, NODE_ENV: 'production' }, () => createApp());
    expect(signedWith((await themeCookieFrom(app)).value, SECRET)).toBe(true);
  });

  test('outside production without COOKIE_SECRET, each start signs with a new random secret: a theme cookie from one start is not honoured by the next', async () => {
    const [first, second] = withEnv({ COOKIE_SECRET: undefined, NODE_ENV: 'development' }, () => [
      createApp(),
      createApp(),
    ]);
    const cookie = cookiePair(await themeCookieFrom(first!));
    expect((await request(first!).get('/theme').set('Cookie', cookie)).text).toBe('Current theme: dark');
    const next = await request(second!).get('/theme').set('Cookie', cookie);
    expect(next.text).toBe('Current theme: light');
    expect(requireCookie(next, 'theme').value).toBe('');
  });
});

describeHostileInput({
  createApp: () => createApp({ secrets: [SECRET] }),
  path: '/theme',
  cookieName: 'theme',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/theme/dark'), 'theme')),
});

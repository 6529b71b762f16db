import cookieParser from 'cookie-parser';
import express from 'express';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { createApp } from './app.ts';
import { createArticleApp } from './article.ts';
import { createAppWithoutCookieParser } from './pitfall-no-cookie-parser.ts';

/** GET /get-theme on a fresh app, with an optional Cookie header sent exactly as given. */
function getTheme(app: express.Express, cookie?: string) {
  const req = request(app).get('/get-theme');
  return cookie === undefined ? req : req.set('Cookie', cookie);
}

describe("the article's req.cookies.theme || 'default'", () => {
  test('with a theme cookie, the route answers with its value', async () => {
    const res = await getTheme(createArticleApp(), 'theme=dark');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: dark');
  });

  test('without a theme cookie, the route falls back to default', async () => {
    const res = await getTheme(createArticleApp());
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: default');
  });

  test('an empty theme cookie also falls back to default, because || treats "" as missing', async () => {
    const res = await getTheme(createArticleApp(), 'theme=');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: default');
  });

  test('with ?? instead of || (a variant written in this spec, not the article), an empty theme cookie prints nothing after "Current theme: "', async () => {
    const app = express();
    app.use(cookieParser());
    app.get('/get-theme', (req, res) => {
      const theme = req.cookies.theme ?? 'default';
      res.send(`Current theme: ${theme}`);
    });
    expect((await getTheme(app, 'theme=')).text).toBe('Current theme: ');
    expect((await getTheme(app)).text).toBe('Current theme: default');
  });
});

describe("pitfall: the article's route without cookie-parser (not the article's code)", () => {
  test('without cookie-parser, req.cookies is undefined and every request to the route gets 500, with or without a cookie', async () => {
    const app = createAppWithoutCookieParser();
    const res = await getTheme(app, 'theme=dark');
    expect(res.status).toBe(500);
    // Outside production Express's error page shows the error: reading .theme of undefined.
    expect(res.text).toContain('TypeError: Cannot read properties of undefined (reading &#39;theme&#39;)');
    const bare = await getTheme(app);
    expect(bare.status).toBe(500);
  });

  test('cookie-parser mounted after the route (an app written in this spec) does not help: still 500', async () => {
    const app = express();
    app.get('/get-theme', (req, res) => {
      const theme = req.cookies.theme || 'default';
      res.send(`Current theme: ${theme}`);
    });
    app.use(cookieParser());
    const res = await getTheme(app, 'theme=dark');
    expect(res.status).toBe(500);
    expect(res.text).toContain('TypeError: Cannot read properties of undefined (reading &#39;theme&#39;)');
  });
});

describe('what cookie-parser does to the value', () => {
  test('a URL-encoded value is decoded: solarized%20dark arrives as "solarized dark"', async () => {
    const res = await getTheme(createArticleApp(), 'theme=solarized%20dark%3B%20v2');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: solarized dark; v2');
  });

  test('a value written by res.cookie() comes back unchanged: Express encodes it, cookie-parser decodes it', async () => {
    const setter = express();
    setter.get('/', (_req, res) => {
      res.cookie('theme', 'solarized dark; v2').send('ok');
    });
    const set = requireCookie(await request(setter).get('/'), 'theme');
    expect(set.value).toBe('solarized%20dark%3B%20v2');
    const res = await getTheme(createArticleApp(), cookiePair(set));
    expect(res.text).toBe('Current theme: solarized dark; v2');
  });

  test('a value starting with j: is parsed as JSON: the route receives an object, not a string', async () => {
    const res = await getTheme(createArticleApp(), 'theme=j%3A%7B%22name%22%3A%22dark%22%7D');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: [object Object]');
  });

  test('a j: array that stringifies to "dark" passes for the dark theme in the article', async () => {
    const res = await getTheme(createArticleApp(), 'theme=j:["dark"]');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Current theme: dark');
  });

  test("a j: object with a broken toString turns the article's route into a 500", async () => {
    const res = await getTheme(createArticleApp(), 'theme=j:{"toString":1}');
    expect(res.status).toBe(500);
    expect(res.text).toContain('TypeError: Cannot convert object to primitive value');
  });

  test("the article's route echoes the cookie's value into an HTML page, unescaped", async () => {
    const res = await getTheme(createArticleApp(), 'theme=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe('Current theme: <script>alert(1)</script>');
  });
});

describe('the recommended reader: cookie-parser first, then an allow-list', () => {
  test('a known theme is used: dark and light', async () => {
    const app = createApp();
    for (const theme of ['dark', 'light']) {
      const res = await getTheme(app, `theme=${theme}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe(`Current theme: ${theme}`);
    }
  });

  test('no cookie, or an empty one, gives the default', async () => {
    const app = createApp();
    expect((await getTheme(app)).text).toBe('Current theme: default');
    expect((await getTheme(app, 'theme=')).text).toBe('Current theme: default');
  });

  test('an unknown value gives the default and is never echoed', async () => {
    const res = await getTheme(createApp(), 'theme=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('Current theme: default');
  });

  test('j: values give the default, even one that stringifies to "dark", and none causes a 500', async () => {
    const app = createApp();
    for (const cookie of ['theme=j:["dark"]', 'theme=j:{"toString":1}', 'theme=j%3A%7B%22name%22%3A%22dark%22%7D']) {
      const res = await getTheme(app, cookie);
      expect(res.status).toBe(200);
      expect(res.text).toBe('Current theme: default');
    }
  });

  test('only the first of two theme cookies counts, and it is checked like any other', async () => {
    const app = createApp();
    expect((await getTheme(app, 'theme=dark; theme=light')).text).toBe('Current theme: dark');
    expect((await getTheme(app, 'theme=purple; theme=light')).text).toBe('Current theme: default');
  });
});

describeHostileInput({
  createApp,
  path: '/get-theme',
  cookieName: 'theme',
});

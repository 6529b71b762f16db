/**
 * A new chapter from a template: the next free number, a README with front matter and include
 * directives, a snippet that follows CONTRIBUTING.md, and a spec it passes.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { BuildError } from './errors.ts';
import { FOLDER_NAME } from './find.ts';
import { chapterNumber } from './render/index.ts';
import type { SiteFile } from './types.ts';

/** The next chapter number: one more than the highest used in `chaptersDir`. */
export function nextNumber(chaptersDir: string): number {
  if (!existsSync(chaptersDir)) return 1;
  const numbers = readdirSync(chaptersDir)
    .map((name) => FOLDER_NAME.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return numbers.length === 0 ? 1 : Math.max(...numbers) + 1;
}

/** The files of a new chapter, paths relative to its folder. */
export function chapterTemplate(slug: string, title: string, number: number): { folder: string; files: SiteFile[] } {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug))
    throw new BuildError(slug, 'a slug is lowercase words joined by dashes, e.g. storing-session-data');
  if (!Number.isInteger(number) || number < 1 || number > 999)
    throw new BuildError(slug, 'chapter numbers run from 01 to 999 (two or three digits)');
  if (!title.trim() || /[\r\n]/.test(title)) throw new BuildError(slug, 'give the chapter a one-line title');
  const num = chapterNumber(number); // 01…99, then 100…999: find reads both forms
  const folder = `${num}-${slug}`;
  // Front matter takes the rest of the line as the value; quotes are only needed around quotes.
  const t = title.trim();
  const yamlTitle = /^["']/.test(t) ? (t.includes("'") ? `"${t}"` : `'${t}'`) : t;
  const readme = `---
title: ${yamlTitle}
article: beyond the article
verdict: beyond
summary: One sentence a reader sees in the table of contents.
---

# ${title.trim()}

Say what the article claims (or leaves out), and whether it is right, incomplete or wrong. Every
statement of behaviour is followed by the claim in \`app.test.ts\` that proves it.

## The app

{{#include app.ts:session}}

No session is stored, and no cookie sent, until there is something to keep
({{claim "a request that stores nothing gets no cookie, and the store stays empty"}}).

{{#include app.ts:routes}}

## What the spec shows

The first visit sets an HttpOnly, SameSite=Lax session cookie
({{claim "the first visit sets an HttpOnly, SameSite=Lax connect.sid cookie"}}); sending it back
counts the visits on the server ({{claim "sending the cookie back counts the visits on the server"}}),
and a request that only reads the session does not write it back
({{claim "reading the session without changing it does not write it back to the store (resave: false)"}}).

## Run it

Start it with \`npx tsx app.ts\` (in a clone of this repository: \`npm run snippet -- ${num}\`), then:

\`\`\`sh
curl -i -c jar.txt -b jar.txt http://localhost:3000/
curl -i -c jar.txt -b jar.txt http://localhost:3000/
\`\`\`
`;
  const app = `// ${title.trim()}
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    views: number;
  }
}

export interface AppOptions {
  store?: Store;
  secret?: string;
}

/**
 * The signing secret comes from the environment. Outside production a random one is made per start
 * (sessions then end on restart), so no secret is ever written in the source.
 */
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url');
}

export function createApp({ store = new MemoryStore(), secret = sessionSecret() }: AppOptions = {}): Express {
  const app = express();

  // #region session
  app.use(
    session({
      secret,
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  // #endregion session

  // #region routes
  app.get('/', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.send(\`Views: \${req.session.views}\`);
  });

  app.get('/views', (req, res) => {
    res.send(\`Views so far: \${req.session.views ?? 0}\`);
  });

  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  // #endregion routes

  return app;
}

// #region listen
// Listen only when this file is run directly (\`npx tsx app.ts\`), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().listen(port, (error) => {
    // Express 5 hands a listen error (a port in use, say) to this callback: say it and exit non-zero.
    if (error) {
      console.error(\`Cannot listen on port \${port}: \${error.message}\`);
      process.exit(1);
    }
    console.log(\`Listening on http://localhost:\${port}\`);
  });
}
// #endregion listen
`;
  const spec = `import { MemoryStore, type SessionData } from 'express-session';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { storedCount } from '../../src/testkit/store.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-${num}-secret';

/** A MemoryStore that counts the sessions written to it. */
class CountingStore extends MemoryStore {
  writes = 0;
  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.writes++;
    super.set(sid, data, callback);
  }
}

describe(${JSON.stringify(title.trim())}, () => {
  test('the first visit sets an HttpOnly, SameSite=Lax connect.sid cookie', async () => {
    const res = await request(createApp({ secret: SECRET })).get('/').expect(200);
    const cookie = requireCookie(res, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(res.text).toBe('Views: 1');
  });

  test('sending the cookie back counts the visits on the server', async () => {
    const app = createApp({ secret: SECRET });
    const cookie = requireCookie(await request(app).get('/'), 'connect.sid');
    const res = await request(app).get('/').set('Cookie', cookiePair(cookie));
    expect(res.text).toBe('Views: 2');
  });

  test('reading the session without changing it does not write it back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const app = createApp({ store, secret: SECRET });
    const cookie = requireCookie(await request(app).get('/'), 'connect.sid');
    const writes = store.writes;
    const res = await request(app).get('/views').set('Cookie', cookiePair(cookie));
    expect(res.text).toBe('Views so far: 1');
    expect(store.writes).toBe(writes);
  });

  test('a request that stores nothing gets no cookie, and the store stays empty', async () => {
    const store = new MemoryStore();
    const res = await request(createApp({ store, secret: SECRET })).get('/health').expect(200);
    expect(setCookieLines(res)).toEqual([]);
    expect(await storedCount(store)).toBe(0);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).get('/'),
  recognises: async (app, cookie) => (await request(app).get('/views').set('Cookie', cookie)).text === 'Views so far: 1',
});

describeHostileInput({ createApp: () => createApp({ secret: SECRET }), path: '/' });
`;
  return {
    folder,
    files: [
      { path: 'README.md', content: readme },
      { path: 'app.ts', content: app },
      { path: 'app.test.ts', content: spec },
    ],
  };
}

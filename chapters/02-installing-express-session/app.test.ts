import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import session, { Cookie, MemoryStore, Session, Store, type SessionOptions } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { describeSecretSource, withEnv } from '../../src/testkit/secret.ts';
import { CountingStore, storedCount } from '../../src/testkit/store.ts';
import { makeWorkDir, tempFolder, typeCheckProjects } from '../../src/testkit/tsc.ts';
import { createApp } from './app.ts';

const SECRET = 'chapter-02-secret';
const ROOT = join(import.meta.dirname, '..', '..');
// semver is what npm itself uses to match versions against ranges.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function manifest(path: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Manifest;
}

function installed(name: string): string {
  return manifest(join('node_modules', name, 'package.json')).version;
}

function wanted(name: string): string {
  const pkg = manifest('package.json');
  const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (range === undefined) throw new Error(`package.json does not list ${name}`);
  return range;
}

/** An app mounting express-session without a secret (TypeScript rightly refuses it, hence the cast). */
function appWithoutSecret() {
  const app = express();
  app.use(session({ resave: false, saveUninitialized: false } as unknown as SessionOptions));
  app.get('/', (req, res) => {
    req.session.views = 1;
    res.send('never reached');
  });
  return app;
}

/** Strict compiler options for a small module of its own (not the repository's tsconfig.json). */
const STRICT = {
  strict: true,
  noEmit: true,
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  types: ['node'],
  skipLibCheck: true,
  esModuleInterop: true,
};

const folder = await tempFolder('chapter-02-');
afterAll(() => folder.remove());

/**
 * Type-checks each source as a module of its own, in a folder whose node_modules is this project's,
 * with `hidePackage` left out of it when given, and returns each one's errors as `TScode: message`
 * (a chained message on one line). One run of TypeScript 7's native compiler checks them all.
 */
async function typeCheck(sources: { source: string; hidePackage?: string }[]): Promise<string[][]> {
  const projects: Parameters<typeof typeCheckProjects>[1] = {};
  for (const [index, { source, hidePackage }] of sources.entries()) {
    const work = await makeWorkDir(folder.path, `check-${index}`, hidePackage === undefined ? [] : [hidePackage]);
    projects[`check-${index}`] = {
      files: [await work.write('check.ts', source)],
      compilerOptions: STRICT,
      dir: work.path,
    };
  }
  const results = await typeCheckProjects(folder.path, projects);
  return sources.map((_, index) =>
    (results[`check-${index}`]?.diagnostics ?? []).map((d) => `TS${d.code}: ${d.message.replaceAll('\n', ' ')}`),
  );
}

describe('the installed packages', () => {
  test('the installed express-session is 1.19.x, the range package.json asks for', () => {
    expect(wanted('express-session')).toBe('1.19');
    expect(installed('express-session')).toMatch(/^1\.19\.\d+$/);
    expect(semver.satisfies(installed('express-session'), wanted('express-session'))).toBe(true);
  });

  test('the installed express is 5.x, matching ^5.3.0 in package.json', () => {
    expect(wanted('express')).toBe('^5.3.0');
    expect(installed('express')).toMatch(/^5\./);
    expect(semver.satisfies(installed('express'), wanted('express'))).toBe(true);
  });

  test('@types/express-session is installed and describes the same 1.19 line', () => {
    expect(wanted('@types/express-session')).toBe('1.19');
    expect(semver.satisfies(installed('@types/express-session'), wanted('@types/express-session'))).toBe(true);
    expect(installed('@types/express-session').split('.').slice(0, 2)).toEqual(
      installed('express-session').split('.').slice(0, 2),
    );
  });
});

describe('what the package exports', () => {
  test('the default export is a factory: session(options) returns an Express middleware (req, res, next)', () => {
    expect(typeof session).toBe('function');
    const middleware = session({ secret: SECRET, resave: false, saveUninitialized: false });
    expect(typeof middleware).toBe('function');
    expect(middleware.length).toBe(3);
  });

  test('it also exports the MemoryStore (the default store), Store, Session and Cookie classes', () => {
    for (const exported of [MemoryStore, Store, Session, Cookie]) expect(typeof exported).toBe('function');
    const store = new MemoryStore();
    expect(store).toBeInstanceOf(Store);
  });
});

describe('a minimal app that mounts it', () => {
  test('answers a request and sets one cookie, connect.sid, holding a signed session ID', async () => {
    const res = await request(createApp({ secret: SECRET })).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Views: 1');
    expect(setCookieLines(res)).toHaveLength(1);
    const cookie = requireCookie(res, 'connect.sid');
    const { id, signature } = signedSessionId(cookie.value);
    expect(signature).toBe(createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, ''));
    expect(cookie.path).toBe('/');
    expect(cookie.httpOnly).toBe(true);
  });

  test('the same client sending the cookie back gets the same session: Views: 2, no new cookie', async () => {
    const agent = request.agent(createApp({ secret: SECRET }));
    await agent.get('/').expect(200, 'Views: 1');
    const res = await agent.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Views: 2');
    expect(res.headers['set-cookie']).toBeUndefined();
    const read = await agent.get('/views');
    expect(read.text).toBe('Views so far: 2');
  });
});

describe("the minimal app's session settings", () => {
  test('a visitor whose session is only read gets no cookie and leaves nothing in the store (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const res = await request(createApp({ store, secret: SECRET })).get('/views');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Views so far: 0');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await storedCount(store)).toBe(0);
  });

  test('reading the count does not write the unchanged session back to the store (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ store, secret: SECRET }));
    await agent.get('/').expect(200, 'Views: 1');
    const writesAfterWrite = store.writes;
    for (let i = 0; i < 3; i += 1) await agent.get('/views').expect(200, 'Views so far: 1');
    expect(store.writes).toBe(writesAfterWrite);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).get('/').expect(200, 'Views: 1'),
  recognises: async (app, cookie) =>
    (await request(app).get('/views').set('Cookie', cookie)).text === 'Views so far: 1',
});

describe('without a secret', () => {
  test('mounting the middleware does not fail; every request does, with a 500 "secret option required for sessions"', async () => {
    const app = appWithoutSecret();
    const res = await request(app).get('/');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Error: secret option required for sessions');
    expect(res.text).not.toContain('never reached');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('in production Express hides the reason: the 500 says only "Internal Server Error"', async () => {
    // Express reads NODE_ENV when the app is created (app.get('env')).
    const app = withEnv({ NODE_ENV: 'production' }, () => appWithoutSecret());
    expect(app.get('env')).toBe('production');
    const res = await request(app).get('/');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Internal Server Error');
    expect(res.text).not.toContain('secret option required');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('legacy fallback: cookie-parser mounted first with a secret lends it to express-session (req.secret)', async () => {
    const app = express();
    app.use(cookieParser(SECRET));
    app.use(session({ resave: false, saveUninitialized: false } as unknown as SessionOptions));
    app.get('/', (req, res) => {
      req.session.views = 1;
      res.send('Views: 1');
    });
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    const { id, signature } = signedSessionId(requireCookie(res, 'connect.sid').value);
    expect(signature).toBe(createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, ''));
  });
});

describe('TypeScript', { timeout: 30_000 }, () => {
  const source = [
    "import session from 'express-session';",
    "export const withSecret = session({ secret: 'x', resave: false, saveUninitialized: false });",
    '',
  ].join('\n');
  const missingSecret =
    "import session from 'express-session';\nexport const m = session({ resave: false, saveUninitialized: false });\n";
  // The three checks below, in one compiler run, on first use.
  let checked: Promise<string[][]> | undefined;
  const check = () =>
    (checked ??= typeCheck([{ source, hidePackage: '@types/express-session' }, { source }, { source: missingSecret }]));

  test('without @types/express-session, strict TypeScript refuses the import (TS7016)', async () => {
    const [errors = []] = await check();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TS7016: Could not find a declaration file for module 'express-session'/);
  });

  test('with @types/express-session, the same file compiles and a missing secret is a compile error', async () => {
    const [, withTypes, errors = []] = await check();
    expect(withTypes).toEqual([]);
    expect(errors).toHaveLength(1);
    // TypeScript 7 names the missing property at once (TS2741); TypeScript 6 said the same under a
    // TS2345 "Argument of type … is not assignable to parameter of type 'SessionOptions'".
    expect(errors[0]).toBe(
      "TS2741: Property 'secret' is missing in type '{ resave: false; saveUninitialized: false; }' but required in type 'SessionOptions'.",
    );
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/views',
  login: async (app) => cookiePair(requireCookie(await request(app).get('/'), 'connect.sid')),
});

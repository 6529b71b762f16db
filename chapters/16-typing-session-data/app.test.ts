import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { MemoryStore } from 'express-session';
import request from 'supertest';
import { afterAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { describeSecretSource } from '../../src/testkit/secret.ts';
import { CountingStore, FailingStore, storedCount, storedIds, storedSession } from '../../src/testkit/store.ts';
import { ROOT, makeWorkDir, tempFolder, typeCheckProjects, type Result } from '../../src/testkit/tsc.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const HERE = import.meta.dirname;
const ARTICLE = `${HERE}/article.ts`;
const APP = `${HERE}/app.ts`;
/** Another module of the same program declaring `userId` differently (written to a temporary folder). */
const OTHER_SOURCE = [
  "import 'express-session';",
  "declare module 'express-session' {",
  '  interface SessionData {',
  '    userId: string;',
  '  }',
  '}',
  '',
].join('\n');

const MISSING_USER_ID = "Property 'userId' does not exist on type 'Session & Partial<SessionData>'.";

interface Finding {
  code: number;
  file: string;
  line: number;
  message: string;
}

/** 1-based line numbers of the lines of `file` that contain `text`. */
function linesContaining(file: string, text: string): number[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((line, index) => (line.includes(text) ? [index + 1] : []));
}

const folder = await tempFolder('chapter-16-');
afterAll(() => folder.remove());

/**
 * The lines of app.ts that declare a variable `userId`, and a copy of app.ts with a probe after
 * each: `userId satisfies never;`, which the compiler rejects with a message naming userId's type.
 */
const declarations = linesContaining(APP, 'const userId =');

/**
 * Every program this spec type-checks, each with exactly the files listed (plus what they import
 * and @types/node) and the project's own strict tsconfig.json, as `tsc` would: nothing else from
 * the repository is in a program, so other chapters' augmentations of SessionData cannot hide an
 * error. One run of TypeScript 7's native compiler checks them all, on first use.
 */
let checked: Promise<{ results: Record<string, Result>; findings: (name: string) => Finding[] }> | undefined;
function compile() {
  checked ??= (async () => {
    const work = await makeWorkDir(folder.path, 'work');
    const other = await work.write('other-module.virtual.ts', OTHER_SOURCE);
    const appLines = readFileSync(APP, 'utf8').split('\n');
    for (const line of [...declarations].reverse()) appLines.splice(line, 0, '    userId satisfies never; // probe');
    const probe = await work.write('app.probe.ts', appLines.join('\n'));
    const stringProbe = await work.write(
      'app.string-probe.ts',
      readFileSync(APP, 'utf8').replace('req.session.userId = 1;', "req.session.userId = '1';"),
    );
    const project = (files: string[], listFiles = false) => ({ files, extends: `${ROOT}/tsconfig.json`, listFiles });
    const results = await typeCheckProjects(work.path, {
      article: project([ARTICLE], true),
      app: project([APP]),
      together: project([ARTICLE, APP]),
      conflict: project([APP, other]),
      probe: project([probe]),
      stringProbe: project([stringProbe]),
    });
    const findings = (name: string): Finding[] =>
      (results[name]?.diagnostics ?? []).map((d) => ({
        code: d.code,
        file: relative(d.file.startsWith(work.path) ? work.path : HERE, d.file),
        line: d.line,
        message: d.message,
      }));
    return { results, findings };
  })();
  return checked;
}

describe('the article’s code under strict TypeScript', () => {
  test("req.session.userId fails with TS2339: Property 'userId' does not exist on type 'Session & Partial<SessionData>'", {
    timeout: 30_000,
  }, async () => {
    const { results, findings } = await compile();
    // Only the article and what it imports: no chapter's `declare module 'express-session'`.
    const ours = results.article?.files.filter((f) => !f.includes('node_modules'));
    expect(ours).toEqual([ARTICLE]);
    const lines = linesContaining(ARTICLE, 'req.session.userId');
    expect(lines).toHaveLength(3);
    expect(findings('article')).toEqual(
      lines.map((line) => ({ code: 2339, file: 'article.ts', line, message: MISSING_USER_ID })),
    );
  });

  test('the error is a compile-time one only: run without a type check, the article’s login works', async () => {
    const agent = request.agent(createArticleApp());
    const login = await agent.post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
  });
});

describe('the article’s code, run as written', () => {
  test('a visitor who never logs in still gets a session cookie from the article’s app (saveUninitialized: true)', async () => {
    const res = await request(createArticleApp()).get('/profile');
    expect(res.status).toBe(200);
    expect(res.text).toBe('User not logged in');
    expect(decodeURIComponent(requireCookie(res, 'connect.sid').value)).toMatch(/^s:/);
  });
});

describe('declaring SessionData once', () => {
  test('app.ts, which augments SessionData with userId: number, compiles with no diagnostics', {
    timeout: 30_000,
  }, async () => {
    const { findings } = await compile();
    expect(findings('app')).toEqual([]);
  });

  test('TypeScript reads req.session.userId as number | undefined, so a missing login must be handled', {
    timeout: 30_000,
  }, async () => {
    const { findings } = await compile();
    expect(findings('app')).toEqual([]);
    // The probe copy of app.ts differs only by `userId satisfies never;` after each declaration.
    expect(declarations).toHaveLength(1);
    const probes = findings('probe');
    expect(probes.map(({ code, file, line }) => ({ code, file, line }))).toEqual(
      declarations.map((line, index) => ({ code: 1360, file: 'app.probe.ts', line: line + index + 1 })),
    );
    const types = probes.map((p) => /^Type '(.+)' does not satisfy the expected type 'never'\./.exec(p.message)?.[1]);
    expect(types).toEqual(['number | undefined']);
  });

  test('with the augmentation, writing a string into req.session.userId is refused with TS2322', {
    timeout: 30_000,
  }, async () => {
    const { findings } = await compile();
    const [line] = linesContaining(APP, 'req.session.userId = 1;');
    expect(findings('stringProbe')).toEqual([
      { code: 2322, file: 'app.string-probe.ts', line, message: "Type 'string' is not assignable to type 'number'." },
    ]);
  });

  test('the augmentation is global: in one program with app.ts, the article’s code compiles too', {
    timeout: 30_000,
  }, async () => {
    const { findings } = await compile();
    expect(findings('together')).toEqual([]);
  });

  test('a second module declaring userId: string breaks the program with TS2717', { timeout: 30_000 }, async () => {
    const { findings } = await compile();
    expect(findings('conflict')).toEqual([
      {
        code: 2717,
        file: 'other-module.virtual.ts',
        line: 4,
        message:
          "Subsequent property declarations must have the same type.  Property 'userId' must be of type 'number', but here has type 'string'.",
      },
    ]);
  });
});

describe('the typed app over HTTP', () => {
  test('a visitor who has not logged in gets 401 and no session cookie', async () => {
    const res = await request(createApp({ secret: 'chapter-16-secret' })).get('/profile');
    expect(res.status).toBe(401);
    expect(res.text).toBe('User not logged in');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('after logging in, the profile reads the typed userId back: 1 (the cookie has express-session’s defaults: HttpOnly, Path=/, no Secure, SameSite or expiry)', async () => {
    const app = createApp({ secret: 'chapter-16-secret' });
    const login = await request(app).post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    const cookie = requireCookie(login, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeUndefined();
    expect(cookie.sameSite).toBeUndefined();
    expect(cookie.expires).toBeUndefined();
    const profile = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
    expect(profile.headers['set-cookie']).toBeUndefined();
  });
});

describe('the typed app’s session handling', () => {
  test('anonymous requests store nothing (saveUninitialized: false)', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: 'chapter-16-secret', store });
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/profile').expect(401, 'User not logged in');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await storedCount(store)).toBe(0);
  });

  test('logging in again issues a new session ID: the old ID opens nothing and is gone from the store', async () => {
    const store = new MemoryStore();
    const app = createApp({ secret: 'chapter-16-secret', store });
    const agent = request.agent(app);
    const first = requireCookie(await agent.post('/login').expect(200), 'connect.sid');
    const second = requireCookie(await agent.post('/login').expect(200), 'connect.sid');
    expect(signedSessionId(second.value).id).not.toBe(signedSessionId(first.value).id);
    await request(app).get('/profile').set('Cookie', cookiePair(first)).expect(401, 'User not logged in');
    await request(app).get('/profile').set('Cookie', cookiePair(second)).expect(200, 'User profile for user ID: 1');
    expect(await storedIds(store)).toEqual([signedSessionId(second.value).id]);
  });

  test('when the store cannot replace the old session at login, the client gets a 500 and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: 'chapter-16-secret', store }));
    store.failing.add('destroy'); // regenerate() destroys the old session first
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('logged in');
    store.failing.clear();
    for (const id of await storedIds(store)) expect(await storedSession(store, id)).not.toHaveProperty('userId');
    await agent.get('/profile').expect(401, 'User not logged in');
  });

  test('when the store cannot save the login, the client gets a 500, not a success, and is not logged in', async () => {
    const store = new FailingStore();
    const agent = request.agent(createApp({ secret: 'chapter-16-secret', store }));
    store.failing.add('set');
    const res = await agent.post('/login');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('logged in');
    store.failing.clear();
    expect(await storedCount(store)).toBe(0);
    await agent.get('/profile').expect(401, 'User not logged in');
  });

  test('a session that did not change is not written back to the store on each request (resave: false)', async () => {
    const store = new CountingStore();
    const agent = request.agent(createApp({ secret: 'chapter-16-secret', store }));
    await agent.post('/login').expect(200);
    const afterLogin = store.writes;
    expect(afterLogin).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await agent.get('/profile').expect(200, 'User profile for user ID: 1');
    expect(store.writes).toBe(afterLogin);
  });
});

describeSecretSource({
  createApp: (store) => createApp({ store }),
  start: (app) => request(app).post('/login').expect(200),
  recognises: async (app, cookie) => (await request(app).get('/profile').set('Cookie', cookie)).status === 200,
});

describeHostileInput({
  createApp: () => createApp({ secret: 'chapter-16-secret' }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

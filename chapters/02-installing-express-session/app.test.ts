import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import session, { Cookie, MemoryStore, Session, Store, type SessionOptions } from 'express-session';
import request from 'supertest';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { cookiePair, requireCookie, setCookieLines, signedSessionId } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
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

/** Parsed library files (lib.d.ts, @types/node, express types), shared by every type check below. */
const parsed = new Map<string, ts.SourceFile>();

/**
 * Type-checks one in-memory TypeScript file against this project's node_modules with strict
 * options, optionally hiding one package from the compiler, and returns the error codes and texts.
 */
function typeCheck(source: string, hidePackage?: string): string[] {
  const file = join(import.meta.dirname, '__typecheck__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    skipLibCheck: true,
    esModuleInterop: true,
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  const hidden = (path: string) => hidePackage !== undefined && path.includes(`/node_modules/${hidePackage}/`);
  host.fileExists = (path) => (path === file ? true : hidden(path) ? false : fileExists.call(host, path));
  host.readFile = (path) => (path === file ? source : hidden(path) ? undefined : readFile.call(host, path));
  host.directoryExists = (dir) => !hidden(`${dir}/`) && ts.sys.directoryExists(dir);
  host.getSourceFile = (path, language, ...rest) => {
    if (path === file) return ts.createSourceFile(path, source, language);
    let parsedFile = parsed.get(path);
    if (!parsedFile) {
      parsedFile = getSourceFile.call(host, path, language, ...rest);
      if (parsedFile) parsed.set(path, parsedFile);
    }
    return parsedFile;
  };
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
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
    const app = appWithoutSecret();
    app.set('env', 'production');
    const res = await request(app).get('/');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Internal Server Error');
    expect(res.text).not.toContain('secret option required');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test("legacy fallback: cookie-parser mounted first with a secret lends it to express-session (req.secret)", async () => {
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

  test('without @types/express-session, strict TypeScript refuses the import (TS7016)', () => {
    const errors = typeCheck(source, '@types/express-session');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TS7016: Could not find a declaration file for module 'express-session'/);
  });

  test('with @types/express-session, the same file compiles and a missing secret is a compile error', () => {
    expect(typeCheck(source)).toEqual([]);
    const errors = typeCheck(
      "import session from 'express-session';\nexport const m = session({ resave: false, saveUninitialized: false });\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TS2345: .*Property 'secret' is missing/);
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: SECRET }),
  path: '/views',
  login: async (app) => cookiePair(requireCookie(await request(app).get('/'), 'connect.sid')),
});

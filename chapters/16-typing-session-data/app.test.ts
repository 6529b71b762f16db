import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { cookiePair, requireCookie } from '../../src/testkit/cookies.ts';
import { describeHostileInput } from '../../src/testkit/hostile.ts';
import { createApp as createArticleApp } from './article.ts';
import { createApp } from './app.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const ARTICLE = join(HERE, 'article.ts');
const APP = join(HERE, 'app.ts');
/** A file that exists only in memory: another module of the same program declaring `userId` differently. */
const OTHER = join(HERE, 'other-module.virtual.ts');
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

/** The compiler options of the project's own tsconfig.json: strict, NodeNext, types: ["node"]. */
function projectOptions(): ts.CompilerOptions {
  const file = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  if (file.error) throw new Error(ts.flattenDiagnosticMessageText(file.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(file.config, ts.sys, ROOT);
  if (parsed.errors.length > 0) throw new Error(ts.flattenDiagnosticMessageText(parsed.errors[0]?.messageText ?? '', '\n'));
  return parsed.options;
}

interface Finding {
  code: number;
  file: string;
  line: number;
  message: string;
}

let options: ts.CompilerOptions;
let host: ts.CompilerHost;
let previous: ts.Program | undefined;

/**
 * Type-checks exactly `rootNames` (plus what they import and @types/node) with the project's
 * options, as `tsc` would, and lists the diagnostics. Nothing else from the repository is in the
 * program, so other chapters' augmentations of SessionData cannot hide an error.
 */
function typeCheck(rootNames: string[]): { program: ts.Program; findings: Finding[] } {
  const program = ts.createProgram({ rootNames, options, host, ...(previous ? { oldProgram: previous } : {}) });
  previous = program;
  const findings = ts.getPreEmitDiagnostics(program).map((d) => ({
    code: d.code,
    file: d.file ? d.file.fileName.slice(HERE.length + 1) : '',
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
  return { program, findings };
}

/** 1-based line numbers of the lines of `file` that contain `text`. */
function linesContaining(file: string, text: string): number[] {
  const lines = (ts.sys.readFile(file) ?? '').split('\n');
  return lines.flatMap((line, index) => (line.includes(text) ? [index + 1] : []));
}

beforeAll(() => {
  options = projectOptions();
  host = ts.createCompilerHost(options, true);
  // Parse library declaration files once for all the programs below.
  const cache = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (name) => name === OTHER || fileExists(name);
  host.readFile = (name) => (name === OTHER ? OTHER_SOURCE : readFile(name));
  host.getSourceFile = (name, languageVersion, onError) => {
    if (name === OTHER) return ts.createSourceFile(name, OTHER_SOURCE, languageVersion, true);
    if (!name.includes('node_modules')) return getSourceFile(name, languageVersion, onError);
    if (!cache.has(name)) cache.set(name, getSourceFile(name, languageVersion, onError));
    return cache.get(name);
  };
});

describe('the article’s code under strict TypeScript', () => {
  test("req.session.userId fails with TS2339: Property 'userId' does not exist on type 'Session & Partial<SessionData>'", { timeout: 30_000 }, () => {
    const { program, findings } = typeCheck([ARTICLE]);
    // Only the article and what it imports: no chapter's `declare module 'express-session'`.
    const ours = program.getSourceFiles().filter((f) => !f.fileName.includes('node_modules'));
    expect(ours.map((f) => f.fileName)).toEqual([ARTICLE]);
    const lines = linesContaining(ARTICLE, 'req.session.userId');
    expect(lines).toHaveLength(3);
    expect(findings).toEqual(lines.map((line) => ({ code: 2339, file: 'article.ts', line, message: MISSING_USER_ID })));
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

describe('declaring SessionData once', () => {
  test('app.ts, which augments SessionData with userId: number, compiles with no diagnostics', { timeout: 30_000 }, () => {
    const { findings } = typeCheck([APP]);
    expect(findings).toEqual([]);
  });

  test('TypeScript reads req.session.userId as number | undefined, so a missing login must be handled', { timeout: 30_000 }, () => {
    const { program, findings } = typeCheck([APP]);
    expect(findings).toEqual([]);
    const source = program.getSourceFile(APP);
    if (!source) throw new Error('app.ts is not in the program');
    const checker = program.getTypeChecker();
    const types: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && node.name.getText(source) === 'userId' && node.initializer) {
        types.push(checker.typeToString(checker.getTypeAtLocation(node.name)));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(types).toEqual(['number | undefined']);
  });

  test('the augmentation is global: in one program with app.ts, the article’s code compiles too', { timeout: 30_000 }, () => {
    const { findings } = typeCheck([ARTICLE, APP]);
    expect(findings).toEqual([]);
  });

  test('a second module declaring userId: string breaks the program with TS2717', { timeout: 30_000 }, () => {
    const { findings } = typeCheck([APP, OTHER]);
    expect(findings).toEqual([
      {
        code: 2717,
        file: 'other-module.virtual.ts',
        line: 4,
        message: "Subsequent property declarations must have the same type.  Property 'userId' must be of type 'number', but here has type 'string'.",
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

  test('after logging in, the profile reads the typed userId back: 1', async () => {
    const app = createApp({ secret: 'chapter-16-secret' });
    const login = await request(app).post('/login');
    expect(login.status).toBe(200);
    expect(login.text).toBe('User logged in, session data stored');
    const cookie = requireCookie(login, 'connect.sid');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.path).toBe('/');
    const profile = await request(app).get('/profile').set('Cookie', cookiePair(cookie));
    expect(profile.status).toBe(200);
    expect(profile.text).toBe('User profile for user ID: 1');
    expect(profile.headers['set-cookie']).toBeUndefined();
  });
});

describeHostileInput({
  createApp: () => createApp({ secret: 'chapter-16-secret' }),
  path: '/profile',
  login: async (app) => cookiePair(requireCookie(await request(app).post('/login'), 'connect.sid')),
});

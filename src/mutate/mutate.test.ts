import { describe, expect, test } from 'vitest';
import type { ChapterMutation, MutantResult } from '../types.ts';
import { applyMutant, diffOf, mutantsOf } from './operators.ts';
import { outcomeOf } from './run.ts';
import { scoreChapter } from './score.ts';

const APP = `import session from 'express-session';
function sessionSecret(): string {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === 'production') throw new Error('SESSION_SECRET must be set in production');
  return randomBytes(32).toString('base64url');
}
export function createApp({ secure = process.env.NODE_ENV === 'production', sameSite = 'strict' }: { secure?: boolean; sameSite?: string } = {}) {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(session({ secret: sessionSecret(), resave: false, saveUninitialized: false, cookie: { httpOnly: true, path: '/', sameSite: 'lax', secure: process.env.NODE_ENV === 'production', maxAge: 900_000 } }));
  app.post('/login', (req, res, next) => {
    if (typeof req.body.name !== 'string' || req.body.name.length > 32) {
      res.status(400).send('bad name');
      return;
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      res.send('ok');
    });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('connect.sid', { path: '/', httpOnly: true }).send('bye');
    });
  });
  return app;
}
// #region listen
if (process.argv[1] && import.meta.url === 'x') {
  createApp().listen(Number(process.env.PORT ?? 3000), () => console.log('Listening'));
}
// #endregion listen
`;

const mutants = mutantsOf('app.ts', APP);
const find = (operator: string, fragment: string) =>
  mutants.find((m) => m.operator === operator && m.diff.includes(fragment));

describe('mutation operators', () => {
  test('model the mistakes readers make, each marked safety or not', () => {
    const expected: Array<[string, string, boolean]> = [
      ['constant-secret', "const secret = 'keyboard cat'", true],
      ['constant-secret', "return 'keyboard cat'", true],
      ['remove-guard', "if (false) throw new Error('SESSION_SECRET", true],
      ['trust-proxy', "app.set('trust proxy', true)", true],
      ['flip-option', 'saveUninitialized: true', true],
      ['flip-option', 'httpOnly: false', true],
      ['loosen-samesite', "sameSite: 'none'", true],
      ['weaken-secure', 'secure: false', true],
      ['change-expiry', 'maxAge: (900_000) * 10', true],
      ['remove-call', '+     ((err) => {', true],
      ['weaken-guard', "if (typeof req.body.name !== 'string') {", true],
      ['change-name', "res.clearCookie('sid'", true],
      ['change-status', 'res.status(200)', false],
      ['weaken-secure', '{ secure = false,', true],
      ['loosen-samesite', "sameSite = 'lax'", true],
      ['flip-option', 'resave: true', false],
    ];
    for (const [operator, fragment, safety] of expected) {
      const m = find(operator, fragment);
      expect(m, `${operator} giving ${fragment}`).toBeDefined();
      expect(m!.safety, `${operator} giving ${fragment}`).toBe(safety);
    }
  });

  test('leaving out destroy() runs its callback at once, and clearCookie() leaves the chain', () => {
    const destroy = mutants.find((m) => m.description.startsWith('`destroy()`'))!;
    expect(applyMutant(APP, destroy)).toContain('((err) => {\n      if (err) return next(err);\n      res.clearCookie');
    const clear = mutants.find((m) => m.description.startsWith('`clearCookie()`'))!;
    expect(applyMutant(APP, clear)).toContain("res.send('bye')");
    expect(clear.safety).toBe(true);
  });

  test('dropping an option that holds its default value is not a mutant (it changes nothing)', () => {
    expect(
      mutants.filter((m) => m.operator === 'drop-option' && m.diff.includes("path: '/'") && !m.diff.includes('+')),
    ).toEqual([]);
    expect(
      mutants.some((m) => m.operator === 'drop-option' && m.description === '`httpOnly` left out' && m.line === 11),
    ).toBe(false);
  });

  test("a cleared cookie's attributes other than name, path and domain are not mutated", () => {
    expect(mutants.some((m) => m.line === 26 && m.operator === 'flip-option')).toBe(false);
  });

  test('nothing in the listen region, the imports or the types is mutated', () => {
    const listen = APP.split('\n').findIndex((l) => l.includes('#region listen')) + 1;
    expect(mutants.every((m) => m.line < listen)).toBe(true);
    expect(mutants.some((m) => m.line === 1)).toBe(false);
  });

  test('ids are stable when unrelated code moves, and unique', () => {
    const moved = mutantsOf('app.ts', `// a comment\n\n${APP}`);
    expect(moved.map((m) => m.id)).toEqual(mutants.map((m) => m.id));
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    expect(moved.map((m) => m.line)).toEqual(mutants.map((m) => m.line + 2));
  });

  test('each mutant changes the file, and no two give the same file', () => {
    const texts = mutants.map((m) => applyMutant(APP, m));
    expect(texts.every((t) => t !== APP)).toBe(true);
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe('diffs', () => {
  test('show the changed lines, a long run of unchanged lines between them shortened to its first and last', () => {
    const text = 'a\nfoo(() => {\n  one;\n  two;\n  three;\n});\nz\n';
    const start = text.indexOf('foo(');
    const end = text.indexOf('});') + 2;
    const inner = text.slice(text.indexOf('() =>'), text.indexOf('});') + 1);
    expect(diffOf(text, start, end, `(${inner})()`)).toBe(
      ['- foo(() => {', '+ (() => {', '    one;', '  …', '    three;', '- });', '+ })();'].join('\n'),
    );
  });

  test('a removed line shows as removed, with nothing added', () => {
    const text = 'a\n  remove(me);\nb\n';
    const start = text.indexOf('  remove');
    expect(diffOf(text, start, text.indexOf('b'), '')).toBe('-   remove(me);');
  });
});

function result(file: string, safety: boolean, status: 'killed' | 'survived', n = 1): MutantResult[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `op-${file}-${safety}-${status}-${i}`,
    file,
    line: i + 1,
    operator: 'op',
    description: 'd',
    safety,
    diff: '- x',
    start: 0,
    end: 1,
    replacement: '',
    status,
  }));
}

describe('scores against the targets', () => {
  const chapter = (mutants: MutantResult[], baselinePassed = true): ChapterMutation => ({
    id: '01-x',
    inputs: 'h',
    baselinePassed,
    mutants,
  });

  test('90 % of app.ts killed meets the target; 89 % does not', () => {
    expect(
      scoreChapter(chapter([...result('app.ts', false, 'killed', 9), ...result('app.ts', false, 'survived', 1)]))
        .problems,
    ).toEqual([]);
    const miss = scoreChapter(
      chapter([...result('app.ts', false, 'killed', 8), ...result('app.ts', false, 'survived', 1)]),
    );
    expect(miss.problems).toEqual(['app.ts: 8 of 9 mutants killed (88 %), below 90 %']);
  });

  test('one surviving safety mutant misses the target, in app.ts or in article code', () => {
    const s = scoreChapter(
      chapter([
        ...result('app.ts', false, 'killed', 20),
        ...result('app.ts', true, 'survived', 1),
        ...result('article.ts', true, 'survived', 1),
      ]),
    );
    expect(s.problems).toEqual(['app.ts: 1 safety mutant survived', 'article.ts: 1 safety mutant survived']);
    expect(s.files.map((f) => f.file)).toEqual(['app.ts', 'article.ts']);
  });

  test('article code has no percentage target, and a failing baseline is a miss', () => {
    expect(scoreChapter(chapter(result('article.ts', false, 'survived', 5))).problems).toEqual([]);
    expect(scoreChapter(chapter([], false)).problems).toEqual(['the unmutated chapter does not pass its own specs']);
  });
});

describe("reading a run's report", () => {
  const file = (name: string, status: string, tests: Array<[string, string]>, message?: string) => ({
    name: `/w/${name}`,
    status,
    ...(message ? { message } : {}),
    assertionResults: tests.map(([title, s]) => ({ ancestorTitles: ['group'], title, status: s })),
  });

  test('a failed claim kills; all passed survives; a spec that cannot run kills', () => {
    const out = outcomeOf(
      {
        testResults: [
          file('01~app~a/app.test.ts', 'failed', [
            ['x', 'passed'],
            ['y', 'failed'],
          ]),
          file('01~app~b/app.test.ts', 'passed', [['x', 'passed']]),
          file('01~app~c/app.test.ts', 'failed', [], 'SyntaxError: nope'),
        ],
      },
      '/w',
    );
    expect(out.failures.get('01~app~a')).toEqual(['group › y']);
    expect(out.failures.get('01~app~b')).toEqual([]);
    expect(out.failures.get('01~app~c')).toEqual(['app.test.ts could not run: SyntaxError: nope']);
    expect([...out.ran].sort()).toEqual(['01~app~a', '01~app~b', '01~app~c']);
  });

  test('a file that failed in a hook, its claims skipped, kills the mutant', () => {
    const out = outcomeOf(
      { testResults: [file('02~app~d/app.test.ts', 'failed', [['x', 'skipped']], 'beforeAll: expected 200')] },
      '/w',
    );
    expect(out.failures.get('02~app~d')).toEqual(['app.test.ts failed outside any claim: beforeAll: expected 200']);
  });
});

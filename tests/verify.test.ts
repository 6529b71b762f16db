import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { cleanFailure, dependencyVersions, loadVerification, parseVitestReport, saveVerification, type VitestJsonReport } from '../src/verify.ts';

const root = join(import.meta.dirname, '..');
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const spec = (id: string) => join(root, 'tests/fixtures/chapters-e2e', id, 'app.test.ts');

const report: VitestJsonReport = {
  testResults: [
    {
      name: spec('01-passing'),
      status: 'passed',
      assertionResults: [
        { ancestorTitles: ['counting visits'], title: 'first', status: 'passed', duration: 12.6, failureMessages: [], location: { line: 6, column: 3 }, meta: { exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: 'ok' }] } },
        { ancestorTitles: ['counting visits'], title: 'needs Redis', status: 'skipped', duration: null, failureMessages: [], meta: {} },
      ],
    },
    {
      name: spec('02-failing'),
      status: 'failed',
      assertionResults: [
        {
          ancestorTitles: [],
          title: 'is HttpOnly',
          status: 'failed',
          duration: 3.2,
          failureMessages: [`\u001b[31mAssertionError: expected 'a' to contain 'b'\u001b[39m\n\n- Expected\n+ Received\n    at ${root}/tests/fixtures/chapters-e2e/02-failing/app.test.ts:13:5\n    at run (node_modules/x.js:1:1)`],
          location: { line: 11, column: 3 },
        },
      ],
    },
    { name: join(root, 'chapters/99-elsewhere/app.test.ts'), status: 'passed', assertionResults: [] },
  ],
};

describe('verify: the run', () => {
  test("records the installed version of each of package.json's runtime dependencies", () => {
    const root = join(import.meta.dirname, '..');
    const versions = dependencyVersions(root);
    expect(Object.keys(versions)).toEqual(expect.arrayContaining(['express', 'express-session', 'cookie-parser', 'better-sqlite3', 'tsx']));
    expect(versions['better-sqlite3']).toMatch(/^12\./);
    expect(versions.express).toMatch(/^5\./);
    expect(dependencyVersions(join(root, 'no-such-folder'))).toEqual({});
  });
});

describe('verify: vitest JSON report to results', () => {
  test('each test: name, describe path, status, rounded duration, spec file and line, exchanges', () => {
    const [passing] = parseVitestReport(report, chapters, root);
    expect(passing).toEqual({
      id: '01-passing',
      fileErrors: [],
      tests: [
        { name: 'first', describe: ['counting visits'], status: 'passed', durationMs: 13, file: 'app.test.ts', line: 6, exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: 'ok' }] },
        { name: 'needs Redis', describe: ['counting visits'], status: 'skipped', durationMs: 0, file: 'app.test.ts', exchanges: [] },
      ],
    });
  });

  test('a failure keeps the message and diff, without colours, stack frames or local paths', () => {
    const [, failing] = parseVitestReport(report, chapters, root);
    expect(failing?.tests[0]?.failure).toBe("AssertionError: expected 'a' to contain 'b'\n\n- Expected\n+ Received");
    expect(cleanFailure(`Error: cannot read ${root}/chapters/01-x/app.ts`, root)).toBe('Error: cannot read chapters/01-x/app.ts');
  });

  test('a spec file that did not run at all is a file error of its chapter', () => {
    const broken: VitestJsonReport = { testResults: [{ name: spec('02-failing'), status: 'failed', message: 'SyntaxError: Unexpected token', assertionResults: [] }] };
    expect(parseVitestReport(broken, chapters, root)[1]).toEqual({ id: '02-failing', tests: [], fileErrors: [{ file: 'app.test.ts', message: 'SyntaxError: Unexpected token' }] });
  });

  test('results round-trip through a file; a bad file is refused with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    try {
      const file = join(dir, 'results.json');
      const verification = { run: { versions: { node: '20', express: '5', 'express-session': '1', 'cookie-parser': '1' }, date: '2025-01-01T00:00:00.000Z', commit: 'abc', dirty: false }, chapters: parseVitestReport(report, chapters, root) };
      saveVerification(file, verification);
      expect(loadVerification(file)).toEqual(verification);
      writeFileSync(file, '{"chapters": 3}');
      expect(() => loadVerification(file, 'results.json')).toThrow('results.json: not a results file');
      writeFileSync(file, 'nope');
      expect(() => loadVerification(file, 'results.json')).toThrow('results.json: not valid JSON');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

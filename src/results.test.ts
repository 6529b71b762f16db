import { describe, expect, test } from 'vitest';
import {
  buildChapterResults,
  fromJsonReport,
  fromTestModules,
  type ReportedModule,
  type VitestJsonReport,
} from './results.ts';

const chapters = [
  { id: '01-a', dir: 'chapters/01-a' },
  { id: '02-b', dir: 'chapters/02-b' },
];
const exchange = { method: 'GET', path: '/', status: 200, setCookie: [], body: '' };
const stack = 'AssertionError: expected 1 to be 2\n    at /root/chapters/01-a/app.test.ts:1:1';

/** One run, as vitest's reported modules: 01-a's browser spec finished first, 02-b has a test of each state. */
const modules: ReportedModule[] = [
  {
    moduleId: '/root/chapters/01-a/browser.test.ts',
    state: () => 'failed',
    errors: () => [{ message: 'Cannot find module x' }, { message: 'second' }],
    children: { allTests: () => [] },
  },
  {
    moduleId: '/root/chapters/01-a/app.test.ts',
    state: () => 'failed',
    errors: () => [],
    children: {
      allTests: () => [
        {
          name: 'sets a cookie',
          parent: { type: 'suite', name: 'login', parent: { type: 'module' } },
          location: { line: 12 },
          result: () => ({ state: 'failed', errors: [{ message: 'expected 1 to be 2', stack }] }),
          diagnostic: () => ({ duration: 12.6 }),
          meta: () => ({ exchanges: [exchange] }),
        },
      ],
    },
  },
  {
    moduleId: '/root/chapters/02-b/app.test.ts',
    state: () => 'passed',
    errors: () => [],
    children: {
      allTests: () =>
        ['passed', 'skipped', 'pending'].map((state, i) => ({
          name: `t${i}`,
          parent: { type: 'module' },
          location: { line: i + 1 },
          result: () => ({ state }),
          diagnostic: () => (state === 'passed' ? { duration: 1.2 } : undefined),
          meta: () => ({}),
        })),
    },
  },
  { moduleId: '/root/tests/other.test.ts', state: () => 'passed', errors: () => [], children: { allTests: () => [] } },
];

/** The same run, as vitest's JSON reporter writes it. */
const report: VitestJsonReport = {
  testResults: [
    {
      name: '/root/chapters/01-a/browser.test.ts',
      status: 'failed',
      message: 'Cannot find module x',
      assertionResults: [],
    },
    {
      name: '/root/chapters/01-a/app.test.ts',
      status: 'failed',
      message: '',
      assertionResults: [
        {
          ancestorTitles: ['login'],
          title: 'sets a cookie',
          status: 'failed',
          duration: 12.6,
          failureMessages: [stack],
          location: { line: 12, column: 3 },
          meta: { exchanges: [exchange] },
        },
      ],
    },
    {
      name: '/root/chapters/02-b/app.test.ts',
      status: 'passed',
      message: '',
      assertionResults: [
        {
          ancestorTitles: [],
          title: 't0',
          status: 'passed',
          duration: 1.2,
          failureMessages: [],
          location: { line: 1, column: 1 },
          meta: {},
        },
        {
          ancestorTitles: [],
          title: 't1',
          status: 'skipped',
          failureMessages: [],
          location: { line: 2, column: 1 },
          meta: {},
        },
        {
          ancestorTitles: [],
          title: 't2',
          status: 'pending',
          failureMessages: [],
          location: { line: 3, column: 1 },
          meta: {},
        },
      ],
    },
  ],
};

describe("vitest's output as the build's results: one builder for npm run build and npm run dev", () => {
  test("vitest's reported modules give each test its describe path, status, rounded duration, line, failure and exchanges", () => {
    const [a, b] = buildChapterResults(fromTestModules(modules), chapters, '/root');
    expect(a).toEqual({
      id: '01-a',
      tests: [
        {
          name: 'sets a cookie',
          describe: ['login'],
          status: 'failed',
          durationMs: 13,
          file: 'app.test.ts',
          line: 12,
          failure: 'AssertionError: expected 1 to be 2',
          exchanges: [exchange],
        },
      ],
      fileErrors: [{ file: 'browser.test.ts', message: 'Cannot find module x' }],
    });
    expect(b?.tests.map((t) => [t.name, t.status, t.durationMs, t.line])).toEqual([
      ['t0', 'passed', 1, 1],
      ['t1', 'skipped', 0, 2],
      ['t2', 'skipped', 0, 3],
    ]);
  });

  test('the JSON report and the reported modules of the same run give the same results', () => {
    const fromModules = buildChapterResults(fromTestModules(modules), chapters, '/root');
    expect(buildChapterResults(fromJsonReport(report), chapters, '/root')).toEqual(fromModules);
  });

  test('spec files in path order whatever order vitest finished them in; chapters in the order given, even without outcomes', () => {
    const reversed = buildChapterResults(
      fromTestModules([...modules].reverse()),
      [...chapters, { id: '03-c', dir: 'chapters/03-c' }],
      '/root',
    );
    expect(reversed.map((r) => r.id)).toEqual(['01-a', '02-b', '03-c']);
    expect(reversed[0]).toEqual(buildChapterResults(fromTestModules(modules), chapters, '/root')[0]);
    expect(reversed[2]).toEqual({ id: '03-c', tests: [], fileErrors: [] });
    const files = buildChapterResults(
      fromJsonReport({
        testResults: ['z.test.ts', 'app.test.ts', 'browser.test.ts'].map((f) => ({
          name: `/root/chapters/01-a/${f}`,
          status: 'passed',
          assertionResults: [{ ancestorTitles: [], title: f, status: 'passed' }],
        })),
      }),
      chapters,
      '/root',
    );
    expect(files[0]?.tests.map((t) => t.file)).toEqual(['app.test.ts', 'browser.test.ts', 'z.test.ts']);
  });

  test('a spec file that failed without an error message still says it failed to run', () => {
    const [a] = buildChapterResults(
      [{ file: '/root/chapters/01-a/app.test.ts', failed: true, error: '', tests: [] }],
      chapters,
      '/root',
    );
    expect(a?.fileErrors).toEqual([{ file: 'app.test.ts', message: 'the spec file failed to run' }]);
  });
});

import { describe, expect, test } from 'vitest';
import { copyReadme, corpusFolder, testNames } from './corpus.ts';
import { buildStages, chaptersRun, incrementalFigures, stageMs, withBenchChange } from './incremental.ts';
import { figure, formatValue, markdownTable, median, textTable } from './stats.ts';
import {
  baselineModulesFolder,
  failingTests,
  loadFigure,
  nodeModulesPlan,
  oneChapterFigure,
  wholeSuiteFigure,
} from './suite.ts';
import { cssRefs, frameworkIn, pageRefs } from './weight.ts';
import { FOLDER_NAME } from '../find.ts';
import type { Chapter } from '../types.ts';

describe('bench arithmetic', () => {
  test('the median of an odd count is the middle value, of an even count the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(median([1, Number.NaN, 3])).toBe(2);
  });

  test('a figure is its runs’ median, met or not against its target; an info figure is neither', () => {
    expect(figure('2', 'one', [1.6, 1.2, 1.4], 's', { op: '<', value: 1.5, text: '< 1.5 s' })).toMatchObject({
      value: 1.4,
      met: true,
    });
    expect(figure('2', 'one', [1.6, 1.5, 1.4], 's', { op: '<', value: 1.5, text: '< 1.5 s' }).met).toBe(false);
    expect(figure('1b', 'x', [0.1], 's', { op: '<=', value: 0.1, text: '' }).met).toBe(true);
    expect(figure('4', 'x', [9], 's', { op: 'info', text: 'shown' }).met).toBeNull();
  });

  test('the tables show every figure with its target and whether it is met', () => {
    const f = [
      figure('3.8', 'Render 8', [0.2], 's', { op: '<', value: 0.22, text: '< 0.22 s (Hugo)' }, 'a note'),
      figure('6', 'Bytes', [50], 'KB', { op: '<', value: 40, text: '< 40 KB' }),
    ];
    const text = textTable(f);
    expect(text).toMatch(/3\.8\s+Render 8\s+0\.20 s\s+1\s+< 0\.22 s \(Hugo\)\s+yes/);
    expect(text).toMatch(/6\s+Bytes\s+50\.0 KB\s+1\s+< 40 KB\s+NO/);
    expect(text).toContain('a note');
    expect(markdownTable(f).split('\n')).toHaveLength(4);
    expect(formatValue(Number.NaN, 's')).toBe('n/a');
  });
});

describe('generated chapters', () => {
  test('generated folders are NN-slug, and NNN-slug beyond 99, so find reads them in order', () => {
    expect(corpusFolder(7, 'a-b')).toBe('07-a-b');
    expect(corpusFolder(137, 'x')).toBe('137-x');
    expect(FOLDER_NAME.exec(corpusFolder(400, 'x'))?.[1]).toBe('400');
  });

  test('a copy keeps the prose and front matter, with its own title and paragraph', () => {
    const source = {
      number: 4,
      meta: { title: 'T "q"', article: 'A', verdict: 'wrong', summary: 'S', extra: {} },
      readme: { body: '\nProse\n' },
    } as unknown as Chapter;
    const readme = copyReadme(source, 12);
    expect(readme).toMatch(
      /^---\ntitle: "T \\"q\\" \(generated copy 12\)"\narticle: "A"\nverdict: wrong\nsummary: "S"\n---\n/,
    );
    expect(readme).toContain('generated chapter 12, a copy of chapter 04');
    expect(readme.endsWith('\nProse\n')).toBe(true);
  });

  test('test names are read from test(…) and it(…) calls, modifiers included', () => {
    expect(testNames("test('a', () => {});\nit(\"b\", f);\ntest.skipIf(x)('c', f);\ntest.each([1])(`d`, f);")).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
});

describe('page weight', () => {
  test('counts stylesheets, scripts, images and icons of the same site, not links, anchors or other sites', () => {
    const html =
      '<link rel="stylesheet" href="../assets/site.css"><link rel="icon" href="/favicon.svg"><link rel="canonical" href="x"><script src="../assets/site.js" defer></script><script>inline()</script><img src="a.png"><img src="https://x/y.png"><a href="../01-x/">x</a>';
    expect(pageRefs(html)).toEqual(['../assets/site.css', '/favicon.svg', '../assets/site.js', 'a.png']);
  });

  test('finds what a stylesheet pulls in, and knows a framework runtime when it sees one', () => {
    expect(
      cssRefs('@import \'a.css\'; @font-face{src:url("f.woff2")} .x{background:url(data:image/png;base64,AA)}'),
    ).toEqual(['a.css', 'f.woff2']);
    expect(frameworkIn('(function(){document.querySelectorAll("button")})()')).toBeUndefined();
    expect(frameworkIn('/*! react-dom.production.min.js */')).toBe('React');
  });
});

describe('incremental verification figures', () => {
  const out =
    'find         3 ms  21 chapters\nverify    1840 ms  600 claims: 600 passed; 1 of 21 chapters run, 20 unchanged (results from the verify cache)\nrender     210 ms  30 pages\nwrite     3100 ms  site/\n  search index (pagefind): 900 ms, 30 pages indexed\n  API docs (typedoc, started with find): 2000 ms, waited for\n';

  test('reads the verify stage and how many chapters ran from the build’s output', () => {
    expect(stageMs(out, 'verify')).toBe(1840);
    expect(stageMs(out, 'render')).toBe(210);
    expect(stageMs(out, 'pages')).toBeUndefined();
    expect(buildStages(out)).toEqual({ verify: 1840, render: 210, search: 900, api: 2000 });
    expect(buildStages('verify 5 ms')).toEqual({ verify: 5 });
    expect(buildStages('no stages here')).toEqual({});
    expect(chaptersRun(out)).toEqual({ ran: 1, of: 21 });
    expect(chaptersRun('verify 30000 ms  600 claims: 600 passed')).toBeUndefined();
  });

  test('a bench change appends a different comment line each time and keeps the text before it', () => {
    expect(withBenchChange('a\n', 1)).toBe('a\n// npm run bench: change 1\n');
    expect(withBenchChange('a', 2)).toBe('a\n// npm run bench: change 2\n');
    expect(withBenchChange('a\n', 1)).not.toBe(withBenchChange('a\n', 2));
  });

  test('each figure is the median of per-round ratios, against 15 % of a cold build and 100 % of render + write', () => {
    const rounds = [
      {
        coldMs: 40_000,
        oneMs: 4_000,
        noneMs: 2_000,
        renderOnlyMs: 2_100,
        oneStages: { verify: 1_900, api: 2_000 },
        noneStages: { verify: 20 },
      },
      { coldMs: 30_000, oneMs: 6_000, noneMs: 2_200, renderOnlyMs: 2_000 },
      { coldMs: 36_000, oneMs: 3_600, noneMs: 1_900, renderOnlyMs: 2_000 },
    ];
    const [one, none] = incrementalFigures(rounds, '01-x/app.ts', 21);
    expect(one).toMatchObject({ id: '7a', value: 10, unit: '%', met: true });
    expect(one?.runs).toEqual([10, 20, 10]);
    expect(one?.label).toContain('01-x/app.ts');
    expect(one?.note).toContain(
      'one-chapter change 4.00 s (verify 1900 ms, API docs waited for 2000 ms); cold build 36.00 s',
    );
    expect(none).toMatchObject({ id: '7b', unit: '%' });
    expect(none?.value).toBeCloseTo(95.24, 1);
    expect(none?.met).toBe(true);
    expect(
      incrementalFigures([{ coldMs: 10_000, oneMs: 2_000, noneMs: 2_100, renderOnlyMs: 2_000 }], 'x', 1).map(
        (f) => f.met,
      ),
    ).toEqual([false, false]);
    expect(textTable(incrementalFigures(rounds, 'x', 21))).toMatch(/7a .*10 %\s+3\s+≤ 15 % of a cold build\s+yes/);
  });
});

describe('npm test figures (issue 11, targets 2, 3 and 4)', () => {
  test('the baseline worktree links the project’s node_modules only when the lockfiles are identical', () => {
    expect(nodeModulesPlan('{"a":1}\n', '{"a":1}\n')).toBe('symlink');
    expect(nodeModulesPlan('{"a":1}\n', '{"a":2}\n')).toBe('npm ci --offline');
    // An installed baseline is kept under its lockfile's hash: the same lockfile, the same folder.
    expect(baselineModulesFolder('{"a":1}\n')).toMatch(/^node_modules-[0-9a-f]{16}$/);
    expect(baselineModulesFolder('{"a":1}\n')).toBe(baselineModulesFolder('{"a":1}\n'));
    expect(baselineModulesFolder('{"a":1}\n')).not.toBe(baselineModulesFolder('{"a":2}\n'));
  });

  test('the whole suite is the median of per-round ratios against the baseline, met at 0.65 × or less; a failing run meets nothing', () => {
    const rounds = [
      { baselineMs: 60_000, currentMs: 36_000, baselineOk: true, currentOk: true },
      { baselineMs: 50_000, currentMs: 40_000, baselineOk: true, currentOk: true },
      { baselineMs: 64_000, currentMs: 38_400, baselineOk: true, currentOk: true },
    ];
    const f = wholeSuiteFigure(rounds, 'db4b9ba', 'symlink', { current: 990, baseline: 630 });
    expect(f).toMatchObject({ id: '1', unit: '×', met: true });
    expect(f.runs).toEqual([0.6, 0.8, 0.6]);
    expect(f.value).toBeCloseTo(0.6);
    expect(f.label).toContain('db4b9ba');
    expect(f.label).toContain('node_modules: symlink');
    expect(f.note).toContain('this tree 38.4 s, 990 tests; db4b9ba 60.0 s, 630 tests');
    expect(textTable([f])).toMatch(/^1 .* 0\.60 ×\s+3\s+≤ 0\.65 × db4b9ba\s+yes$/m);
    expect(wholeSuiteFigure(rounds.slice(1, 2), 'db4b9ba', 'symlink').met).toBe(false);
    const failing = wholeSuiteFigure([{ ...rounds[0]!, currentOk: false }], 'db4b9ba', 'npm ci --offline');
    expect(failing.met).toBe(false);
    expect(failing.note).toContain("FAILING: this tree's run 1");
  });

  test('one chapter is the median of per-round ratios against the empty spec, met at 1.25 × or less', () => {
    const f = oneChapterFigure(
      [
        { chapterMs: 1500, emptyMs: 1250 },
        { chapterMs: 1800, emptyMs: 1200 },
        { chapterMs: 1300, emptyMs: 1300 },
      ],
      '01',
    );
    expect(f.runs).toEqual([1.2, 1.5, 1]);
    expect(f).toMatchObject({ id: '2', value: 1.2, met: true, unit: '×' });
    expect(f.target.text).toBe('≤ 1.25 × the start-up');
    expect(f.note).toContain('npm test -- 01 1.5 s; one empty spec 1.3 s');
    expect(oneChapterFigure([{ chapterMs: 1300, emptyMs: 1000 }], '01').met).toBe(false);
  });

  test('under load every run must pass; the note names the failing tests', () => {
    const ok = loadFigure(
      [
        { ms: 90_000, ok: true },
        { ms: 95_000, ok: true },
        { ms: 99_000, ok: true },
      ],
      2,
    );
    expect(ok).toMatchObject({ id: 'L', value: 3, met: true });
    expect(ok.note).toBe('3 of 3 passed; times 90.0 s, 95.0 s, 99.0 s');
    const bad = loadFigure(
      [
        { ms: 90_000, ok: true },
        { ms: 120_000, ok: false, failures: ['tests/x.test.ts › slow'] },
        { ms: 99_000, ok: true },
      ],
      2,
    );
    expect(bad).toMatchObject({ value: 2, met: false });
    expect(bad.note).toContain('run 2: tests/x.test.ts › slow');
    expect(loadFigure([], 2).met).toBe(false);
  });

  test('failing tests are read from vitest’s JSON report, relative to the root; a file that did not run gives its message', () => {
    const report = {
      testResults: [
        {
          name: '/p/tests/a.test.ts',
          assertionResults: [
            { fullName: 'x › y', title: 'y', status: 'failed' },
            { title: 'z', status: 'passed' },
          ],
        },
        { name: '/p/tests/b.test.ts', message: 'Error: Hook timed out\n at …', assertionResults: [] },
        { name: '/p/tests/c.test.ts', assertionResults: [{ title: 'fine', status: 'passed' }] },
      ],
    };
    expect(failingTests(report, '/p')).toEqual(['tests/a.test.ts › x › y', 'tests/b.test.ts: Error: Hook timed out']);
    expect(failingTests({}, '/p')).toEqual([]);
  });
});

/**
 * Mutation results on the site: which saved chapter results stand for the current files (the
 * build's view), and how a chapter page and the index show them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadMutationView, mutationView } from '../src/build.ts';
import { BuildError } from '../src/errors.ts';
import { findChapters } from '../src/find.ts';
import { type CachingHighlighter, createCodeHighlighter } from '../src/render/highlight.ts';
import { renderSite } from '../src/render/index.ts';
import { mutationCell, mutationSection, mutationTotal, type MutationView } from '../src/render/mutation.ts';
import type { Chapter, MutationReport, SiteFile, Verification } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const [passing, failing] = chapters as [Chapter, Chapter];
const file = join(root, 'tests/fixtures/mutation/mutation-results.json');
const report = JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
/** The inputs the fixture recorded: as if nothing changed since the run. */
const unchanged = (c: Chapter) => report.chapters.find((m) => m.id === c.id)?.inputs ?? 'none';
const view = mutationView(report, chapters, unchanged);
const verification: Verification = {
  run: {
    versions: { node: '20.20.2', express: '5.1.0', 'express-session': '1.19.0', 'cookie-parser': '1.4.7' },
    date: '2025-01-02T03:04:05.000Z',
    commit: '0123456789abcdef0123',
    dirty: false,
  },
  chapters: [],
};

describe("the build's mutation view: a saved result counts only for identical inputs", () => {
  test("identical inputs: the chapter's files counted against their targets", () => {
    expect(view.run).toEqual({ date: '2026-11-29T12:00:00.000Z', commit: 'abc1234def5678' });
    expect(view.chapters['01-passing']).toMatchObject({
      state: 'current',
      baselinePassed: true,
      files: [
        {
          file: 'app.ts',
          role: 'snippet',
          killed: 2,
          total: 2,
          percent: 100,
          target: 90,
          safetySurvived: 0,
          met: true,
          survivors: [],
        },
      ],
    });
    const v = view.chapters['02-failing'];
    expect(v?.state).toBe('current');
    if (v?.state !== 'current') return;
    expect(v.files.map(({ survivors, ...f }) => ({ ...f, survivors: survivors.map((m) => m.id) }))).toEqual([
      {
        file: 'app.ts',
        role: 'snippet',
        killed: 1,
        total: 2,
        percent: 50,
        target: 90,
        safetySurvived: 1,
        met: false,
        survivors: ['remove-call-ccccccc'],
      },
      {
        file: 'article.ts',
        role: 'article',
        killed: 0,
        total: 1,
        percent: 0,
        safetySurvived: 0,
        met: true,
        survivors: ['negate-guard-eeeeeee'],
      },
    ]);
  });

  test('a changed inputs hash makes the chapter out of date; a chapter the run left out is not tested', () => {
    const stale = mutationView(report, chapters, (c) => (c.id === '01-passing' ? 'changed' : unchanged(c)));
    expect(stale.chapters['01-passing']).toEqual({ state: 'stale', run: view.run });
    expect(stale.chapters['02-failing']?.state).toBe('current');
    const partial = mutationView({ ...report, chapters: report.chapters.slice(1) }, chapters, unchanged);
    expect(partial.chapters['01-passing']).toEqual({ state: 'untested', run: view.run });
  });

  test("loading: the real inputs hash (the fixture's recorded ones are stale), no file is no data, a broken file is a BuildError", () => {
    const loaded = loadMutationView(file, chapters, root);
    expect(loaded?.chapters['01-passing']?.state).toBe('stale');
    expect(loadMutationView(join(root, 'tests/fixtures/mutation/none.json'), chapters, root)).toBeUndefined();
    expect(() =>
      loadMutationView(join(root, 'tests/fixtures/chapters-e2e/01-passing/README.md'), chapters, root),
    ).toThrow(BuildError);
    expect(() =>
      loadMutationView(join(root, 'tests/fixtures/chapters-e2e/01-passing/README.md'), chapters, root),
    ).toThrow(/^tests\/fixtures\/chapters-e2e\/01-passing\/README\.md: not a mutation results file/);
  });
});

describe("render: a chapter's mutation result", () => {
  test('a file that meets its target: counts, percentage, target, and where the result comes from', () => {
    const html = mutationSection(view.chapters['01-passing'], passing);
    expect(html).toContain(
      '<p class="mut"><span aria-hidden="true">✓ </span>Its tests catch 2 of 2 one-line changes to <code>app.ts</code> (100 %) · target 90 %, met · every change that weakens safety noticed</p>',
    );
    expect(html).toContain(
      'From the mutation run of <time datetime="2026-11-29T12:00:00.000Z">2026-11-29</time> (commit abc1234), inputs identical',
    );
    expect(html).toContain('What these tests would not notice: nothing; every change made a claim fail.');
    expect(html).not.toContain('<details');
  });

  test('a miss is shown plainly: the mark, the class and the words', () => {
    const html = mutationSection(view.chapters['02-failing'], failing);
    expect(html).toContain(
      '<p class="mut miss"><span aria-hidden="true">✗ </span>Its tests catch 1 of 2 one-line changes to <code>app.ts</code> (50 %) · target 90 %: <b>missed</b> · <b>1 change that weakens safety unnoticed</b> (target: none)</p>',
    );
    expect(html).toContain(
      '<p class="mut"><span aria-hidden="true">✓ </span>Its tests catch 0 of 1 one-line change to <code>article.ts</code>, the article\'s code (0 %) · every change that weakens safety noticed</p>',
    );
  });

  test('the changes no claim noticed: folded, each with where, what, its safety mark and its diff, all escaped', () => {
    const html = mutationSection(view.chapters['02-failing'], failing);
    expect(html).toContain(
      '<details class="mutants"><summary>What these tests would not notice: 2 changes, 1 weakening safety</summary><p><code>app.ts:12</code>',
    );
    expect(html).toContain(
      "<p><code>app.ts:12</code> <code>&lt;script&gt;alert(1)&lt;/script&gt;</code> left out <b>weakens safety</b></p><pre class=\"diff\"><del>-   res.cookie('theme', 'dark', { httpOnly: true });</del>\n<ins>+   res.send('&lt;img src=x onerror=alert(1)&gt;');</ins></pre>",
    );
    expect(html).toContain(
      '<p><code>article.ts:5</code> guard negated</p><pre class="diff"><del>-   if (x) next();</del>\n<ins>+   if (!(x)) next();</ins></pre>',
    );
    expect(html).not.toMatch(/<script|<img/);
  });

  test('a context line of a diff is plain text between the changed lines', () => {
    const one = {
      ...report,
      chapters: [
        {
          ...report.chapters[0]!,
          mutants: report.chapters[0]!.mutants.map((m) => ({ ...m, status: 'survived' as const })),
        },
      ],
    };
    const html = mutationSection(mutationView(one, [passing], unchanged).chapters['01-passing'], passing);
    expect(html).toContain(
      '<pre class="diff">    app.get(\'/\', (req, res) =&gt; {\n<del>-   res.status(200).send(x);</del>\n<ins>+   res.status(201).send(x);</ins></pre>',
    );
  });

  test('out of date, not tested, and a run whose unmutated chapter failed', () => {
    expect(mutationSection({ state: 'stale', run: view.run }, passing)).toBe(
      '<div class="mutation"><p class="mut stale"><span aria-hidden="true">– </span>Not mutation-tested for these files: they changed since the mutation run of <time datetime="2026-11-29T12:00:00.000Z">2026-11-29</time> (commit abc1234). Run <code>npm run mutate -- 01</code>.</p></div>',
    );
    expect(mutationSection({ state: 'untested', run: view.run }, failing)).toContain(
      'Not mutation-tested: the mutation run of <time datetime="2026-11-29T12:00:00.000Z">2026-11-29</time> (commit abc1234) did not include this chapter. Run <code>npm run mutate -- 02</code>.',
    );
    expect(mutationSection({ state: 'current', run: view.run, baselinePassed: false, files: [] }, passing)).toContain(
      '<p class="mut miss"><span aria-hidden="true">✗ </span><b>No mutation result</b>',
    );
    expect(mutationSection(undefined, passing)).toBe('');
  });

  test('the index: a cell per chapter and the total across snippets', () => {
    expect(mutationCell(view.chapters['01-passing'])).toBe('<td class="count passed">2 of 2</td>');
    expect(mutationCell(view.chapters['02-failing'])).toBe(
      '<td class="count failed">1 of 2 <span class="failed">(missed)</span></td>',
    );
    expect(mutationCell({ state: 'stale', run: view.run })).toBe('<td class="count partial">out of date</td>');
    expect(mutationCell(undefined)).toBe('<td class="count">not tested</td>');
    expect(mutationTotal(view, chapters)).toBe(
      '<p class="note">The tests catch <b>3 of 4</b> one-line changes across all snippets (75 %), in the 2 chapters with a current mutation result; 1 of them <b>misses</b> a target. From the mutation run of <time datetime="2026-11-29T12:00:00.000Z">2026-11-29</time> (commit abc1234).</p>',
    );
    const stale: MutationView = {
      run: view.run,
      chapters: { ...view.chapters, '02-failing': { state: 'stale', run: view.run } },
    };
    expect(mutationTotal(stale, chapters)).toContain(
      '<b>2 of 2</b> one-line changes across all snippets (100 %), in the 1 chapter with a current mutation result; 1 other is out of date or not mutation-tested.',
    );
  });
});

describe('render: mutation results on the pages', () => {
  let highlighter: CachingHighlighter;
  let site: SiteFile[];
  const page = (path: string) => String(site.find((f) => f.path === path)?.content);
  beforeAll(async () => {
    highlighter = await createCodeHighlighter();
    site = renderSite(chapters, verification, highlighter, { api: false, mutation: view });
  });

  test('a chapter page shows its result in its claims section, under the badge', () => {
    const html = page('02-failing/index.html');
    const claims = html.slice(html.indexOf('<section class="claims" id="claims">'));
    expect(claims).toMatch(
      /^<section class="claims" id="claims"><h2>Claims [^\n]*<\/h2>\n<p class="badge [^\n]*<\/p>\n<div class="mutation"><p class="mut miss">/,
    );
    // Placed by {{#results}} in the prose, the claims section has it too.
    expect(page('01-passing/index.html')).toMatch(/<p class="badge [^\n]*<\/p>\n<div class="mutation"><p class="mut">/);
  });

  test('the index has a column and the total', () => {
    const html = page('index.html');
    expect(html).toContain('<th>Verified</th><th>app.ts changes caught</th></tr>');
    expect(html).toContain('<td class="count passed">2 of 2</td></tr>');
    expect(html).toContain('</table></div>\n<p class="note">The tests catch <b>3 of 4</b>');
  });

  test('without mutation data, the pages are as before: no section, no column', () => {
    const plain = renderSite(chapters, verification, highlighter, { api: false });
    for (const f of plain.filter((x) => x.path.endsWith('.html'))) {
      expect(String(f.content)).not.toMatch(/class="mutation"|app\.ts changes caught|one-line changes/);
    }
  });
});

/**
 * The claim directive `{{claim "NAME"}}`: the markdown-it plugin alone, the rendered
 * reference on a chapter page, and the located errors of a missing or malformed reference. Its
 * parser's table is in directive.test.ts.
 */
import { join } from 'node:path';
import markdownIt from 'markdown-it';
import { beforeAll, describe, expect, test } from 'vitest';
import { BuildError } from '../src/errors.ts';
import { findChapters } from '../src/find.ts';
import { claimPlugin, claimRefHtml, type ClaimEnv, resolveClaim } from '../src/render/claim.ts';
import { type CachingHighlighter, createCodeHighlighter } from '../src/render/highlight.ts';
import { renderSite } from '../src/render/index.ts';
import type { Chapter, ChapterResult, TestResult, Verification } from '../src/types.ts';

const root = join(import.meta.dirname, '..');

const t = (name: string, status: TestResult['status'], describe: string[] = []): TestResult => ({
  name,
  describe,
  status,
  durationMs: 1,
  file: 'app.test.ts',
  line: 3,
  exchanges: [],
});
const result: ChapterResult = {
  id: '01-x',
  fileErrors: [],
  tests: [
    t("the theme cookie's Max-Age is 900 seconds", 'passed', ['the theme cookie']),
    t('the theme cookie is HttpOnly', 'failed', ['the theme cookie']),
    t('Redis keeps it', 'skipped'),
    t('answers 401', 'passed', ['login']),
    t('answers 401', 'passed', ['logout']),
    t('<script>alert(1)</script> & "quotes"', 'passed'),
  ],
};
const chapter = { readme: { path: 'chapters/01-x/README.md', body: '', bodyLine: 7 } } as Chapter;
const where = { path: 'chapters/01-x/README.md', line: 12 };

describe('resolveClaim: a name against the chapter results', () => {
  test('an exact name, or the qualified name, finds the claim and its status', () => {
    expect(resolveClaim(result, "the theme cookie's Max-Age is 900 seconds", where)).toEqual({
      name: "the theme cookie's Max-Age is 900 seconds",
      state: 'found',
      index: 0,
      status: 'passed',
    });
    expect(resolveClaim(result, 'the theme cookie › the theme cookie is HttpOnly', where)).toMatchObject({
      index: 1,
      status: 'failed',
    });
    expect(resolveClaim(result, 'Redis keeps it', where)).toMatchObject({ index: 2, status: 'skipped' });
  });

  test('two claims of one name: ambiguous unless qualified', () => {
    expect(() => resolveClaim(result, 'answers 401', where)).toThrow(
      'chapters/01-x/README.md:12: {{claim "answers 401"}} is ambiguous: 2 claims of this chapter have that name ("login › answers 401", "logout › answers 401"); write the qualified name',
    );
    expect(resolveClaim(result, 'logout › answers 401', where)).toMatchObject({ index: 4 });
  });

  test('a missing claim is a BuildError with the README and line, and the nearest name', () => {
    let error: unknown;
    try {
      resolveClaim(result, "the theme cookie's Max-Age is 600 seconds", where);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BuildError);
    expect(error).toMatchObject({ file: 'chapters/01-x/README.md', line: 12 });
    expect((error as Error).message).toBe(
      'chapters/01-x/README.md:12: {{claim "the theme cookie\'s Max-Age is 600 seconds"}}: no claim of that name in this chapter\'s results; the nearest is "the theme cookie › the theme cookie\'s Max-Age is 900 seconds"',
    );
  });

  test('no results for the chapter: nothing to check against, shown as not verified; a spec that did not run: shown as failing', () => {
    expect(resolveClaim(undefined, 'anything', where)).toEqual({ name: 'anything', state: 'no-results' });
    expect(
      resolveClaim({ ...result, fileErrors: [{ file: 'browser.test.ts', message: 'SyntaxError' }] }, 'anything', where),
    ).toEqual({ name: 'anything', state: 'not-run' });
  });
});

describe('claimRefHtml: a reference as a link with its status', () => {
  test('passed, failed, skipped, no results: mark, word, name, link to the claim', () => {
    expect(claimRefHtml({ name: 'n', state: 'found', index: 6, status: 'passed' })).toBe(
      '<a class="claim-ref passed" href="#claim-7"><span aria-hidden="true">✓ </span>verified: n</a>',
    );
    expect(claimRefHtml({ name: 'n', state: 'found', index: 0, status: 'failed' })).toBe(
      '<a class="claim-ref failed" href="#claim-1"><span aria-hidden="true">✗ </span>fails: n</a>',
    );
    expect(claimRefHtml({ name: 'n', state: 'found', index: 1, status: 'skipped' })).toBe(
      '<a class="claim-ref skipped" href="#claim-2"><span aria-hidden="true">– </span>not verified in this build: n</a>',
    );
    expect(claimRefHtml({ name: 'n', state: 'no-results' })).toBe(
      '<a class="claim-ref skipped" href="#claims"><span aria-hidden="true">– </span>not verified in this build: n</a>',
    );
    expect(claimRefHtml({ name: 'n', state: 'not-run' })).toContain(
      'href="#claims"><span aria-hidden="true">✗ </span>fails (its spec did not run): n</a>',
    );
  });

  test('the name is escaped', () => {
    expect(claimRefHtml({ name: '<script>alert(1)</script> & "q"', state: 'found', index: 5, status: 'passed' })).toBe(
      '<a class="claim-ref passed" href="#claim-6"><span aria-hidden="true">✓ </span>verified: &lt;script&gt;alert(1)&lt;/script&gt; &amp; "q"</a>',
    );
  });
});

describe('claimPlugin in markdown-it', () => {
  const md = markdownIt().use(claimPlugin);
  const render = (src: string, r: ChapterResult | undefined = result) =>
    md.render(src, { chapter, result: r } satisfies ClaimEnv as never);
  const renderWithout = (src: string) => md.render(src, { chapter, result: undefined } satisfies ClaimEnv as never);

  test('inline in a paragraph, a list item, a table cell and a blockquote', () => {
    const ref = '<a class="claim-ref passed" href="#claim-3">';
    const skipped =
      '<a class="claim-ref skipped" href="#claim-3"><span aria-hidden="true">– </span>not verified in this build: Redis keeps it</a>';
    expect(render('It survives a restart ({{claim "Redis keeps it"}}).')).toBe(
      `<p>It survives a restart (${skipped}).</p>\n`,
    );
    expect(render('- one {{claim "Redis keeps it"}}\n- two')).toContain(`<li>one ${skipped}</li>`);
    expect(render('| a | b |\n|---|---|\n| x {{claim "Redis keeps it"}} | y |')).toContain(`<td>x ${skipped}</td>`);
    expect(render('> quoted {{claim "Redis keeps it"}}')).toContain(`<blockquote>\n<p>quoted ${skipped}</p>`);
    expect(ref).not.toBe(skipped);
  });

  test('escaped quotes and a name wrapped across lines', () => {
    const r: ChapterResult = {
      id: 'x',
      fileErrors: [],
      tests: [t('says "hi" \\ twice', 'passed'), t('a name long enough to wrap', 'failed')],
    };
    expect(render('{{claim "says \\"hi\\" \\\\ twice"}}', r)).toContain(
      'href="#claim-1"><span aria-hidden="true">✓ </span>verified: says "hi" \\ twice</a>',
    );
    expect(render('Prose that wraps {{claim "a name long\nenough to wrap"}} here.', r)).toContain(
      'href="#claim-2"><span aria-hidden="true">✗ </span>fails: a name long enough to wrap</a>',
    );
  });

  test('not in code spans or code blocks', () => {
    expect(render('Write `{{claim "nope"}}` in prose.')).toBe(
      '<p>Write <code>{{claim &quot;nope&quot;}}</code> in prose.</p>\n',
    );
    expect(render('```md\n{{claim "nope"}}\n```')).toContain('<code class="language-md">{{claim &quot;nope&quot;}}');
    expect(render('    {{claim "nope"}}')).toContain('<pre><code>{{claim');
  });

  test('a missing claim: BuildError at the README line (body line + line in the body, table rows too)', () => {
    expect(() => render('Intro.\n\nMore prose,\nand {{claim "nope"}}.')).toThrow(
      /^chapters\/01-x\/README\.md:10: \{\{claim "nope"\}\}: no claim of that name/,
    );
    expect(() => render('Intro.\n\n| a |\n|---|\n| x |\n| {{claim "nope"}} |')).toThrow(
      /^chapters\/01-x\/README\.md:12: /,
    );
    expect(() => render('- a\n- b\n\n  c {{claim "nope"}}')).toThrow(/^chapters\/01-x\/README\.md:10: /);
  });

  test('a malformed directive: BuildError at its line', () => {
    expect(() => render('One.\n\nTwo {{claim foo}} three.')).toThrow(
      'chapters/01-x/README.md:9: malformed claim directive "{{claim foo}}": expected a double-quoted claim name after {{claim',
    );
    expect(() => render('One {{claim "unclosed}}.')).toThrow(
      'chapters/01-x/README.md:7: malformed claim directive "{{claim \\"unclosed}}.": the claim name\'s quote is never closed',
    );
  });

  test('no results for the chapter: every reference shown as not verified, linking to the claims, no error', () => {
    expect(renderWithout('{{claim "whatever"}}')).toBe(
      '<p><a class="claim-ref skipped" href="#claims"><span aria-hidden="true">– </span>not verified in this build: whatever</a></p>\n',
    );
  });
});

describe('claim references on a rendered chapter page', () => {
  const chapters = findChapters(join(root, 'tests/fixtures/claims'), root);
  const run = {
    versions: { node: '20', express: '5', 'express-session': '1.19', 'cookie-parser': '1.4' },
    date: '2025-01-01T00:00:00.000Z',
    commit: 'unknown',
    dirty: false,
  };
  const claims: ChapterResult = {
    id: '01-claims',
    fileErrors: [],
    tests: [
      t('the cookie lasts 900 seconds', 'passed', ['the theme cookie']),
      t('the cookie is HttpOnly', 'failed', ['the theme cookie']),
      t('Redis keeps the session', 'skipped'),
      t('<script>alert("x")</script>', 'passed'),
    ],
  };
  let highlighter: CachingHighlighter;
  const pageOf = (verification: Verification) =>
    String(
      renderSite(chapters, verification, highlighter, { api: false }).find((f) => f.path === '01-claims/index.html')
        ?.content,
    );
  beforeAll(async () => {
    highlighter = await createCodeHighlighter();
  });

  test('each reference links to its claim on the page, with its status; the name is escaped', () => {
    const html = pageOf({ run, chapters: [claims] });
    expect(html).toContain(
      'It lasts a quarter of an hour (<a class="claim-ref passed" href="#claim-1"><span aria-hidden="true">✓ </span>verified: the cookie lasts 900 seconds</a>).',
    );
    expect(html).toContain(
      '<a class="claim-ref failed" href="#claim-2"><span aria-hidden="true">✗ </span>fails: the theme cookie › the cookie is HttpOnly</a>',
    );
    expect(html).toContain(
      '<a class="claim-ref skipped" href="#claim-3"><span aria-hidden="true">– </span>not verified in this build: Redis keeps the session</a>',
    );
    expect(html).toContain('verified: &lt;script&gt;alert("x")&lt;/script&gt;</a>');
    expect(html).not.toContain('<script>alert');
    for (const [, id] of html.matchAll(/class="claim-ref[^"]*" href="#([^"]+)"/g)) expect(html).toContain(`id="${id}"`);
  });

  test('a build without results for the chapter renders, its references not verified', () => {
    const html = pageOf({ run, chapters: [] });
    expect(html).toContain(
      '<a class="claim-ref skipped" href="#claims"><span aria-hidden="true">– </span>not verified in this build: the cookie lasts 900 seconds</a>',
    );
    expect(html).toContain('id="claims"');
  });

  test('a reference to a claim the results lack fails the render with the README and line', () => {
    const without = { ...claims, tests: claims.tests.filter((x) => x.name !== 'Redis keeps the session') };
    expect(() => pageOf({ run, chapters: [without] })).toThrow(
      'tests/fixtures/claims/01-claims/README.md:14: {{claim "Redis keeps the session"}}: no claim of that name',
    );
  });
});

/**
 * The directives' grammar (src/render/directive.ts): tables of lines that parse, lines that are
 * malformed and lines that are no directive; then where a block directive may stand in markdown
 * (after a blank line, right after prose), with each plugin alone in `markdownIt().use(plugin)`,
 * and the located error of a malformed one.
 */
import markdownIt, { type Token } from 'markdown-it';
import { describe, expect, test } from 'vitest';
import { BuildError } from '../errors.ts';
import { claimPlugin } from './claim.ts';
import { type BlockDirective, parseClaim, parseDirectiveLine } from './directive.ts';
import { type Included, includePlugin } from './include.ts';
import { resultsPlugin } from './results-directive.ts';
import type { Chapter, ChapterResult } from '../types.ts';

describe('parseDirectiveLine: a block directive line', () => {
  // [line, what it says]
  const valid: Array<[string, BlockDirective]> = [
    ['{{#include app.ts}}', { kind: 'include', file: 'app.ts', region: undefined }],
    ['{{#include app.ts:routes}}', { kind: 'include', file: 'app.ts', region: 'routes' }],
    ['{{#include lib/store.ts:a.b-c_d}}', { kind: 'include', file: 'lib/store.ts', region: 'a.b-c_d' }],
    ['{{#include   app.ts  }}', { kind: 'include', file: 'app.ts', region: undefined }],
    ['{{#include\tapp.ts}}', { kind: 'include', file: 'app.ts', region: undefined }],
    ['   {{#include app.ts}}   ', { kind: 'include', file: 'app.ts', region: undefined }],
    ['{{#results}}', { kind: 'results' }],
    ['{{#results }}', { kind: 'results' }],
  ];
  test.each(valid)('%j parses', (line, directive) => {
    expect(parseDirectiveLine(line)).toEqual({ ok: true, directive });
  });

  // [line, the directive's name (undefined: none of ours), the error]
  const malformed: Array<[string, string | undefined, string]> = [
    ['{{#include}}', 'include', 'no file to include: write {{#include FILE}} or {{#include FILE:REGION}}'],
    ['{{#include }}', 'include', 'no file to include'],
    ['{{#include app.ts:}}', 'include', 'no region after app.ts:'],
    ['{{#include :routes}}', 'include', 'no file before :REGION'],
    ['{{#include app.ts:a:b}}', 'include', '"a:b" is not a region name'],
    ['{{#include app.ts:a/b}}', 'include', '"a/b" is not a region name'],
    ['{{#include "app.ts"}}', 'include', 'the file name takes no quotes (got "app.ts")'],
    ["{{#include 'app.ts'}}", 'include', 'the file name takes no quotes'],
    ['{{#include app.ts routes}}', 'include', 'one FILE or FILE:REGION, without spaces, got "app.ts routes"'],
    ['{{#include app.ts : routes}}', 'include', 'without spaces'],
    ['{{#include a{b}}', 'include', '"a{b" is not a file name'],
    ['{{#include app.ts', 'include', 'the directive is never closed with }}'],
    ['{{#include app.ts}', 'include', 'never closed'],
    ['{{#include app.ts}} and more', 'include', 'text after the directive ("and more")'],
    ['{{#include app.ts}}}', 'include', 'text after the directive ("}")'],
    ['{{#include app.ts}}{{#include b.ts}}', 'include', 'text after the directive ("{{#include b.ts}}")'],
    ['{{#results extra}}', 'results', '{{#results}} takes nothing more, got "extra"'],
    ['{{#results}} Claims:', 'results', 'text after the directive'],
    ['{{#results', 'results', 'never closed'],
    [
      '{{#inclde app.ts}}',
      undefined,
      'unknown directive {{#inclde}}: write {{#include FILE}}, {{#include FILE:REGION}} or {{#results}} on a line of its own',
    ],
    ['{{#Include app.ts}}', undefined, 'unknown directive {{#Include}}'],
    ['{{#includes app.ts}}', undefined, 'unknown directive {{#includes}}'],
    ['{{#include:app.ts}}', undefined, 'unknown directive {{#include:app.ts}}'],
    ['{{#title My page}}', undefined, 'unknown directive {{#title}}'],
    ['{{#}}', undefined, 'expected a directive name right after {{#'],
    ['{{# include app.ts}}', undefined, 'expected a directive name right after {{#'],
    ['{{ #include app.ts}}', undefined, 'no space may stand between {{ and #'],
  ];
  test.each(malformed)('%j is malformed', (line, name, error) => {
    const parsed = parseDirectiveLine(line);
    expect(parsed).toMatchObject({ ok: false, name });
    expect(parsed && !parsed.ok ? parsed.error : '').toContain(error);
  });

  test('a line that does not start with {{# is no block directive', () => {
    for (const line of [
      '',
      'Prose.',
      'See {{#include app.ts}}',
      '\\{{#include app.ts}}',
      '`{{#include app.ts}}`',
      '{#include app.ts}}',
      '{ {#include app.ts}}',
      '{{claim "x"}}',
      '{{include app.ts}}',
    ]) {
      expect(parseDirectiveLine(line)).toBeNull();
    }
  });
});

describe('parseClaim: the inline claim directive', () => {
  // [source, the name it gives]; each source is one whole directive, so it ends at the source's end.
  const valid: Array<[string, string]> = [
    ['{{claim "the theme cookie\'s Max-Age is 900 seconds"}}', "the theme cookie's Max-Age is 900 seconds"],
    ['{{claim "a › b"}}', 'a › b'],
    ['{{claim "say \\"hi\\""}}', 'say "hi"'],
    ['{{claim "a \\\\ b"}}', 'a \\ b'],
    ['{{claim   "spaces around"  }}', 'spaces around'],
    ['{{claim\n"after a break"}}', 'after a break'],
    ['{{claim "wrapped  \n   across lines"}}', 'wrapped across lines'],
  ];
  test.each(valid)('%j is the name %j', (src, name) => {
    expect(parseClaim(src)).toEqual({ ok: true, name, end: src.length });
  });

  test('parses at a position, and ends after the closing braces', () => {
    const src = 'It lasts ({{claim "x"}}) long.';
    expect(parseClaim(src, 10)).toEqual({ ok: true, name: 'x', end: 23 });
    expect(src.slice(23)).toBe(') long.');
  });

  test('text that is not a claim directive is left alone', () => {
    for (const src of ['{{claims "x"}}', '{{claimed}}', '{{#include app.ts}}', '{ {claim "x"}}', 'claim "x"'])
      expect(parseClaim(src)).toBeNull();
  });

  const malformed: Array<[string, string]> = [
    ['{{claim foo}}', 'expected a double-quoted claim name'],
    ['{{claim}}', 'expected a double-quoted claim name'],
    ["{{claim 'single'}}", 'expected a double-quoted claim name'],
    ['{{claim "unclosed}}', "the claim name's quote is never closed"],
    ['{{claim "no braces"', 'expected }} after the claim name "no braces"'],
    ['{{claim "one brace"}', 'expected }} after the claim name'],
    ['{{claim "x" extra}}', 'expected }} after the claim name "x"'],
    ['{{claim "bad \\n escape"}}', 'unknown escape \\n'],
    ['{{claim ""}}', 'empty claim name'],
    ['{{claim "   "}}', 'empty claim name'],
  ];
  test.each(malformed)('%j is malformed: %s', (src, error) => {
    const parsed = parseClaim(src);
    expect(parsed?.ok).toBe(false);
    expect(parsed && !parsed.ok ? parsed.error : '').toContain(error);
  });
});

// A chapter whose README body starts on line 7; the body's first line is README line 7.
const chapter = {
  dir: 'chapters/01-x',
  readme: { path: 'chapters/01-x/README.md', body: '', bodyLine: 7 },
  files: [
    {
      name: 'app.ts',
      path: 'chapters/01-x/app.ts',
      role: 'snippet',
      text: 'a();\n// #region r\nb();\n// #endregion r\n',
    },
  ],
} as Chapter;
const result: ChapterResult = {
  id: '01-x',
  fileErrors: [],
  tests: [{ name: 'x', describe: [], status: 'passed', durationMs: 1, file: 'app.test.ts', line: 3, exchanges: [] }],
};
const env = () => ({ chapter, result }) as never;

/** The block tokens as `type` (or `type:content` for inline text), nesting shown by the tokens themselves. */
const blocks = (tokens: Token[]) =>
  tokens.map((t) =>
    t.type === 'inline'
      ? `inline:${t.content}`
      : t.type === 'include'
        ? `include:${(t.meta as unknown as Included).code}`
        : t.type,
  );

describe('where a block directive may stand (each plugin alone)', () => {
  const include = markdownIt().use(includePlugin);
  const results = markdownIt().use(resultsPlugin);
  const parse = (md: typeof include, src: string) => blocks(md.parse(src, env()));
  const para = (text: string) => ['paragraph_open', `inline:${text}`, 'paragraph_close'];

  test('{{#include}} after a blank line', () => {
    expect(parse(include, 'Prose.\n\n{{#include app.ts:r}}\n\nMore.')).toEqual([
      ...para('Prose.'),
      'include:b();',
      ...para('More.'),
    ]);
  });

  test('{{#include}} right after prose ends the paragraph, and prose right after it starts a new one', () => {
    expect(parse(include, 'Prose.\n{{#include app.ts:r}}\nMore.')).toEqual([
      ...para('Prose.'),
      'include:b();',
      ...para('More.'),
    ]);
    expect(parse(include, 'One,\ntwo.\n  {{#include app.ts}}')).toEqual([...para('One,\ntwo.'), 'include:a();\nb();']);
  });

  test('{{#include}} right after a quoted line or a list item ends the blockquote or list (as a fence does)', () => {
    expect(parse(include, '> Quoted.\n{{#include app.ts:r}}')).toEqual([
      'blockquote_open',
      ...para('Quoted.'),
      'blockquote_close',
      'include:b();',
    ]);
    expect(parse(include, '- item\n{{#include app.ts:r}}')).toEqual([
      'bullet_list_open',
      'list_item_open',
      'paragraph_open',
      'inline:item',
      'paragraph_close',
      'list_item_close',
      'bullet_list_close',
      'include:b();',
    ]);
  });

  test('{{#include}} followed by --- is a directive and a rule, not a heading', () => {
    expect(parse(include, '{{#include app.ts:r}}\n---')).toEqual(['include:b();', 'hr']);
  });

  test('{{#results}} after a blank line and right after prose', () => {
    expect(parse(results, 'Prose.\n\n{{#results}}')).toEqual([...para('Prose.'), 'results']);
    expect(parse(results, 'Prose.\n{{#results}}\nMore.')).toEqual([...para('Prose.'), 'results', ...para('More.')]);
  });

  test('left as text: in code, indented four spaces, escaped, or not at the start of the line', () => {
    expect(parse(include, '```md\n{{#include app.ts}}\n```')).toEqual(['fence']);
    expect(parse(include, '    {{#include app.ts}}')).toEqual(['code_block']);
    expect(parse(include, 'Prose\n    {{#include app.ts}}')).toEqual(para('Prose\n    {{#include app.ts}}'));
    expect(markdownIt().use(includePlugin).render('Prose\n\\{{#include app.ts}}', env())).toBe(
      '<p>Prose\n{{#include app.ts}}</p>\n',
    );
    expect(parse(include, 'See {{#include app.ts}} here.')).toEqual(para('See {{#include app.ts}} here.'));
  });

  test('{{claim}} on the line right after prose stays inline in the paragraph', () => {
    const md = markdownIt().use(includePlugin).use(resultsPlugin).use(claimPlugin);
    expect(md.render('Prose.\n{{claim "x"}}\n\n{{#results}}', env()).split('\n')[0]).toBe('<p>Prose.');
    expect(blocks(md.parse('Prose.\n{{claim "x"}}', env()))).toEqual(para('Prose.\n{{claim "x"}}'));
  });
});

describe('a malformed block directive is a BuildError with the README path and line', () => {
  const both = markdownIt().use(includePlugin).use(resultsPlugin);
  const error = (md: typeof both, src: string): unknown => {
    try {
      md.parse(src, env());
    } catch (e) {
      return e;
    }
    return undefined;
  };

  test('after a blank line and right after prose', () => {
    for (const src of ['Prose.\n\n{{#include app.ts routes}}', 'Prose.\nMore prose.\n{{#include app.ts routes}}']) {
      const e = error(both, src);
      expect(e).toBeInstanceOf(BuildError);
      expect(e).toMatchObject({ file: 'chapters/01-x/README.md', line: 9 });
      expect((e as Error).message).toBe(
        'chapters/01-x/README.md:9: malformed directive "{{#include app.ts routes}}": one FILE or FILE:REGION, without spaces, got "app.ts routes": write {{#include FILE}} or {{#include FILE:REGION}}',
      );
    }
  });

  test('each plugin alone reports its own directive, and any of them an unknown one', () => {
    const include = markdownIt().use(includePlugin);
    const results = markdownIt().use(resultsPlugin);
    expect((error(results, 'Prose.\n{{#results now}}') as Error).message).toBe(
      'chapters/01-x/README.md:8: malformed directive "{{#results now}}": {{#results}} takes nothing more, got "now"',
    );
    expect(error(include, 'Prose.\n{{#results now}}')).toBeUndefined();
    expect(error(results, 'Prose.\n{{#include}}')).toBeUndefined();
    for (const md of [include, results])
      expect((error(md, 'Prose.\n\n{{#inclde app.ts}}') as Error).message).toMatch(
        /^chapters\/01-x\/README\.md:9: malformed directive "\{\{#inclde app\.ts\}\}": unknown directive \{\{#inclde\}\}/,
      );
  });

  test('inside a blockquote or a list item, at its own line', () => {
    expect(error(both, 'Intro.\n\n> Quoted.\n> {{#include}}')).toMatchObject({ line: 10 });
    expect(error(both, '- one\n- two\n  {{#results x}}')).toMatchObject({ line: 9 });
  });

  test('a missing file through the plugin: located at the directive', () => {
    expect((error(both, 'Prose.\n{{#include server.ts}}') as Error).message).toBe(
      'chapters/01-x/README.md:8: {{#include server.ts}}: no file chapters/01-x/server.ts',
    );
  });
});

import { join } from 'node:path';
import markdownIt from 'markdown-it';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import { dedent, extractRegion, type Included, includePlugin, regionNames, resolveInclude } from './include.ts';
import type { ChapterFile } from '../types.ts';

const root = join(import.meta.dirname, '../..');
const where = { path: 'chapters/01-x/README.md', line: 12 };
/** The first chapter of a fixture folder. */
const firstChapter = (dir: string) => {
  const [chapter] = findChapters(join(root, dir), root);
  if (!chapter) throw new Error(`no chapter in ${dir}`);
  return chapter;
};
const file = (text: string): ChapterFile => ({ name: 'app.ts', path: 'chapters/01-x/app.ts', role: 'snippet', text });

const SOURCE = `import express from 'express';

export function createApp() {
  const app = express();
  // #region outer
  app.use(a);
  // #region inner
  if (x) {
    app.get('/', handler);
  }
  // #endregion inner
  // #region overlap
  app.use(b);
  // #endregion outer
  app.use(c);
  // #endregion overlap
  return app;
}
`;

describe('the include directive: files and regions', () => {
  test('a region is the lines between its markers, de-indented, markers of other regions dropped', () => {
    expect(extractRegion(file(SOURCE), 'outer', where)).toBe(
      "app.use(a);\nif (x) {\n  app.get('/', handler);\n}\napp.use(b);",
    );
  });

  test('a nested region stands alone, de-indented to its own margin', () => {
    expect(extractRegion(file(SOURCE), 'inner', where)).toBe("if (x) {\n  app.get('/', handler);\n}");
  });

  test('regions may overlap', () => {
    expect(extractRegion(file(SOURCE), 'overlap', where)).toBe('app.use(b);\napp.use(c);');
  });

  test('the whole file drops every marker line', () => {
    const whole = extractRegion(file(SOURCE), undefined, where);
    expect(whole).not.toContain('#region');
    expect(whole).not.toContain('#endregion');
    expect(whole.split('\n')).toHaveLength(SOURCE.trimEnd().split('\n').length - 6);
  });

  test('a missing region is an error naming the README line and the regions there are', () => {
    expect(() => extractRegion(file(SOURCE), 'nope', where)).toThrow(
      'chapters/01-x/README.md:12: {{#include app.ts:nope}}: no region "nope" in chapters/01-x/app.ts (its regions: outer, inner, overlap)',
    );
  });

  test('a region never closed is an error naming the file and line where it opens', () => {
    expect(() => extractRegion(file('a\n// #region open\nb\n'), 'open', where)).toThrow(
      'chapters/01-x/app.ts:2: region "open" is never closed',
    );
  });

  test('dedent keeps relative indentation and trims blank lines at both ends', () => {
    expect(dedent(['', '    a', '      b', '', '    c', '  '])).toBe('a\n  b\n\nc');
    expect(regionNames(SOURCE)).toEqual(['outer', 'inner', 'overlap']);
  });
});

describe('the include directive inside a chapter', () => {
  const chapters = (name: string) => firstChapter(join('tests/fixtures/malformed', name));

  test('a missing region in a README is reported with the README path and line', () => {
    const chapter = chapters('missing-region');
    expect(() => resolveInclude(chapter, 'app.ts', 'nope', 12)).toThrow(
      'tests/fixtures/malformed/missing-region/01-a/README.md:12: {{#include app.ts:nope}}: no region "nope"',
    );
  });

  test('a missing file is reported with the README path and line', () => {
    const chapter = chapters('missing-file');
    expect(() => resolveInclude(chapter, 'server.ts', undefined, 10)).toThrow(
      'tests/fixtures/malformed/missing-file/01-a/README.md:10: {{#include server.ts}}: no file tests/fixtures/malformed/missing-file/01-a/server.ts',
    );
  });
});

describe('includePlugin alone, in markdownIt().use(includePlugin)', () => {
  const md = markdownIt().use(includePlugin);
  const parse = (chapter: ReturnType<typeof firstChapter>) => md.parse(chapter.readme.body, { chapter } as never);

  test('each directive of a README becomes an include token: its file, region and code, and its body line', () => {
    const chapter = firstChapter('tests/fixtures/chapters-e2e');
    const includes = parse(chapter).filter((t) => t.type === 'include');
    expect(
      includes.map((t) => [t.map, (t.meta as unknown as Included).file.name, (t.meta as unknown as Included).region]),
    ).toEqual([
      [[5, 6], 'app.ts', 'routes'],
      [[9, 10], 'app.ts', undefined],
    ]);
    const [routes, whole] = includes.map((t) => (t.meta as unknown as Included).code);
    expect(routes?.split('\n')[0]).toBe("app.get('/', (req, res) => {");
    expect(whole?.split('\n')[0]).toBe("import express, { type Express } from 'express';");
    expect(whole).not.toContain('#region');
    expect(chapter.readme.body.split('\n')[5]).toBe('{{#include app.ts:routes}}');
  });

  test('a missing region: the README path and the line the directive is on', () => {
    const chapter = firstChapter('tests/fixtures/malformed/missing-region');
    expect(() => parse(chapter)).toThrow(
      'tests/fixtures/malformed/missing-region/01-a/README.md:12: {{#include app.ts:nope}}: no region "nope" in tests/fixtures/malformed/missing-region/01-a/app.ts',
    );
  });

  test('a region never closed: the file and the line where it opens', () => {
    const chapter = firstChapter('tests/fixtures/malformed/unclosed');
    expect(() => parse(chapter)).toThrow(
      'tests/fixtures/malformed/unclosed/01-a/app.ts:2: region "open" is never closed with "// #endregion open"',
    );
  });
});

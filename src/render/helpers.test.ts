import { beforeAll, describe, expect, test } from 'vitest';
import { type CachingHighlighter, createCodeHighlighter } from './highlight.ts';
import { minifyCss } from './index.ts';
import { importedPackages, runCommands } from './snippet.ts';

let highlighter: CachingHighlighter;

beforeAll(async () => {
  highlighter = await createCodeHighlighter();
});

describe('render: helpers', () => {
  test('packages to install are read from the imports', () => {
    const code = [
      "import a from 'express';",
      "import { b } from '@scope/pkg/sub';",
      "import 'node:fs';",
      "import x from './x.ts';",
      "const c = await import('cookie-parser');",
    ].join('\n');
    expect(importedPackages(code)).toEqual(['@scope/pkg', 'cookie-parser', 'express']);
  });

  test('the install command pins each package to the major version the claims ran against', () => {
    const text = "import Database from 'better-sqlite3';\nimport express from 'express';\nimport x from 'left-pad';";
    const file = { name: 'app.ts', role: 'snippet', text } as const;
    const init = 'npm init -y && npm pkg set type=module && ';
    expect(runCommands(file as never, { 'better-sqlite3': '12.11.1', express: '5.3.0', tsx: '4.23.15' })).toEqual([
      `${init}npm i better-sqlite3@12 express@5 left-pad tsx@4`,
      'npx tsx app.ts',
      'node app.ts',
    ]);
    expect(runCommands(file as never)).toEqual([
      `${init}npm i better-sqlite3 express left-pad tsx`,
      'npx tsx app.ts',
      'node app.ts',
    ]);
  });

  test('highlighted code is cached by content and language, with the same output from a saved cache', async () => {
    const code = "const a = 'x';";
    const first = highlighter.highlight(code, 'ts');
    expect(highlighter.highlight(code, 'ts')).toBe(first);
    const fromCache = await createCodeHighlighter(highlighter.cache());
    expect(fromCache.highlight(code, 'ts')).toEqual(first);
    expect(fromCache.css(first.classes)).toBe(highlighter.css(first.classes));
    expect(highlighter.css(first.classes)).toMatch(/^h-[0-9a-z]+\{--l:#[0-9a-f]{6};--d:#[0-9a-f]{6}\}/);
    expect(first.html).toMatch(/^<h-k>const <\/h-k>/);
  });

  test('the stylesheet is minified without breaking selectors', () => {
    const css = '/* c */\n.a .b > c { color: red; }\n@media (max-width: 5rem) { .x { margin: 0 auto; } }';
    expect(minifyCss(css)).toBe('.a .b>c{color:red}@media (max-width:5rem){.x{margin:0 auto}}');
  });
});

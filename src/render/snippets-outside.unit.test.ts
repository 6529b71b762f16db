import { describe, expect, test } from 'vitest';
import type { Chapter, ChapterFile, ChapterResult } from '../types.ts';
import { articleToFix, diffHtml, hunks, lineDiff } from './diff.ts';
import { replayFile, replayRequest } from './replay.ts';
import { environmentOf, runBlock, startsServer } from './snippet.ts';

const listening = [
  "import express from 'express';",
  'const secret = process.env.SESSION_SECRET;',
  "const store = env['REDIS_URL'] ?? env.SQLITE_PATH;",
  'express().listen(Number(process.env.PORT ?? 3000));',
].join('\n');
const file = (name: string, role: ChapterFile['role'], text: string): ChapterFile => ({
  name,
  path: `chapters/01-x/${name}`,
  role,
  text,
});

describe('the run block (issue 13, items 7 and 8)', () => {
  test('only a file that starts a server is offered to run on its own', () => {
    expect(startsServer(file('app.ts', 'snippet', listening))).toBe(true);
    expect(
      startsServer(file('article.ts', 'article', "import express from 'express';\nexport const app = express();")),
    ).toBe(false);
  });

  test('the environment variables a file reads, PORT first', () => {
    expect(environmentOf(listening)).toEqual(['PORT', 'REDIS_URL', 'SESSION_SECRET', 'SQLITE_PATH']);
    expect(environmentOf('const x = 1;')).toEqual([]);
  });

  test('install line with a module package.json, tsx and node run lines, the environment it reads', () => {
    const html = runBlock(file('app.ts', 'snippet', listening), { express: '5.3.0' });
    expect(html).toContain(
      '<code data-cmd="install">npm init -y &amp;&amp; npm pkg set type=module &amp;&amp; npm i express@5 tsx</code>',
    );
    expect(html).toContain('<code data-cmd="run">npx tsx app.ts</code>');
    expect(html).toContain('on Node 22.18 or later <code data-cmd="run-node">node app.ts</code>');
    expect(html).toContain(
      'It reads <code>PORT</code>, <code>REDIS_URL</code>, <code>SESSION_SECRET</code>, <code>SQLITE_PATH</code>',
    );
  });

  test('a file name is escaped in the block', () => {
    const html = runBlock(file('a"<b>.ts', 'snippet', listening));
    expect(html).toContain('href="a&quot;&lt;b&gt;.ts"');
    expect(html).not.toContain('<b>');
  });
});

describe('from the article to the fix (issue 13, item 9)', () => {
  test('a line diff keeps common lines and marks removals and additions', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      [' ', 'a'],
      ['-', 'b'],
      ['+', 'x'],
      [' ', 'c'],
      ['+', 'd'],
    ]);
    expect(lineDiff([], ['a'])).toEqual([['+', 'a']]);
    expect(lineDiff(['a'], [])).toEqual([['-', 'a']]);
  });

  test('hunks keep two lines of context and fold the rest; no change, no hunks', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'];
    const after = ['1', '2', '3', '4', '5', '6', '7', 'X'];
    expect(hunks(lineDiff(before, after))).toEqual([null, [' ', '6'], [' ', '7'], ['-', '8'], ['+', 'X']]);
    expect(hunks(lineDiff(before, before))).toEqual([]);
    expect(diffHtml('a', 'a', 'same')).toBe('');
  });

  test('the diff is escaped text in <del> and <ins> lines', () => {
    const html = diffHtml("res.send('<b>' + x)", "res.send(escape('<b>' + x))", 'cap');
    expect(html).toContain("<del>- res.send('&lt;b&gt;' + x)</del>");
    expect(html).toContain("<ins>+ res.send(escape('&lt;b&gt;' + x))</ins>");
    expect(html).not.toContain('<b>');
  });

  test('shown once, after the second include of a region included from both article.ts and app.ts', () => {
    const article = file('article.ts', 'article', '// #region r\nold();\n// #endregion r\n');
    const app = file(
      'app.ts',
      'snippet',
      '// #region r\nnew();\n// #endregion r\n// #region s\ns();\n// #endregion s\n',
    );
    const chapter = { readme: { path: 'chapters/01-x/README.md' }, files: [app, article] } as unknown as Chapter;
    const env = { chapter };
    expect(articleToFix(env, app, 's')).toBe('');
    expect(articleToFix(env, article, 'r')).toBe('');
    const diff = articleToFix(env, app, 'r');
    expect(diff).toContain('<del>- old();</del>\n<ins>+ new();</ins>');
    expect(articleToFix(env, app, 'r')).toBe('');
    expect(articleToFix({ chapter }, app, 'r')).toBe(''); // another page: article.ts not included there
  });
});

describe('the replay file (issue 13, item 9)', () => {
  const exchange = { method: 'POST', path: '/login', status: 302, setCookie: ['sid=s:abc.def; Path=/'], body: 'Found' };

  test('REST-client format: @host, one ### block per exchange, what came back as comments above the request', () => {
    const chapter = { number: 1, meta: { title: 'Cookies' } } as unknown as Chapter;
    const result: ChapterResult = {
      id: '01-x',
      fileErrors: [],
      tests: [
        {
          name: 'logs in',
          describe: [],
          status: 'passed',
          durationMs: 1,
          file: 'app.test.ts',
          exchanges: [
            exchange,
            { ...exchange, method: 'GET', path: '/me', cookie: 'sid=s:AbCdEfGhIjKlMnOpQrStUv0123.sig' },
          ],
        },
      ],
    };
    const text = replayFile(chapter, result);
    expect(text).toContain('\n@host = http://localhost:3000\n');
    expect(text).toContain(
      '### claim-1, request 1 of 2: logs in\n# Recorded response: 302\n# Set-Cookie: sid=s:abc.<sig>; Path=/\n# Body: Found\nPOST {{host}}/login\n',
    );
    // A masked session cookie of the recorded run is not sent: the client's cookie jar sends its own.
    expect(text).toContain('# Cookie (recorded, masked; your client sends its own): sid=s:<session-id-1>.<sig>\n');
  });

  test('recorded text cannot start a request or a header of its own', () => {
    const hostile = {
      ...exchange,
      path: '/x\n### evil\nGET http://example.com/',
      headers: { 'X-A\nB': 'v\r\nHost: evil' },
      cookie: 'theme=dark\nX: y',
      body: 'a\n###\nGET /',
    };
    const text = replayRequest(hostile, 'claim-1: a\n### name');
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('###'))).toHaveLength(1);
    expect(lines.filter((l) => /^[A-Z]+ /.test(l))).toEqual([
      'POST {{host}}/x%20###%20evil%20GET%20http://example.com/',
    ]);
    expect(lines).toContain('X-AB: v Host: evil');
    expect(lines).toContain('Cookie: theme=dark X: y');
  });
});

import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { type CachingHighlighter, createCodeHighlighter } from '../src/render/highlight.ts';
import { renderSite } from '../src/render/index.ts';
import { badge, claimsSection, evidenceSection, tally } from '../src/render/results.ts';
import type { ChapterResult, SiteFile, Verification } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);

const passing: ChapterResult = {
  id: '01-passing',
  fileErrors: [],
  tests: [
    {
      name: 'the first visit sets a session cookie',
      describe: ['counting visits'],
      status: 'passed',
      durationMs: 12,
      file: 'app.test.ts',
      line: 6,
      exchanges: [
        {
          method: 'GET',
          path: '/',
          status: 200,
          setCookie: ['connect.sid=s%3AXk3n9Q2mZp0aB7cD8eF1gH4iJ5kL6mN7.c2lnbmF0dXJl; Path=/; HttpOnly'],
          body: 'Views: 1',
        },
      ],
    },
    {
      name: 'a claim that needs Redis',
      describe: ['counting visits'],
      status: 'skipped',
      durationMs: 0,
      file: 'app.test.ts',
      exchanges: [],
    },
  ],
};
const failing: ChapterResult = {
  id: '02-failing',
  fileErrors: [],
  tests: [
    {
      name: 'the theme cookie is set',
      describe: ['the theme cookie'],
      status: 'passed',
      durationMs: 5,
      file: 'app.test.ts',
      line: 6,
      exchanges: [{ method: 'GET', path: '/theme', status: 200, setCookie: ['theme=dark; Max-Age=900'], body: '' }],
    },
    {
      name: 'the theme cookie is HttpOnly',
      describe: ['the theme cookie'],
      status: 'failed',
      durationMs: 7,
      file: 'app.test.ts',
      line: 11,
      failure: "AssertionError: expected 'theme=dark; Max-Age=900' to contain 'HttpOnly'",
      exchanges: [
        { method: 'GET', path: '/theme', status: 200, setCookie: ['theme=dark; Max-Age=900'], body: '' },
        { method: 'GET', path: '/theme', status: 200, setCookie: ['theme=dark; Max-Age=900'], body: '' },
      ],
    },
  ],
};
const verification: Verification = {
  run: {
    versions: { node: '20.20.2', express: '5.1.0', 'express-session': '1.19.0', 'cookie-parser': '1.4.7' },
    date: '2025-01-02T03:04:05.000Z',
    commit: '0123456789abcdef0123',
    dirty: false,
  },
  chapters: [passing, failing],
};

let highlighter: CachingHighlighter;
let site: SiteFile[];
const page = (path: string) => String(site.find((f) => f.path === path)?.content);

beforeAll(async () => {
  highlighter = await createCodeHighlighter();
  site = renderSite(chapters, verification, highlighter, { api: true });
});

describe('render: results', () => {
  test('a passing claim: its mark, its name linking to its evidence, its duration and where it is', () => {
    const html = claimsSection(passing);
    // "verified" is text on the page (the stylesheet's ✓ beside it is decoration).
    expect(html).toContain(
      '<li id="claim-1"><a href="evidence.html#claim-1">the first visit sets a session ' +
        'cookie</a><small>verified · 12 ms · app.test.ts:6</small></li>',
    );
    expect(html).toContain(
      '<li class="skipped" id="claim-2">a claim that needs Redis<small><b>not verified in this build</b> · app.test.ts</small></li>',
    );
    expect(html).toContain('<h3>counting visits</h3>');
  });

  test('a failing claim is marked failed, with its message', () => {
    const html = claimsSection(failing);
    expect(html).toContain(
      '<li class="failed" id="claim-2">the theme cookie is HttpOnly<small><b>failed</b> · 7 ms · app.test.ts:11</small>',
    );
    expect(html).toContain(
      "<pre class=\"failure\">AssertionError: expected 'theme=dark; Max-Age=900' to contain 'HttpOnly'</pre>",
    );
  });

  test('the badge counts verified claims out of all', () => {
    expect(tally(failing)).toEqual({ passed: 1, failed: 1, skipped: 0, total: 2 });
    expect(badge(tally(failing))).toBe('<p class="badge failed">1 of 2 claims verified (1 failed)</p>');
    expect(badge(tally(passing))).toBe(
      '<p class="badge partial">1 of 2 claims verified (1 not verified in this build)</p>',
    );
    expect(badge(tally({ id: 'x', tests: [], fileErrors: [{ file: 'app.test.ts', message: 'SyntaxError' }] }))).toBe(
      '<p class="badge failed">0 of 1 claims verified (1 failed)</p>',
    );
  });

  test("a passed claim's evidence is not on the chapter page but on the evidence page, masked, under the same anchor", () => {
    expect(claimsSection(passing)).not.toMatch(/<pre|Set-Cookie/);
    const html = evidenceSection(passing);
    expect(html).toContain(
      '<li id="claim-1"><a href="./#claim-1">the first visit sets a session cookie</a><small>verified · 12 ' +
        'ms · app.test.ts:6 · 1 HTTP exchange</small><div class="ev"><pre><b>GET /</b>\n<b>→ ' +
        '200</b>\nSet-Cookie: connect.sid=s%3A&lt;session-id-1&gt;.&lt;sig&gt;; Path=/; ' +
        'HttpOnly\n<samp>Views: 1</samp></pre></div></li>',
    );
    expect(html).toContain(
      '<li class="skipped" id="claim-2"><a href="./#claim-2">a claim that needs Redis</a><small><b>not ' +
        'verified in this build</b> · app.test.ts · no HTTP exchange</small></li>',
    );
  });

  test('repeated exchanges are folded: consecutive identical ones counted, one shown under an earlier claim linked', () => {
    const get = { method: 'GET', path: '/profile', status: 401, setCookie: [], body: '{"error":"not logged in"}' };
    const other = { method: 'GET', path: '/', status: 200, setCookie: [], body: 'ok' };
    const test = (name: string, exchanges: Array<typeof get>) => ({
      name,
      describe: [],
      status: 'passed' as const,
      durationMs: 1,
      file: 'app.test.ts',
      exchanges,
    });
    const html = evidenceSection({
      id: 'x',
      fileErrors: [],
      tests: [test('one', [get, get, get]), test('two', [other, get])],
    });
    expect(html).toContain(
      '<small>verified · 1 ms · app.test.ts · 3 HTTP exchanges</small><div class="ev"><pre><b>GET ' +
        '/profile</b>\n<b>→ 401</b>\n<samp>{"error":"not logged in"}</samp>\n(this exchange 3 ' +
        'times)</pre></div>',
    );
    expect(html).toContain(
      '<pre><b>GET /</b>\n<b>→ 200</b>\n<samp>ok</samp>\n\n<b>GET /profile → 401</b> as under <a href="#claim-1">claim 1</a></pre>',
    );
  });

  test("a failed claim's evidence stays on the chapter page, open and whole: an exchange an earlier claim also made is shown again, not linked", () => {
    const html = claimsSection(failing);
    const item = html.slice(html.indexOf('<li class="failed" id="claim-2">'));
    expect(item).toMatch(
      new RegExp(
        String.raw`<\/pre><details class="ev" open><summary>2 HTTP exchanges<\/summary><pre><b>GET \/theme<\/` +
          String.raw`b>\n<b>→ 200<\/b>\nSet-Cookie: theme=dark[^<]*\n\(this exchange 2 times\)<\/pre><\/details` +
          String.raw`><\/li>`,
      ),
    );
    expect(item).not.toContain('as under');
    // On the evidence page, the same exchange under claim 2 is folded into a link to claim 1.
    expect(evidenceSection(failing)).toContain('<b>GET /theme → 200</b> as under <a href="#claim-1">claim 1</a>');
    // The passed claim before it links to its own evidence.
    expect(html).toContain('<li id="claim-1"><a href="evidence.html#claim-1">the theme cookie is set</a>');
    // The evidence page has the failure too, with its message.
    expect(evidenceSection(failing)).toMatch(
      new RegExp(
        String.raw`<li class="failed" id="claim-2"><a href="\.\/#claim-2">the theme cookie is HttpOnly<\/a><s` +
          String.raw`mall><b>failed<\/b> · 7 ms · app\.test\.ts:11 · 2 HTTP exchanges<\/small><pre class="failu` +
          String.raw`re">AssertionError: [^<]*<\/pre><div class="ev"><pre>`,
      ),
    );
  });
});

describe('render: pages', () => {
  test('the site: index, 404, a page and an evidence page per chapter, downloads, one CSS file, one JS file and the search script and style', () => {
    expect(site.map((f) => f.path).sort()).toEqual([
      '01-passing/app.test.ts',
      '01-passing/app.ts',
      '01-passing/evidence.html',
      '01-passing/exchanges.http',
      '01-passing/index.html',
      '01-passing/index.md',
      '02-failing/app.test.ts',
      '02-failing/app.ts',
      '02-failing/article.ts',
      '02-failing/evidence.html',
      '02-failing/exchanges.http',
      '02-failing/index.html',
      '02-failing/index.md',
      '404.html',
      'assets/search.css',
      'assets/search.js',
      'assets/site.css',
      'assets/site.js',
      'index.html',
      'llms.txt',
      'robots.txt',
    ]);
  });

  test('rendering is pure: the same input gives the same bytes', async () => {
    const again = renderSite(chapters, verification, await createCodeHighlighter(), { api: true });
    expect(again.map((f) => f.path)).toEqual(site.map((f) => f.path));
    for (const [i, file] of again.entries()) expect(String(file.content), file.path).toBe(String(site[i]?.content));
  });

  test('a snippet block: code whose text is exactly the region, a copy button, the file to download; no run block for a file that starts no server', () => {
    const html = page('01-passing/index.html');
    const block = html.slice(html.indexOf('<figure class="snippet">'), html.indexOf('</figure>') + 9);
    expect(block).toContain(
      '<a class="file" href="app.ts" download>app.ts</a> <span class="region">region <code>routes</code></span>',
    );
    expect(block).toContain('<div class="code" data-copy><pre tabindex="0"><code>'); // the script adds the copy button
    // The fixture's app.ts exports an app and never listens: there is nothing to run on its own
    // (the run block of a file that listens is tested in src/render/snippets-outside.unit.test.ts).
    expect(html).not.toContain('Run the whole file');
    const code = /<pre tabindex="0"><code>([\s\S]*?)<\/code><\/pre>/.exec(block)?.[1] ?? '';
    const text = code
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    expect(text).toBe(
      "app.get('/', (req, res) => {\n  const data = req.session as unknown as { fixtureViews?: number };\n " +
        ' data.fixtureViews = (data.fixtureViews ?? 0) + 1;\n  res.send(`Views: ${data.fixtureViews}`);\n});',
    );
  });

  test("a block from article.ts is labelled the article's version, without a copy button", () => {
    const html = page('02-failing/index.html');
    const block = html.slice(html.indexOf('<figure class="snippet article">'));
    expect(block).toMatch(
      /^<figure class="snippet article"><p class="label">The article's version — not the one to copy<\/p>/,
    );
    expect(block.slice(0, block.indexOf('</figure>'))).not.toContain('data-copy');
  });

  test('a chapter page: badge, claims (where {{#results}} put them) linking to their evidence, spec source folded, prev/next, sidebar marks', () => {
    const html = page('01-passing/index.html');
    expect(html).toContain('<p class="badge partial">1 of 2 claims verified (1 not verified in this build)</p>');
    expect(html.indexOf('<section class="claims"')).toBeLessThan(html.indexOf('id="after-the-results"'));
    expect(html).toContain(
      '<li id="claim-1"><a href="evidence.html#claim-1">the first visit sets a session ' +
        'cookie</a><small>verified · 12 ms · app.test.ts:6</small></li>',
    );
    expect(html).not.toContain('Set-Cookie');
    // The spec's source is not inlined: a link to the raw file, which the script fetches when opened.
    expect(html).toMatch(
      new RegExp(
        String.raw`<details class="spec" data-src="app\.test\.ts"><summary><code>app\.test\.ts<\/code> \(\d+ ` +
          String.raw`lines\)<\/summary><p><a href="app\.test\.ts">Read app\.test\.ts<\/a> \(the raw file\)<\/p>` +
          String.raw`<\/details>`,
      ),
    );
    expect(html).not.toContain('describe(');
    expect(html).toContain('<a rel="next" href="../02-failing/">02. A failing chapter →</a>');
    expect(html).toContain('<li class="failed"><a href="../02-failing/">02 A failing chapter</a>');
    expect(html).toContain('<li class="partial"><a href="../01-passing/" aria-current="page">01 A passing chapter</a>');
    expect(html.split('aria-current').length - 1).toBe(1);
    expect(html).toContain('<h1 id="a-passing-chapter">A passing chapter <a class="anchor" href="#a-passing-chapter"');
    const failingPage = page('02-failing/index.html');
    expect(failingPage).toContain('<a rel="prev" href="../01-passing/">');
    expect(failingPage).toContain('<p class="badge failed">1 of 2 claims verified (1 failed)</p>');
  });

  test('every chapter has an evidence page: every claim under its anchor, a link back, the run it shows, not indexed for search', () => {
    for (const chapter of chapters) {
      const html = page(`${chapter.id}/evidence.html`);
      const tests = verification.chapters.find((r) => r.id === chapter.id)?.tests ?? [];
      expect(tests.length).toBeGreaterThan(0);
      for (const [i, test] of tests.entries())
        expect(html).toContain(`id="claim-${i + 1}"><a href="./#claim-${i + 1}">${test.name}</a>`);
      expect(html).toContain(`<a href="./">0${chapter.number}. ${chapter.meta.title}</a>`);
      expect(html).toContain(
        'Verified with Node 20.20.2, express 5.1.0, express-session 1.19.0, cookie-parser 1.4.7, in the run ' +
          'of <time datetime="2025-01-02T03:04:05.000Z">2025-01-02 03:04:05 UTC</time> at commit ' +
          '<code>0123456789ab</code>',
      );
      expect(html).toContain('<main id="main" data-pagefind-ignore="all">'); // transcripts are not searched
      expect(html).toContain(`<a href="../${chapter.id}/" aria-current="true">`);
      expect(html).toContain('<link rel="stylesheet" href="../assets/site.css">');
    }
  });

  test('every link of a chapter page and of its evidence page resolves: to a file of the site, and to an element of that page when it names one', () => {
    const paths = new Set(site.map((f) => f.path));
    const ids = (path: string) => new Set([...page(path).matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    let evidenceLinks = 0;
    let backLinks = 0;
    for (const from of chapters.flatMap((chapter) => [`${chapter.id}/index.html`, `${chapter.id}/evidence.html`])) {
      for (const [, href] of page(from).matchAll(/\bhref="([^"]*)"/g)) {
        if (from.endsWith('evidence.html') && /^\.\/#claim-\d+$/.test(href as string)) backLinks++;
        if (/^(?:data:|[a-z]+:\/\/)/.test(href as string)) continue;
        const [path, fragment] = (href as string).split('#') as [string, string | undefined];
        let target = path === '' ? from : new URL(path, `http://x/${from}`).pathname.slice(1);
        if (target === '' || target.endsWith('/')) target += 'index.html';
        expect(paths, `${from}: ${href}`).toContain(target);
        if (fragment) expect(ids(target), `${from}: ${href}`).toContain(fragment);
        if (path === 'evidence.html' && fragment) evidenceLinks++;
      }
    }
    expect(evidenceLinks).toBe(2); // a passed claim with exchanges in each chapter (a failed claim's evidence is on its page, whole)
    expect(backLinks).toBe(4); // every claim on an evidence page links back to itself on the chapter page
  });

  test("a failing claim's evidence is on its chapter page, open, under its message", () => {
    const html = page('02-failing/index.html');
    expect(html).toMatch(
      new RegExp(
        String.raw`<li class="failed" id="claim-2">the theme cookie is HttpOnly<small><b>failed<\/b> · 7 ms ·` +
          String.raw` app\.test\.ts:11<\/small><pre class="failure">[^<]*<\/pre><details class="ev" open><summa` +
          String.raw`ry>2 HTTP exchanges<\/summary><pre>`,
      ),
    );
  });

  test('the index: chapters with verdict and count, the versions, date and commit, the API docs link', () => {
    const html = page('index.html');
    expect(html).toContain('<tr class="failed"><td>02</td><td><a href="02-failing/">A failing chapter</a>');
    expect(html).toContain('<td class="count failed">1 of 2 <span class="failed">(1 failed)</span></td>');
    expect(html).toContain('Node 20.20.2, express 5.1.0, express-session 1.19.0, cookie-parser 1.4.7');
    expect(html).toContain('<time datetime="2025-01-02T03:04:05.000Z">2025-01-02 03:04:05 UTC</time>');
    expect(html).toContain('<code>0123456789ab</code>');
    expect(html).toContain('<a href="api/">API documentation</a>');
  });

  test('no page asks another host for anything', () => {
    for (const file of site.filter((f) => /\.(html|css|js)$/.test(f.path))) {
      expect(String(file.content)).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
      expect(String(file.content)).not.toMatch(/url\(\s*['"]?(?:https?:)?\/\//);
    }
  });
});

describe('render: a Content-Security-Policy in every page', () => {
  test('every HTML page the render makes starts its head with the policy as a <meta>, without frame-ancestors (a <meta> cannot carry it)', () => {
    const html = site.filter((f) => f.path.endsWith('.html'));
    expect(html.map((f) => f.path)).toEqual(
      expect.arrayContaining(['index.html', '404.html', '01-passing/index.html', '01-passing/evidence.html']),
    );
    for (const file of html) {
      const head = String(file.content).split('<head>')[1]?.split('</head>')[0] ?? '';
      const meta = /^\s*<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(
        head,
      );
      expect(meta, file.path).not.toBeNull();
      const policy = (meta?.[1] ?? '').replaceAll('&#39;', "'");
      expect(policy, file.path).toContain("default-src 'none'");
      expect(policy, file.path).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(policy, file.path).toContain("style-src 'self';");
      expect(policy, file.path).not.toContain('frame-ancestors');
      expect(policy, file.path).not.toContain('unsafe-inline');
    }
  });
});

/**
 * No dead ends (issue 13, items 6 and 10): the site configuration, source and edit links, the 404
 * page from any depth and under a sub-path, canonical and Open Graph tags, sitemap.xml,
 * robots.txt, llms.txt and each chapter's markdown twin, escaping included. Pure: rendered files only.
 */
import { join } from 'node:path';
import markdownIt from 'markdown-it';
import { beforeAll, describe, expect, test } from 'vitest';
import { BuildError } from '../src/errors.ts';
import { findChapters } from '../src/find.ts';
import { type CachingHighlighter, createCodeHighlighter } from '../src/render/highlight.ts';
import { extractRegion } from '../src/render/include.ts';
import { createMarkdown, renderContext, renderSite } from '../src/render/index.ts';
import { headLinks, robotsTxt, sitemapXml, sourceUrls } from '../src/render/site-links.ts';
import { fenced, llmsTxt, markdownTwin, mdText, proseText } from '../src/render/twin.ts';
import { NO_SITE_CONFIG, parseRepository, type SiteConfig, siteConfig } from '../src/site-config.ts';
import type { Chapter, ChapterResult, SiteFile, TestResult, Verification } from '../src/types.ts';

const root = join(import.meta.dirname, '..');
const fixtures = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);

/** A test name that is markup and markdown at once: it must stay text everywhere. */
const HOSTILE = 'a <script>alert(1)</script> *bold* [x](javascript:alert(1)) `tick` _u_ # &lt; | ~ !';

const test1 = (name: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({
  name,
  describe: ['counting visits'],
  status,
  durationMs: 12,
  file: 'app.test.ts',
  line: 6,
  exchanges: [],
  ...extra,
});

const passing: ChapterResult = {
  id: '01-passing',
  fileErrors: [],
  tests: [
    test1('the first visit sets a session cookie', 'passed'),
    test1(HOSTILE, 'passed'),
    test1('a claim that needs Redis', 'skipped'),
  ],
};
const failing: ChapterResult = {
  id: '02-failing',
  fileErrors: [],
  tests: [
    test1('the theme cookie is HttpOnly', 'failed', {
      describe: [],
      failure: "AssertionError: expected ```x``` <b>to</b> contain 'HttpOnly'",
    }),
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

// Chapter 01's prose with raw HTML, a claim reference to the hostile name and code spans.
const [first, second] = fixtures as [Chapter, Chapter];
const hostileProse = [
  '# A passing chapter',
  '',
  'Raw <script>alert(2)</script> and <img src=x onerror=alert(3)> stay text; `<b>code</b>` stays code; <https://example.org/> stays a link.',
  `The claim {{claim "${HOSTILE.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}} and {{claim "the first visit
  sets a session cookie"}}.`,
  '',
  '{{#include app.ts:routes}}',
  '',
  '```html',
  '<script>kept as code</script>',
  '```',
  '',
  '{{#results}}',
  '',
  '## After the results',
].join('\n');
const chapters: Chapter[] = [{ ...first, readme: { ...first.readme, body: hostileProse } }, second];

const WITH_URL: SiteConfig = siteConfig({ homepage: 'https://example.org/handbook', repository: 'github:owner/book' });

let highlighter: CachingHighlighter;
const render = (config: SiteConfig) => renderSite(chapters, verification, highlighter, { api: true, config });
const file = (site: SiteFile[], path: string) => {
  const found = site.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in the site`);
  return String(found.content);
};
let bare: SiteFile[];
let published: SiteFile[];

beforeAll(async () => {
  highlighter = await createCodeHighlighter();
  bare = render(NO_SITE_CONFIG);
  published = render(WITH_URL);
});

describe('site configuration', () => {
  test('the repository field in its usual forms gives the web address; none without it', () => {
    const github = 'https://github.com/owner/book';
    for (const form of [
      'github:owner/book',
      'owner/book',
      'https://github.com/owner/book',
      'git+https://github.com/owner/book.git',
      'git@github.com:owner/book.git',
      { type: 'git', url: 'https://github.com/owner/book.git' },
    ]) {
      expect(parseRepository(form)?.web, JSON.stringify(form)).toBe(github);
    }
    expect(parseRepository('gitlab:group/book')).toMatchObject({
      web: 'https://gitlab.com/group/book',
      host: 'gitlab',
    });
    expect(parseRepository({ url: 'github:o/n', directory: '/sub/dir/' })).toMatchObject({
      directory: 'sub/dir',
      branch: 'main',
    });
    expect(parseRepository(undefined)).toBeUndefined();
    expect(() => parseRepository('https://example.org/some/where/else')).toThrow(BuildError);
    expect(() => parseRepository({ type: 'git' })).toThrow(/package\.json: "repository" must be a URL/);
  });

  test('SITE_URL over package.json homepage; the base path is its path, else SITE_BASE_PATH, else /; bad values name their source', () => {
    expect(siteConfig({ homepage: 'https://a.example/x' }, { SITE_URL: 'https://b.example/handbook' })).toEqual({
      baseUrl: 'https://b.example/handbook/',
      basePath: '/handbook/',
    });
    expect(siteConfig({ homepage: 'https://a.example' })).toEqual({ baseUrl: 'https://a.example/', basePath: '/' });
    expect(siteConfig({}, { SITE_BASE_PATH: '/sub' })).toEqual({ basePath: '/sub/' });
    expect(siteConfig({})).toEqual({ basePath: '/' });
    expect(() => siteConfig({}, { SITE_URL: 'example.org' })).toThrow(
      /^SITE_URL \(environment\): .*not an absolute URL/,
    );
    expect(() => siteConfig({ homepage: 'ftp://example.org/' })).toThrow(/^package\.json "homepage": .*https:\/\//);
    expect(() => siteConfig({}, { SITE_BASE_PATH: '../x' })).toThrow(/^SITE_BASE_PATH \(environment\): /);
    expect(() => siteConfig({}, { SITE_BASE_PATH: '/a/"x' })).toThrow(BuildError);
  });

  test('the project names its repository (a placeholder the owners change in package.json)', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as Record<string, unknown>;
    expect(siteConfig(pkg).repository?.web).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  });
});

describe('source and edit links', () => {
  test('each chapter page links its folder and its README in the repository, on the configured branch and directory', () => {
    expect(file(published, '01-passing/index.html')).toContain(
      '<a href="https://github.com/owner/book/tree/main/tests/fixtures/chapters-e2e/01-passing">Source of this chapter</a> · ' +
        '<a href="https://github.com/owner/book/edit/main/tests/fixtures/chapters-e2e/01-passing/README.md">Edit this page</a>',
    );
    const gitlab = sourceUrls(
      {
        basePath: '/',
        repository: {
          ...(parseRepository({ url: 'gitlab:g/b', directory: 'site', branch: 'dev' }) as NonNullable<
            SiteConfig['repository']
          >),
        },
      },
      first,
    );
    expect(gitlab).toEqual({
      tree: 'https://gitlab.com/g/b/-/tree/dev/site/tests/fixtures/chapters-e2e/01-passing',
      edit: 'https://gitlab.com/g/b/-/edit/dev/site/tests/fixtures/chapters-e2e/01-passing/README.md',
    });
  });

  test('no repository, no link', () => {
    expect(file(bare, '01-passing/index.html')).not.toContain('source-links');
    expect(file(bare, '01-passing/index.html')).not.toMatch(/Source of this chapter|Edit this page/);
  });
});

describe('canonical, Open Graph, sitemap.xml and robots.txt', () => {
  const pages = [
    'index.html',
    '01-passing/index.html',
    '01-passing/evidence.html',
    '02-failing/index.html',
    '02-failing/evidence.html',
  ];
  const urls: Record<string, string> = {
    'index.html': 'https://example.org/handbook/',
    '01-passing/index.html': 'https://example.org/handbook/01-passing/',
    '01-passing/evidence.html': 'https://example.org/handbook/01-passing/evidence.html',
    '02-failing/index.html': 'https://example.org/handbook/02-failing/',
    '02-failing/evidence.html': 'https://example.org/handbook/02-failing/evidence.html',
  };

  test('with a base URL every page has its canonical URL, og:url, og:title, og:description and og:type in its head', () => {
    for (const path of pages) {
      const html = file(published, path);
      const head = html.slice(0, html.indexOf('</head>'));
      expect(head, path).toContain(`<link rel="canonical" href="${urls[path]}">`);
      expect(head, path).toContain(`<meta property="og:url" content="${urls[path]}">`);
      expect(head, path).toMatch(/<meta property="og:title" content="[^"]+">/);
      expect(head, path).toMatch(/<meta property="og:description" content="[^"]+">/);
      expect(head, path).toContain(
        `<meta property="og:type" content="${path === 'index.html' ? 'website' : 'article'}">`,
      );
    }
    expect(headLinks(NO_SITE_CONFIG, { path: '', title: 'a "b" <c>', description: 'd', type: 'website' })).toContain(
      '<meta property="og:title" content="a &quot;b&quot; &lt;c&gt;">',
    );
  });

  test('sitemap.xml lists every page, absolute; robots.txt allows all and names it', () => {
    const sitemap = file(published, 'sitemap.xml');
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs).toEqual(
      [...Object.values(urls)].sort((a, b) => order(a) - order(b)).concat('https://example.org/handbook/api/'),
    );
    expect(sitemap).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/,
    );
    expect(file(published, 'robots.txt')).toBe(
      'User-agent: *\nAllow: /\n\nSitemap: https://example.org/handbook/sitemap.xml\n',
    );
    expect(sitemapXml({ basePath: '/', baseUrl: 'https://e.example/' }, ['a&b/'])).toContain(
      '<loc>https://e.example/a&amp;b/</loc>',
    );
  });
  // The sitemap's order: the index, then each chapter's page and evidence page.
  const order = (url: string) =>
    ['', '01-passing/', '01-passing/evidence.html', '02-failing/', '02-failing/evidence.html'].indexOf(
      url.replace('https://example.org/handbook/', ''),
    );

  test('without a base URL: no sitemap.xml, robots.txt without a Sitemap line, and no absolute URL in any page or file the render makes', () => {
    expect(bare.some((f) => f.path === 'sitemap.xml')).toBe(false);
    expect(robotsTxt(NO_SITE_CONFIG)).toBe('User-agent: *\nAllow: /\n');
    const prose = /https:\/\/example\.org\//g; // the fixture prose's own autolink
    for (const f of bare) {
      if (/\.(ts|js)$/.test(f.path)) continue; // chapter code and our scripts: not links
      const text = String(f.content).replace(prose, '');
      expect(text.match(/\b(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? [], f.path).toEqual([]);
      expect(text, f.path).not.toMatch(/rel="canonical"|og:url/);
    }
  });
});

describe('the 404 page', () => {
  const site = new Map<string, SiteFile[]>();
  /** Every URL the 404 page loads or links (fragments of itself aside), resolved as a browser would from `at`. */
  const targets = (html: string, at: string) =>
    [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)]
      .map((m) => m[1] as string)
      .filter((href) => !href.startsWith('#') && !href.startsWith('data:'))
      .map((href) => new URL(href.replaceAll('&amp;', '&'), at));
  /** The site file a path under `base` serves (a folder's index.html), or undefined. */
  const served = (files: SiteFile[], base: string, url: URL) => {
    if (!url.pathname.startsWith(base)) return undefined;
    const path = url.pathname.slice(base.length);
    const name = path === '' || path.endsWith('/') ? `${path}index.html` : path;
    return files.find((f) => f.path === name);
  };

  for (const [label, config, host] of [
    ['at the host root', NO_SITE_CONFIG, 'http://127.0.0.1:4173'],
    [
      'under a sub-path (SITE_BASE_PATH=/handbook/)',
      siteConfig({}, { SITE_BASE_PATH: '/handbook/' }),
      'http://127.0.0.1:4173',
    ],
    ['under a base URL (https://example.org/handbook/)', WITH_URL, 'https://example.org'],
  ] as const) {
    test(`${label}: every link and asset resolves to a file of the site from any depth`, () => {
      if (!site.has(label)) site.set(label, render(config));
      const files = site.get(label) as SiteFile[];
      const html = file(files, '404.html');
      const base = config.basePath;
      for (const missing of ['missing', 'x/y/missing', 'a/b/c/d/', 'deep/er/still/missing.html']) {
        const at = `${host}${base}${missing}`;
        const all = targets(html, at);
        expect(all.length, at).toBeGreaterThan(5);
        for (const url of all) {
          expect(url.origin, `${url} from ${at}`).toBe(host);
          expect(served(files, base, url), `${url} from ${at}`).toBeDefined();
        }
        const hrefs = all.map((u) => u.pathname);
        expect(hrefs, at).toEqual(
          expect.arrayContaining([`${base}assets/site.css`, `${base}assets/site.js`, base, `${base}01-passing/`]),
        );
      }
      // The site's own head, header and footer, a link to the contents and to the search box; not indexed, not canonical.
      expect(html).toContain(`<a class="home" href="${base}">`);
      expect(html).toContain('<footer>');
      expect(html).toContain('<a href="#search-input">search the handbook</a>');
      expect(html).toContain('<meta name="robots" content="noindex">');
      expect(html).not.toMatch(/<base\b|rel="canonical"|og:url|https?:\/\//);
    });
  }
});

describe('llms.txt and the markdown twins', () => {
  const twin = (site: SiteFile[], id: string) => file(site, `${id}/index.md`);
  /** The twin as a permissive reader would render it: raw HTML allowed. */
  const asHtml = (md: string) => markdownIt({ html: true }).render(md);

  test('llms.txt: the title, the summary, and a link to each chapter’s twin with its one-line summary', () => {
    const text = file(bare, 'llms.txt');
    const lines = text.split('\n');
    expect(lines[0]).toBe('# Sessions & Cookies, Verified');
    expect(lines[2]).toMatch(/^> An executable handbook/);
    expect(text).toContain(
      '\n## Chapters\n\n- [01. A passing chapter](01-passing/index.md): A fixture whose every claim passes.\n' +
        '- [02. A failing chapter](02-failing/index.md): A fixture with one claim that fails.\n',
    );
    for (const m of text.matchAll(/\]\(([^)]+)\)/g))
      expect(
        bare.some((f) => f.path === m[1]),
        m[1],
      ).toBe(true);
    expect(file(published, 'llms.txt')).toContain(
      '- [01. A passing chapter](https://example.org/handbook/01-passing/index.md): ',
    );
    const odd = { ...first, meta: { ...first.meta, title: 'A <b>[title]</b>', summary: 'sum *mary*' } };
    expect(llmsTxt([odd], NO_SITE_CONFIG, 'd')).toContain(
      '- [01. A \\<b\\>\\[title\\]\\</b\\>](01-passing/index.md): sum \\*mary\\*',
    );
  });

  test('each chapter page names its twin in its head, and the twin is next to it', () => {
    for (const id of ['01-passing', '02-failing']) {
      expect(file(bare, `${id}/index.html`)).toContain('<link rel="alternate" type="text/markdown" href="index.md">');
      expect(twin(bare, id)).toMatch(/^# /);
    }
  });

  test('a twin: the prose, each include as a fenced block of exactly the code shown, the claims with their status where {{#results}} stands', () => {
    const md = twin(bare, '01-passing');
    const routes = extractRegion(first.files.find((f) => f.name === 'app.ts') as never, 'routes', {
      path: '',
      line: 0,
    });
    expect(md).toContain(`From [app.ts](app.ts), region routes:\n\n\`\`\`ts\n${routes}\n\`\`\``);
    expect(md).toContain('```html\n<script>kept as code</script>\n```'); // a code block is code: as written
    expect(md).toContain('> A fixture whose every claim passes.');
    expect(md).toContain('2 of 3 claims verified (1 not verified in this build).');
    expect(md).toContain('### counting visits');
    expect(md).toContain('1. ✓ verified: [the first visit sets a session cookie](./#claim-1) (app.test.ts:6, 12 ms)');
    expect(md).toContain('3. – not verified in this build: [a claim that needs Redis](./#claim-3)');
    // {{#results}} placed the claims before the last section, and they are not repeated after it.
    expect(md.indexOf('## Claims')).toBeLessThan(md.indexOf('## After the results'));
    expect(md.match(/## Claims/g)).toHaveLength(1);
    // A claim reference: its status and name, linking to the claim on the page (a wrapped name is one line).
    expect(md).toContain('[✓ verified: the first visit sets a session cookie](./#claim-1)');
  });

  test('a failed claim in a twin: "failed", and its message in a fence it cannot close', () => {
    const md = twin(bare, '02-failing');
    expect(md).toContain('1. ✗ failed: [the theme cookie is HttpOnly](./#claim-1)');
    expect(md).toContain("   ````text\n   AssertionError: expected ```x``` <b>to</b> contain 'HttpOnly'\n   ````");
    expect(md).toContain('## Claims'); // no {{#results}}: after the prose
    expect(asHtml(md)).toContain(
      '<code class="language-text">AssertionError: expected ```x``` &lt;b&gt;to&lt;/b&gt; contain',
    );
  });

  test('prose and test names stay text: no markup, link or emphasis comes out of them', () => {
    const md = twin(bare, '01-passing');
    const html = asHtml(md);
    expect(html).not.toMatch(/<script|<img|<b>|href="javascript:|<em>u<\/em>|<strong>bold<\/strong>/);
    // The hostile name reads as written: in the claims list and in the prose's reference.
    const text = (s: string) =>
      s
        .replace(/<[^>]+>/g, '')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&amp;', '&');
    expect(text(html)).toContain(`✓ verified: ${HOSTILE}`);
    expect(
      text(html).match(new RegExp(`verified: ${HOSTILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g')),
    ).toHaveLength(2);
    // Raw HTML in the prose reads as text, code spans as code, autolinks as links.
    expect(text(html)).toContain('Raw <script>alert(2)</script> and <img src=x onerror=alert(3)> stay text');
    expect(html).toContain('<code>&lt;b&gt;code&lt;/b&gt;</code>');
    expect(html).toContain('<a href="https://example.org/">https://example.org/</a>');
  });

  test('the escaping helpers', () => {
    expect(mdText('a\n  b')).toBe('a b');
    expect(mdText('&amp; & &#60;')).toBe('\\&amp; & \\&\\#60;');
    expect(fenced('a ```` b', 'sh')).toBe('`````sh\na ```` b\n`````');
    expect(proseText('x `<a>` <b> \\<c> <https://e.example/>', () => '')).toBe(
      'x `<a>` &lt;b> \\<c> <https://e.example/>',
    );
    expect(proseText('{{claim "n"}}', (n) => `[${n}]`)).toBe('[n]');
  });

  test('the twin is the same with the page’s own context, whichever order they render in', () => {
    const ctx = renderContext(createMarkdown(highlighter), chapters, verification, {});
    expect(markdownTwin(ctx, 0, NO_SITE_CONFIG)).toBe(twin(bare, '01-passing'));
  });
});

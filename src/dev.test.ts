import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { addChange, builtFile, classifyChange, emptyBatch, injectDev, isLoopbackHost, mergeResults, type ReportedModule, refuseDevRequest, sitePath, toChapterResult } from './dev.ts';
import type { Verification } from './types.ts';

describe('what a saved file asks npm run dev to do', () => {
  test("a chapter's snippet or spec re-runs that chapter's specs and re-renders its page", () => {
    expect(classifyChange('chapters/04-storing-session-data/app.ts')).toEqual({ kind: 'chapter', id: '04-storing-session-data', file: 'app.ts', rerun: true });
    expect(classifyChange('chapters/18-save-before-redirect/browser.test.ts')).toMatchObject({ kind: 'chapter', rerun: true });
  });

  test("a chapter's README.md only re-renders its page: prose cannot change a test's outcome", () => {
    expect(classifyChange('chapters/04-storing-session-data/README.md')).toEqual({ kind: 'chapter', id: '04-storing-session-data', file: 'README.md', rerun: false });
  });

  test('a change under src/ re-renders everything, and under src/testkit/ re-runs every spec too', () => {
    expect(classifyChange('src/render/layout.ts')).toEqual({ kind: 'src', file: 'render/layout.ts', rerunAll: false });
    expect(classifyChange('src/testkit/setup.ts')).toEqual({ kind: 'src', file: 'testkit/setup.ts', rerunAll: true });
  });

  test('editor droppings, loose files, non-chapter folders and the build’s own unit tests are ignored', () => {
    for (const path of ['chapters/04-x/.app.ts.swp', 'chapters/04-x/app.ts~', 'chapters/04-x/4913', 'chapters/README.md', 'chapters/notes/a.md', 'chapters/4-x/app.ts', 'src/dev.test.ts', 'tests/find.test.ts', 'chapters/../src/x.ts']) {
      expect(classifyChange(path), path).toEqual({ kind: 'ignore' });
    }
  });

  test('changes that arrive during a run merge into one batch; a code change wins over a prose change', () => {
    const batch = emptyBatch();
    expect(addChange(batch, 'chapters/01-a/README.md')).toBe(true);
    expect(addChange(batch, 'chapters/01-a/app.ts')).toBe(true);
    expect(addChange(batch, 'chapters/02-b/README.md')).toBe(true);
    expect(addChange(batch, 'chapters/02-b/.README.md.swp')).toBe(false);
    expect([...batch.chapters]).toEqual([['01-a', true], ['02-b', false]]);
    expect(batch.all).toBe(false);
    addChange(batch, 'src/render/pages.ts');
    expect(batch.all).toBe(true);
    expect(batch.rerunAll).toBe(false);
  });
});

describe('serving', () => {
  test('URL paths map to site files; directories to their index.html; .. never leaves the site', () => {
    expect(sitePath('/')).toBe('index.html');
    expect(sitePath('/04-x/')).toBe('04-x/index.html');
    expect(sitePath('/assets/site.css?v=1')).toBe('assets/site.css');
    expect(sitePath('/%2e%2e/%2e%2e/etc/passwd')).not.toMatch(/\.\./);
    expect(sitePath('/a/%00')).toBeUndefined();
    expect(sitePath('/%E0%A4%A')).toBeUndefined();
  });

  test('pages get the reload script just before </body>, and an error banner when the last render failed', () => {
    const page = injectDev('<html><body><p>x</p></body></html>');
    expect(page).toMatch(/<p>x<\/p><script>.*EventSource\('\/__dev\/events'\).*<\/script><\/body><\/html>$/);
    expect(injectDev('<body></body>', 'README.md:3: front matter <bad>')).toContain('dev: README.md:3: front matter &lt;bad&gt;');
  });
});

describe('who the dev server answers', () => {
  test('only loopback names in Host, with any port: not a rebound DNS name, not another address', () => {
    for (const host of ['localhost', 'localhost:4000', 'LOCALHOST:4000', '127.0.0.1', '127.0.0.1:4000', '[::1]', '[::1]:4000']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [undefined, '', 'evil.example', 'evil.example:4000', 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost:4000@evil.example', '127.0.0.2:4000', '0.0.0.0:4000', '[::ffff:127.0.0.1]:4000', '192.168.1.5:4000', 'localhost:']) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });

  test('over HTTP: another Host gets 403 for pages and the event stream; the event stream answers GET only', async () => {
    const server = createServer((req, res) => {
      if (refuseDevRequest(req, res)) return;
      res.end('page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const ask = (path: string, host: string, method = 'GET') =>
      new Promise<{ status: number; body: string; allow?: string | undefined }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method, headers: { host }, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, allow: res.headers.allow }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      for (const path of ['/', '/01-x/', '/__dev/events']) {
        const rebound = await ask(path, `evil.example:${port}`);
        expect(rebound.status, path).toBe(403);
        expect(rebound.body, path).not.toContain('page');
      }
      expect((await ask('/', `localhost:${port}`)).body).toBe('page');
      expect((await ask('/', `[::1]:${port}`)).body).toBe('page');
      for (const method of ['POST', 'HEAD', 'PUT']) {
        const res = await ask('/__dev/events', `127.0.0.1:${port}`, method);
        expect(res.status, method).toBe(405);
        expect(res.allow, method).toBe('GET');
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test("the last build's search index and API docs are read as the preview server reads them: no dotfile, no symlink out", () => {
    const work = mkdtempSync(join(tmpdir(), 'dev-site-'));
    try {
      const site = join(work, 'site');
      mkdirSync(join(site, 'pagefind'), { recursive: true });
      mkdirSync(join(site, 'api'));
      writeFileSync(join(site, 'pagefind/pagefind.js'), 'export {};');
      writeFileSync(join(site, 'pagefind/.hidden'), 'x');
      writeFileSync(join(site, 'api/index.html'), '<h1>api</h1>');
      writeFileSync(join(site, 'index.html'), 'old home');
      writeFileSync(join(work, 'secret.txt'), 'secret');
      symlinkSync(join(work, 'secret.txt'), join(site, 'pagefind/leak.js'));
      expect(String(builtFile(site, 'pagefind/pagefind.js'))).toBe('export {};');
      expect(String(builtFile(site, 'api/index.html'))).toBe('<h1>api</h1>');
      for (const path of ['pagefind/.hidden', 'pagefind/leak.js', 'index.html', 'pagefind/missing.js', 'api/../index.html']) expect(builtFile(site, path), path).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("vitest's tasks as the build's results", () => {
  const test1 = {
    name: 'sets a cookie',
    parent: { type: 'suite', name: 'login', parent: { type: 'module' } },
    location: { line: 12 },
    result: () => ({ state: 'failed', errors: [{ message: 'expected 1 to be 2', stack: 'AssertionError: expected 1 to be 2\n    at /root/x.ts:1:1' }] }),
    diagnostic: () => ({ duration: 12.6 }),
    meta: () => ({ exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: '' }] }),
  };
  const modules: ReportedModule[] = [
    { moduleId: '/root/chapters/01-a/app.test.ts', state: () => 'failed', errors: () => [], children: { allTests: () => [test1] } },
    { moduleId: '/root/chapters/01-a/browser.test.ts', state: () => 'failed', errors: () => [{ message: 'Cannot find module x' }], children: { allTests: () => [] } },
    { moduleId: '/root/chapters/02-b/app.test.ts', state: () => 'passed', errors: () => [], children: { allTests: () => [test1] } },
  ];

  test('gives each test its describe path, status, rounded duration, line, failure and exchanges, per chapter', () => {
    const result = toChapterResult({ id: '01-a', dir: 'chapters/01-a' }, modules, '/root');
    expect(result.id).toBe('01-a');
    expect(result.tests).toEqual([
      { name: 'sets a cookie', describe: ['login'], status: 'failed', durationMs: 13, file: 'app.test.ts', line: 12, failure: 'AssertionError: expected 1 to be 2', exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: '' }] },
    ]);
    expect(result.fileErrors).toEqual([{ file: 'browser.test.ts', message: 'Cannot find module x' }]);
  });

  test('merging one chapter’s new results keeps the others and the chapters’ order', () => {
    const v: Verification = { run: { versions: { node: '20', express: '5', 'express-session': '1', 'cookie-parser': '1' }, date: 'd', commit: 'c', dirty: false }, chapters: [{ id: '02-b', tests: [], fileErrors: [] }, { id: '01-a', tests: [], fileErrors: [] }] };
    const merged = mergeResults(v, [{ id: '01-a', tests: [], fileErrors: [{ file: 'x', message: 'y' }] }], ['01-a', '02-b']);
    expect(merged.chapters.map((c) => c.id)).toEqual(['01-a', '02-b']);
    expect(merged.chapters[0]?.fileErrors).toHaveLength(1);
  });
});

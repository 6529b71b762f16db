import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSiteServer } from '../serve.ts';
import { builtFile, DevSite, injectDev, isLoopbackHost, RELOAD_JS, RELOAD_PATH, refuseDevRequest } from './server.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly this request target (fetch would tidy the path) and Host. */
function ask(base: string, path: string, method = 'GET', host?: string): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers: host ? { host } : {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pages in dev', () => {
  test('pages load the reload script from /__dev/reload.js just before </body>, and show an error banner when the last render failed', () => {
    const page = injectDev('<html><body><p>x</p></body></html>');
    expect(page).toBe('<html><body><p>x</p><script src="/__dev/reload.js"></script></body></html>');
    expect(page).not.toMatch(/<script>/);
    const failed = injectDev('<body></body>', 'README.md:3: front matter <bad>');
    expect(failed).toContain('<pre class="dev-error">dev: README.md:3: front matter &lt;bad&gt;</pre>');
    expect(failed).not.toMatch(/style="/);
    expect(RELOAD_JS).toContain("new EventSource('/__dev/events')");
  });
});

describe('who the dev server answers', () => {
  test('only loopback names in Host, with any port: not a rebound DNS name, not another address', () => {
    for (const host of [
      'localhost',
      'localhost:4000',
      'LOCALHOST:4000',
      '127.0.0.1',
      '127.0.0.1:4000',
      '[::1]',
      '[::1]:4000',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:4000',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'localhost:4000@evil.example',
      '127.0.0.2:4000',
      '0.0.0.0:4000',
      '[::ffff:127.0.0.1]:4000',
      '192.168.1.5:4000',
      'localhost:',
    ]) {
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
    const askOld = (path: string, host: string, method = 'GET') =>
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
        const rebound = await askOld(path, `evil.example:${port}`);
        expect(rebound.status, path).toBe(403);
        expect(rebound.body, path).not.toContain('page');
      }
      expect((await askOld('/', `localhost:${port}`)).body).toBe('page');
      expect((await askOld('/', `[::1]:${port}`)).body).toBe('page');
      for (const method of ['POST', 'HEAD', 'PUT']) {
        const res = await askOld('/__dev/events', `127.0.0.1:${port}`, method);
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
      for (const path of [
        'pagefind/.hidden',
        'pagefind/leak.js',
        'index.html',
        'pagefind/missing.js',
        'api/../index.html',
      ])
        expect(builtFile(site, path), path).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('dev serves files as npm start does', () => {
  const work = mkdtempSync(join(tmpdir(), 'dev-serve-'));
  const siteDir = join(work, 'site');
  // The same files, in memory for dev and on disk for npm start.
  const files: Record<string, string> = {
    'index.html': '<html><body><h1>home</h1></body></html>',
    '404.html': '<html><body><h1>Not found</h1></body></html>',
    '01-x/index.html': '<html><body><h1>one</h1></body></html>',
    '01-x/app.ts': 'export {};\n',
    'notes.txt': 'plain text\n',
    'favicon.ico': 'ico',
    'assets/font.woff2': 'woff2',
    'assets/site.css': 'body{}',
    'assets/site.js': 'void 0;',
    'data.json': '{}',
    'pic.svg': '<svg/>',
    'unknown.xyz': '?',
  };
  const dev = new DevSite(join(work, 'no-build'));
  const start: Server = createSiteServer(siteDir);
  let devBase = '';
  let startBase = '';

  beforeAll(async () => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(siteDir, path, '..'), { recursive: true });
      writeFileSync(join(siteDir, path), content);
    }
    dev.update(
      Object.entries(files).map(([path, content]) => ({ path, content })),
      true,
    );
    devBase = await dev.listen(0);
    await new Promise<void>((resolve) => start.listen(0, '127.0.0.1', resolve));
    startBase = `http://127.0.0.1:${(start.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await dev.close();
    start.closeAllConnections();
    await new Promise<void>((resolve) => start.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  test('.txt, .ico and .woff2 (and every other file) get the content type npm start gives them', async () => {
    for (const path of ['/notes.txt', '/favicon.ico', '/assets/font.woff2']) {
      const [d, s] = [await ask(devBase, path), await ask(startBase, path)];
      expect(d.status, path).toBe(200);
      expect(s.status, path).toBe(200);
      expect(d.headers['content-type'], path).toBe(s.headers['content-type']);
    }
    expect((await ask(devBase, '/notes.txt')).headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await ask(devBase, '/favicon.ico')).headers['content-type']).toBe('image/x-icon');
    expect((await ask(devBase, '/assets/font.woff2')).headers['content-type']).toBe('font/woff2');
    for (const path of [
      '/',
      '/01-x/',
      '/01-x/app.ts',
      '/assets/site.css',
      '/assets/site.js',
      '/data.json',
      '/pic.svg',
      '/unknown.xyz',
    ]) {
      expect((await ask(devBase, path)).headers['content-type'], path).toBe(
        (await ask(startBase, path)).headers['content-type'],
      );
    }
  });

  test("the same security headers as npm start: the site's Content-Security-Policy, Referrer-Policy, nosniff", async () => {
    for (const path of ['/', '/01-x/', '/notes.txt', '/missing', '/api/']) {
      const [d, s] = [await ask(devBase, path), await ask(startBase, path)];
      for (const name of ['content-security-policy', 'referrer-policy', 'x-content-type-options']) {
        expect(s.headers[name], `${path} ${name}`).toBeTruthy();
        expect(d.headers[name], `${path} ${name}`).toBe(s.headers[name]);
      }
    }
    expect((await ask(devBase, '/')).headers['content-security-policy']).toMatch(
      /script-src 'self' 'wasm-unsafe-eval';/,
    );
  });

  test("the reload script is a file of the site's own origin, which its script-src allows", async () => {
    const script = await ask(devBase, RELOAD_PATH);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe(RELOAD_JS);
    const home = await ask(devBase, '/');
    expect(home.body).toContain(`<script src="${RELOAD_PATH}"></script>`);
    expect(home.headers['content-security-policy']).not.toMatch(/unsafe-inline|sha256-/);
  });

  test('URLs map to the same files: folders, redirects that stay on this origin, no .. and no dotfiles', async () => {
    for (const path of [
      '/',
      '/01-x/',
      '/01-x',
      '//evil.example/..%2f01-x',
      '/01-x/..%2f..%2fetc',
      '/%2e%2e/index.html',
      '/.env',
      '/01-x/.notes',
      '/a/%00',
      '/%E0%A4%A',
      '/notes.txt/',
      '/01-x?x=1',
    ]) {
      const [d, s] = [await ask(devBase, path), await ask(startBase, path)];
      expect(d.status, path).toBe(s.status);
      expect(d.headers.location, path).toBe(s.headers.location);
    }
    expect((await ask(devBase, '/01-x')).headers.location).toBe('./01-x/');
    expect((await ask(devBase, '/01-x/')).body).toContain('<h1>one</h1>');
    expect((await ask(devBase, '/missing')).body).toContain('<h1>Not found</h1>');
  });

  test('any method but GET and HEAD is refused as npm start refuses it', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const [d, s] = [await ask(devBase, '/', method), await ask(startBase, '/', method)];
      expect(d.status, method).toBe(405);
      expect(s.status, method).toBe(405);
    }
    const head = await ask(devBase, '/notes.txt', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

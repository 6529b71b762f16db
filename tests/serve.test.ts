import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSiteServer, listenAddress, sitePathOf, startSiteServer, TYPEDOC_SCRIPT_HASHES } from '../src/serve.ts';

const work = mkdtempSync(join(tmpdir(), 'serve-'));
const dir = join(work, 'site');
const outside = join(work, 'outside');
const SECRET = 'secret outside the site';
const HOME = '<h1>home</h1>';
const server = createSiteServer(dir);
let base = '';

beforeAll(async () => {
  mkdirSync(join(dir, '01-x'), { recursive: true });
  mkdirSync(join(dir, 'api'));
  mkdirSync(join(dir, '.git'));
  mkdirSync(outside);
  writeFileSync(join(dir, 'index.html'), HOME);
  writeFileSync(join(dir, '404.html'), '<h1>Not found</h1>');
  writeFileSync(join(dir, '01-x/index.html'), '<h1>one</h1>');
  writeFileSync(join(dir, '01-x/app.ts'), 'export {};\n');
  writeFileSync(join(dir, 'api/index.html'), '<h1>api</h1>');
  writeFileSync(join(dir, '.env'), 'SESSION_SECRET=hunter2\n');
  writeFileSync(join(dir, '.git/config'), '[core]\n');
  writeFileSync(join(dir, '01-x/.notes'), 'private\n');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  mkdirSync(join(outside, 'folder'));
  writeFileSync(join(outside, 'folder/index.html'), SECRET);
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'leak.txt'));
  symlinkSync(outside, join(dir, 'leak'));
  symlinkSync(join(dir, 'index.html'), join(dir, 'home.html'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly this request target and these headers (fetch would tidy the path). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET', to = base): Promise<Reply> {
  const { hostname, port } = new URL(to);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Where a redirect from `path` leads, as a browser resolves its Location. */
function redirectTarget(path: string, reply: Reply): URL {
  return new URL(String(reply.headers.location), base + path);
}

describe('the static server', () => {
  test('serves index.html for folders, with the right content types', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toBe(HOME);
    const ts = await fetch(`${base}/01-x/app.ts`);
    expect(ts.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  test('redirects a folder without its slash to a relative URL, keeping the query, so relative links work', async () => {
    const res = await get('/01-x?q=1');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('./01-x/?q=1');
    expect(redirectTarget('/01-x?q=1', res).href).toBe(`${base}/01-x/?q=1`);
    const followed = await fetch(`${base}/01-x`);
    expect(followed.url).toBe(`${base}/01-x/`);
    expect(await followed.text()).toBe('<h1>one</h1>');
  });

  test('answers 404 with the site 404 page, and never serves outside the site', async () => {
    const missing = await fetch(`${base}/nope/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('<h1>Not found</h1>');
    for (const path of [
      '/..%2f..%2fetc%2fpasswd',
      '/01-x/..%2f..%2foutside/secret.txt',
      '/%2e%2e/outside/secret.txt',
      '/a%00b',
      '/%E0%A4%A',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toBe('<h1>Not found</h1>');
    }
  });

  test('HEAD gets the headers without a body; other methods get 405', async () => {
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(HOME.length));
    expect(head.body).toBe('');
    const post = await get('/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});

describe('faults of the hand-written server it replaces', () => {
  test('no open redirect: //evil.example/..%2f01-x, //01-x and an absolute-form target stay on this origin', async () => {
    for (const path of [
      '//evil.example/..%2f01-x',
      '//evil.example/%2e%2e%2f01-x',
      '//evil.example/..%5c01-x',
      '//01-x',
      '///01-x',
      '/%2fevil.example/..%2f01-x',
    ]) {
      const res = await get(path);
      if (res.status >= 300 && res.status < 400) expect(redirectTarget(path, res).origin, path).toBe(base);
      else expect(res.status, path).toBe(404);
    }
    const absolute = await get('http://evil.example/01-x');
    expect(absolute.headers.location).toBeUndefined();
  });

  test('a symlink inside the site that leads outside it is not followed; one that stays inside is', async () => {
    for (const path of ['/leak.txt', '/leak/secret.txt', '/leak/folder/', '/leak/folder']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain(SECRET);
    }
    const inside = await get('/home.html');
    expect(inside.status).toBe(200);
    expect(inside.body).toBe(HOME);
  });

  test('a site folder that is itself a symlink is served (a build may swap it)', async () => {
    const link = join(work, 'site-link');
    symlinkSync(dir, link);
    const other = createSiteServer(link);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const to = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      expect((await get('/', {}, 'GET', to)).body).toBe(HOME);
      expect((await get('/leak.txt', {}, 'GET', to)).status).toBe(404);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  test('dotfiles and dot-folders are not served', async () => {
    for (const path of ['/.env', '/.git/config', '/.git/', '/.git', '/01-x/.notes', '/%2eenv']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toBe('<h1>Not found</h1>');
    }
  });

  test('Range requests get 206 with the asked bytes, and 416 when they cannot be met', async () => {
    const part = await get('/', { range: 'bytes=1-3' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1-3/${HOME.length}`);
    expect(part.headers['accept-ranges']).toBe('bytes');
    expect(part.body).toBe(HOME.slice(1, 4));
    const beyond = await get('/', { range: `bytes=${HOME.length + 10}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${HOME.length}`);
  });

  test('an unchanged file is answered 304 from its ETag or its Last-Modified, and always revalidated', async () => {
    const first = await get('/01-x/app.ts');
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = String(first.headers.etag);
    const modified = String(first.headers['last-modified']);
    expect(etag).toMatch(/^W\/"/);
    const byTag = await get('/01-x/app.ts', { 'if-none-match': etag });
    expect(byTag.status).toBe(304);
    expect(byTag.body).toBe('');
    expect((await get('/01-x/app.ts', { 'if-modified-since': modified })).status).toBe(304);
    expect((await get('/01-x/app.ts', { 'if-none-match': 'W/"other"' })).status).toBe(200);
  });

  test('listens on 127.0.0.1 unless HOST says otherwise; PORT picks the port', async () => {
    expect(listenAddress({})).toEqual({ host: '127.0.0.1', port: 4173 });
    expect(() => listenAddress({ PORT: 'eighty' })).toThrow('PORT must be a port number from 0 to 65535, not "eighty"');
    for (const [env, address] of [
      [{ PORT: '0' }, '127.0.0.1'],
      [{ PORT: '0', HOST: '127.0.0.2' }, '127.0.0.2'],
    ] as const) {
      const { server: started, url } = await startSiteServer(dir, env);
      try {
        expect((started.address() as AddressInfo).address).toBe(address);
        expect(url).toBe(`http://${address}:${(started.address() as AddressInfo).port}/`);
        expect(await (await fetch(url)).text()).toBe(HOME);
      } finally {
        started.closeAllConnections();
        await new Promise<void>((resolve) => started.close(() => resolve()));
      }
    }
  });

  test('every answer carries a CSP allowing only the site’s own scripts and styles, no framing, Referrer-Policy and nosniff', async () => {
    for (const path of ['/', '/01-x/app.ts', '/nope', '/01-x', '/.env']) {
      const res = await get(path);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).toMatch(/(?:^|; )script-src 'self' 'wasm-unsafe-eval'(?:;|$)/);
      expect(csp, path).toMatch(/(?:^|; )style-src 'self'(?:;|$)/);
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
    // typedoc's own theme script by hash, and its filters' inline style, on the API pages only.
    const api = String((await get('/api/')).headers['content-security-policy']);
    expect(api).toContain(`script-src 'self' 'wasm-unsafe-eval' ${TYPEDOC_SCRIPT_HASHES.join(' ')};`);
    expect(api).toContain("style-src 'self' 'unsafe-inline';");
    expect(api).toContain("frame-ancestors 'none'");
  });
});

describe('the URL mapping npm start and npm run dev share', () => {
  test('a URL path names a site file relative to the site; .., dotfiles, NULs and bad escapes name none', () => {
    expect(sitePathOf('/')).toBe('');
    expect(sitePathOf('/01-x/')).toBe('01-x');
    expect(sitePathOf('/assets/site.css')).toBe('assets/site.css');
    expect(sitePathOf('/a//b/./c%20d.txt')).toBe('a/b/c d.txt');
    for (const path of [
      '/%2e%2e/etc/passwd',
      '/01-x/..%2f..%2fetc',
      '/..',
      '/.env',
      '/a/.git/config',
      '/a/%00',
      '/%E0%A4%A',
    ]) {
      expect(sitePathOf(path), path).toBeUndefined();
    }
  });
});

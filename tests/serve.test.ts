import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSiteServer } from '../src/serve.ts';

const dir = mkdtempSync(join(tmpdir(), 'serve-'));
const server = createSiteServer(dir);
let base = '';

beforeAll(async () => {
  mkdirSync(join(dir, '01-x'));
  writeFileSync(join(dir, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(dir, '404.html'), '<h1>Not found</h1>');
  writeFileSync(join(dir, '01-x/index.html'), '<h1>one</h1>');
  writeFileSync(join(dir, '01-x/app.ts'), 'export {};\n');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the static server', () => {
  test('serves index.html for folders, with the right content types', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toBe('<h1>home</h1>');
    const ts = await fetch(`${base}/01-x/app.ts`);
    expect(ts.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  test('redirects a folder without its slash, so relative links work', async () => {
    const res = await fetch(`${base}/01-x`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/01-x/');
  });

  test('answers 404 with the site 404 page, and never serves outside the site', async () => {
    const missing = await fetch(`${base}/nope/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('<h1>Not found</h1>');
    const escape = await fetch(`${base}/..%2f..%2fetc%2fpasswd`);
    expect(escape.status).toBe(404);
  });
});

/**
 * A static file server for the built site (node:http): correct content types, directory
 * index.html, the site's 404 page, nothing outside the site folder.
 * @module
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** Content types by extension; `.ts` files are served as text so browsers show them. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** The file a URL path maps to inside `dir`, or undefined when there is none (or it would escape `dir`). */
export function resolvePath(dir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]?.split('#')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const target = normalize(join(dir, decoded));
  if (target !== dir && !target.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
  if (!existsSync(target)) return undefined;
  const stat = statSync(target);
  if (stat.isDirectory()) {
    const index = join(target, 'index.html');
    return existsSync(index) ? index : undefined;
  }
  return stat.isFile() ? target : undefined;
}

/** A server for the site in `dir`. Directory URLs without a trailing slash are redirected. */
export function createSiteServer(dir: string): Server {
  const root = normalize(dir);
  return createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolvePath(root, url);
    const path = url.split('?')[0] ?? '/';
    if (file && file.endsWith(`${sep}index.html`) && !path.endsWith('/') && !path.endsWith('.html')) {
      res.writeHead(301, { location: `${path}/` }).end();
      return;
    }
    const status = file ? 200 : 404;
    const served = file ?? join(root, '404.html');
    if (!existsSync(served)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    res.writeHead(status, {
      'content-type': CONTENT_TYPES[extname(served)] ?? 'application/octet-stream',
      'content-length': statSync(served).size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(served).pipe(res);
  });
}

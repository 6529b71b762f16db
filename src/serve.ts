/**
 * The preview server of the built site (`npm start`): `serve-static` (which sends files with `send`:
 * ETag and Last-Modified with 304s, Range requests, no dotfiles) with `finalhandler` for its errors,
 * behind a check of each path of our own:
 *
 * - a path that leaves the site, by `..` or through a symlink inside the site that leads outside
 *   it, or names a dotfile, is answered with the site's 404 page;
 * - a folder asked for without its slash is redirected to a relative `./name/`, which a browser can
 *   only resolve on this origin (never `//other.host/…`);
 * - every response carries a Content-Security-Policy that allows only the site's own scripts,
 *   styles, images and fetches, and no framing, plus `Referrer-Policy` and `nosniff`.
 *
 * It listens on 127.0.0.1 unless `HOST` says otherwise.
 * @module
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { extname, join, sep } from 'node:path';
import serveStatic from 'serve-static';
import { contentSecurityPolicy } from './csp.ts';

// finalhandler ships no types (and @types/finalhandler is not installed): the one call we make.
const finalhandler = createRequire(import.meta.url)('finalhandler') as (
  req: IncomingMessage,
  res: ServerResponse,
  options?: { env?: string; onerror?: (err: unknown) => void },
) => (err?: unknown) => void;

/** Content types by extension; `.ts` files are served as text so browsers show them. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** The content type of a site file, by its extension (`application/octet-stream` when unknown). */
export function contentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export { contentSecurityPolicy, TYPEDOC_SCRIPT_HASHES } from './csp.ts';

/** The headers every response of the preview server carries. */
export function securityHeaders(pathname: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(pathname.startsWith('/api/')),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Where a URL path leads in the site. */
export type SiteTarget =
  | { kind: 'file'; path: string }
  /** A folder with an index.html, asked for without its slash: redirect to `location`. */
  | { kind: 'redirect'; location: string }
  | { kind: 'missing' };

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of `path` when it is a file inside `realRoot` (symlinks resolved), else undefined. */
function realFileInside(realRoot: string, path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return inside(realRoot, real) && statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** A path segment safe to put in a Location header as it came (percent-escapes kept). */
function encodeSegment(segment: string): string {
  return segment.replace(/[^\w\-.~%!$&'()*+,;=:@]/g, (c) => encodeURIComponent(c));
}

/**
 * The site file a URL path names, relative to the site's folder with `/` separators (`` for the
 * site's root), before any look at the disk; undefined when the path does not decode, has a NUL,
 * steps out with `..` or names a dotfile or dot-folder. Both servers map URLs with it: `npm start`
 * on the disk ({@link resolveSitePath}), `npm run dev` in memory.
 * @param pathname the URL path, still percent-encoded, without the query
 */
export function sitePathOf(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  // `..` anywhere (browsers resolve real ones before asking; what is left came encoded, as in
  // `/x/..%2fy`), and dotfiles or dot-folders anywhere on the path.
  const parts = decoded.split(/[\\/]+/);
  if (parts.includes('..') || parts.some((p) => p.length > 1 && p.startsWith('.'))) return undefined;
  return decoded
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** The redirect of a folder asked for without its slash: relative, so it stays on this origin whatever the path looked like. */
export function folderRedirect(pathname: string, search = ''): string {
  return `./${encodeSegment(pathname.slice(pathname.lastIndexOf('/') + 1))}/${search}`;
}

/**
 * Where the URL path `pathname` (still percent-encoded, without the query) leads inside the site in
 * `dir`: a file, a redirect for a folder without its slash, or nothing. Nothing when
 * {@link sitePathOf} refuses it, or it resolves (through symlinks, `dir` itself included) to
 * anything outside the real `dir`.
 * @param search the query, `?…` or ``, kept by a redirect
 */
export function resolveSitePath(dir: string, pathname: string, search = ''): SiteTarget {
  const path = sitePathOf(pathname);
  if (path === undefined) return { kind: 'missing' };
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(dir);
    real = realpathSync(join(dir, path));
  } catch {
    return { kind: 'missing' };
  }
  if (!inside(realRoot, real)) return { kind: 'missing' };
  let isDirectory: boolean;
  try {
    isDirectory = statSync(real).isDirectory();
  } catch {
    return { kind: 'missing' };
  }
  if (!isDirectory) return pathname.endsWith('/') ? { kind: 'missing' } : { kind: 'file', path: real };
  const index = realFileInside(realRoot, join(real, 'index.html'));
  if (!index) return { kind: 'missing' };
  if (pathname.endsWith('/')) return { kind: 'file', path: index };
  return { kind: 'redirect', location: folderRedirect(pathname, search) };
}

/** The request target split as `send` reads it: the path up to `?` or `#`, and the query. */
export function splitTarget(url: string): { pathname: string; search: string } {
  const end = url.search(/[?#]/);
  const pathname = end === -1 ? url : url.slice(0, end);
  const query = end !== -1 && url[end] === '?' ? (url.slice(end).split('#')[0] ?? '') : '';
  return { pathname, search: query };
}

/**
 * A server for the built site in `dir` (not yet listening). `dir` may be a symlink (it is resolved
 * on each request, so a build that swaps it is served at once); symlinks inside it are followed
 * only while they stay inside it.
 */
export function createSiteServer(dir: string): Server {
  const files = serveStatic(dir, {
    index: ['index.html'],
    // Folders without their slash are redirected by resolveSitePath, to a relative URL.
    redirect: false,
    dotfiles: 'ignore',
    fallthrough: true,
    // The preview is of a site being rebuilt: always revalidate (a 304 when unchanged).
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('Content-Type', contentType(path));
      res.setHeader('Cache-Control', 'no-cache');
    },
  });

  function notFound(req: IncomingMessage, res: ServerResponse): void {
    const page = resolveSitePath(dir, '/404.html');
    const body = page.kind === 'file' ? readFileSync(page.path) : Buffer.from('Not found\n');
    res.writeHead(404, {
      'Content-Type': contentType(page.kind === 'file' ? page.path : 'not-found.txt'),
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return createServer((req, res) => {
    const url = req.url ?? '/';
    const { pathname, search } = splitTarget(url.startsWith('/') ? url : '/');
    for (const [name, value] of Object.entries(securityHeaders(pathname))) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return;
    }
    // Only origin-form targets (`/path`): an absolute-form one (`http://host/path`) would make a
    // redirect absolute too.
    if (!url.startsWith('/')) {
      res.writeHead(400, { 'Content-Length': 0 }).end();
      return;
    }
    const target = resolveSitePath(dir, pathname, search);
    if (target.kind === 'missing') return notFound(req, res);
    if (target.kind === 'redirect') {
      res.writeHead(301, { Location: target.location, 'Content-Length': 0 }).end();
      return;
    }
    // send reads the same path we checked (without the fragment, which only a raw client sends).
    req.url = pathname + search;
    const done = finalhandler(req, res, { env: 'production', onerror: () => {} });
    files(req, res, (err) => (err ? done(err) : notFound(req, res)));
  });
}

/** Where `npm start` listens: `HOST` (default 127.0.0.1, this machine only) and `PORT` (default 4173). */
export function listenAddress(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = env.PORT === undefined || env.PORT.trim() === '' ? 4173 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number from 0 to 65535, not "${env.PORT}"`);
  return { host, port };
}

/** Serves the site in `dir` at {@link listenAddress}; resolves once it listens, with its URL. */
export async function startSiteServer(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ server: Server; url: string }> {
  const { host, port } = listenAddress(env);
  const server = createSiteServer(dir);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shown}:${address.port}/` };
}

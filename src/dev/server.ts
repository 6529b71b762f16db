/**
 * The dev server's HTTP side: the site from memory, with the event stream that tells open pages to
 * reload. Files are mapped and typed as `npm start` maps and types them (serve.ts: the same URL
 * mapping, content types and security headers, Content-Security-Policy included); what dev adds
 * is served as files of its own under `/__dev/`, so the site's policy (`script-src 'self'`, in
 * the header and in each page's `<meta>`) allows them as it is:
 *
 * - `/__dev/reload.js`, loaded by every HTML page: it listens on `/__dev/events` and reloads the
 *   page when the server says it changed;
 * - `/__dev/dev.css`, the style of the banner a page shows when the last render failed.
 *
 * Neither exists in `npm run build`'s site.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escText } from '../render/index.ts';
import { contentType, folderRedirect, resolveSitePath, securityHeaders, sitePathOf, splitTarget } from '../serve.ts';
import type { SiteFile } from '../types.ts';

/** What the server tells open pages (and the benchmark) after each piece of work. */
export interface ReloadEvent {
  generation: number;
  /** Site paths that changed, or `*`. */
  pages: string[];
  /** What caused it, e.g. `chapters/01-cookies-and-sessions/app.ts`. */
  cause: string[];
  /** Milliseconds: first change seen → pages ready to serve; and the spec and render parts of it. */
  ms: { total: number; specs: number; render: number };
  /** Chapters whose specs ran, with their tallies. */
  ran: Array<{ id: string; passed: number; failed: number; skipped: number }>;
}

export const EVENTS_PATH = '/__dev/events';
export const RELOAD_PATH = '/__dev/reload.js';
export const DEV_CSS_PATH = '/__dev/dev.css';

/** The reload script, served at {@link RELOAD_PATH}: reload when the server says this page changed. */
export const RELOAD_JS = `(function(){var s=new EventSource('${EVENTS_PATH}');s.addEventListener('reload',function(e){var d=JSON.parse(e.data),p=location.pathname;if(d.pages.indexOf('*')>=0||d.pages.some(function(x){return p==='/'+x||p==='/'+x.replace(/index\\.html$/,'')}))location.reload()});})();\n`;

/** The error banner's style, served at {@link DEV_CSS_PATH}. */
export const DEV_CSS =
  '.dev-error{position:sticky;top:0;z-index:9;margin:0;padding:.6em;background:#b00020;color:#fff;white-space:pre-wrap}\n';

/** Adds the reload script (and an error banner, if any) to a page, just before `</body>`. */
export function injectDev(html: string, error?: string): string {
  const banner = error
    ? `<link rel="stylesheet" href="${DEV_CSS_PATH}"><pre class="dev-error">dev: ${escText(error)}</pre>`
    : '';
  const at = html.lastIndexOf('</body>');
  const add = `${banner}<script src="${RELOAD_PATH}"></script>`;
  return at === -1 ? html + add : `${html.slice(0, at)}${add}${html.slice(at)}`;
}

/**
 * Whether a request's `Host` names this machine by a loopback name: `localhost`, `127.0.0.1` or
 * `[::1]`, with any port. Anything else (a DNS name that a rebinding attack pointed at 127.0.0.1, an
 * IP of the machine) is refused: the pages and the event stream are for the author's own browser.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i.test(host);
}

/**
 * Answers the requests the dev server refuses, before it looks at the path: a `Host` that is not a
 * loopback name (403, against DNS rebinding), and any method but GET on the event stream (405).
 * Returns true when it answered.
 */
export function refuseDevRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isLoopbackHost(req.headers.host)) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      'npm run dev answers only http://localhost, http://127.0.0.1 and http://[::1] (this Host is not one of them)\n',
    );
    return true;
  }
  if ((req.url ?? '/').split('?')[0] === EVENTS_PATH && req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-length': 0 }).end();
    return true;
  }
  return false;
}

/**
 * A file of the last full build in `siteDir` (`pagefind/…` or `api/…`, which dev does not make),
 * mapped as the preview server maps it: no dotfiles, nothing outside `siteDir`, symlinks included.
 */
export function builtFile(siteDir: string, path: string): Buffer | undefined {
  if (!path.startsWith('pagefind/') && !path.startsWith('api/')) return undefined;
  const target = resolveSitePath(siteDir, `/${path.split('/').map(encodeURIComponent).join('/')}`);
  return target.kind === 'file' ? readFileSync(target.path) : undefined;
}

/** The site in memory, served over HTTP on 127.0.0.1, with its event stream. */
export class DevSite {
  /** The rendered site: path → content. */
  private readonly files = new Map<string, string | Uint8Array>();
  private readonly clients = new Set<ServerResponse>();
  private readonly server: Server;
  /** The last render's error, shown on every page until a render succeeds. */
  error: string | undefined;
  /** How many pieces of work have been published. */
  generation = 0;

  /** @param siteDir the last full build, for its search index and API docs */
  constructor(private readonly siteDir: string) {
    this.server = createServer((req, res) => this.answer(req, res));
  }

  /** Puts rendered files in place; `whole` first forgets every file (a whole-site render). */
  update(files: SiteFile[], whole: boolean): void {
    if (whole) this.files.clear();
    for (const f of files) this.files.set(f.path, f.content);
  }

  /** Tells every open page (and anyone else listening) what changed. */
  publish(event: ReloadEvent): void {
    this.generation = event.generation;
    const data = `event: reload\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) client.write(data);
  }

  /** Starts listening on 127.0.0.1; resolves with the site's URL. */
  async listen(port: number): Promise<string> {
    await new Promise<void>((ok, fail) => {
      this.server.once('error', fail);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', fail);
        ok();
      });
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }

  /** The body of the site file at `path`: rendered, or (search index, API docs) from the last build. */
  private body(path: string): string | Uint8Array | undefined {
    return this.files.get(path) ?? builtFile(this.siteDir, path);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const { pathname, search } = splitTarget(url.startsWith('/') ? url : '/');
    for (const [name, value] of Object.entries(securityHeaders(pathname))) res.setHeader(name, value);
    if (refuseDevRequest(req, res)) return;
    if (pathname === EVENTS_PATH) {
      this.stream(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
      return;
    }
    // Only origin-form targets (`/path`), as npm start.
    if (!url.startsWith('/')) {
      res.writeHead(400, { 'content-length': 0 }).end();
      return;
    }
    const own = pathname === RELOAD_PATH ? RELOAD_JS : pathname === DEV_CSS_PATH ? DEV_CSS : undefined;
    if (own !== undefined) {
      this.send(req, res, 200, pathname, own);
      return;
    }
    const rel = sitePathOf(pathname);
    const folder = rel === '' || pathname.endsWith('/');
    const path = rel === undefined ? undefined : folder ? (rel === '' ? 'index.html' : `${rel}/index.html`) : rel;
    const body = path === undefined ? undefined : this.body(path);
    if (body !== undefined && path !== undefined) {
      this.send(req, res, 200, path, body);
      return;
    }
    if (rel !== undefined && !folder && this.body(`${rel}/index.html`) !== undefined) {
      res.writeHead(301, { location: folderRedirect(pathname, search), 'content-length': 0 }).end();
      return;
    }
    this.send(req, res, 404, '404.html', this.files.get('404.html') ?? 'Not found');
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    path: string,
    body: string | Uint8Array,
  ): void {
    const type = contentType(path);
    const out = type.startsWith('text/html') ? injectDev(String(body), this.error) : body;
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-dev-generation': String(this.generation),
    });
    res.end(req.method === 'HEAD' ? undefined : out);
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 500\nevent: hello\ndata: ${JSON.stringify({ generation: this.generation })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }
}

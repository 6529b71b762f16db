/**
 * Real servers and raw requests, for the claims supertest cannot make: when a response's headers
 * arrive (while a store holds a write), a request from a chosen loopback source address, a peer on
 * a Unix socket, or a page a browser opens.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type RequestOptions,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A whole answer to {@link sendRaw}: status, headers and the body as UTF-8 text. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request with Node's own HTTP client and reads the whole answer.
 * @param target a URL, or request options (e.g. `host`, `port` and `localAddress`, or `socketPath`), with `path`
 * @param onHeaders called as soon as the response's status and headers arrive, before its body
 */
export function sendRaw(
  target: string | RequestOptions,
  method: string,
  headers: Record<string, string> = {},
  onHeaders?: () => void,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const handle = (res: IncomingMessage): void => {
      onHeaders?.();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    };
    const req =
      typeof target === 'string'
        ? httpRequest(target, { method, headers }, handle)
        : httpRequest({ ...target, method, headers }, handle);
    req.on('error', reject);
    req.end();
  });
}

/** A server listening on a free port of a loopback address. */
export interface LoopbackServer {
  server: Server;
  port: number;
  /** `http://host:port`, to prefix a path with. */
  origin: string;
  /** Ends every connection still open (a held request, a keep-alive one), then closes the server. */
  close(): Promise<void>;
}

/** Serves `listener` on a free port of `host` (127.0.0.1 unless told, e.g. `localhost` for a second site). */
export async function listenOnLoopback(listener: RequestListener, host = '127.0.0.1'): Promise<LoopbackServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The servers a spec file starts for its whole run (e.g. for a browser to open), closed together:
 * call `closeAll()` in the file's `afterAll`.
 */
export class LoopbackServers {
  private readonly started: LoopbackServer[] = [];

  /** Serves `listener` like {@link listenOnLoopback} and remembers the server for `closeAll()`. */
  async start(listener: RequestListener, host?: string): Promise<LoopbackServer> {
    const started = await listenOnLoopback(listener, host);
    this.started.push(started);
    return started;
  }

  /** Closes every server started so far. */
  async closeAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((started) => started.close()));
  }
}

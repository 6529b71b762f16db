/**
 * A client that keeps its cookies in a real tough-cookie jar, the way a browser does: every
 * `Set-Cookie` of every response goes into the jar (expired ones remove what they match) and every
 * request carries what the jar would send. Used by the security chapters (09, 10) to play a victim,
 * an attacker or a user logging out, and to show what a jar holds afterwards.
 */
import request from 'supertest';
import { type Cookie as JarCookie, CookieJar } from 'tough-cookie';
import { setCookieLines } from './cookies.ts';

export type { JarCookie };

/** Whatever supertest can talk to: an app (request listener), a server or a base URL. */
export type App = Parameters<typeof request>[0];

export class JarClient {
  /** The jar itself, for specs that want to look inside. */
  readonly jar = new CookieJar();

  /**
   * @param app the app to talk to (requests go over loopback HTTP through supertest)
   * @param origin the origin the jar files cookies under; only a label for the jar, never dialled
   */
  constructor(
    private readonly app: App,
    readonly origin = 'http://127.0.0.1',
  ) {}

  private url(path: string): string {
    return new URL(path, this.origin).href;
  }

  /** Sends one request with the jar's cookies and files the response's cookies in the jar. */
  async send(method: 'GET' | 'POST', path: string): Promise<request.Response> {
    const url = this.url(path);
    const cookie = await this.jar.getCookieString(url);
    const req = method === 'GET' ? request(this.app).get(path) : request(this.app).post(path);
    if (cookie) req.set('Cookie', cookie);
    const res = await req;
    for (const line of setCookieLines(res)) await this.jar.setCookie(line, url);
    return res;
  }

  get(path: string): Promise<request.Response> {
    return this.send('GET', path);
  }

  post(path: string): Promise<request.Response> {
    return this.send('POST', path);
  }

  /** Puts a cookie in the jar as if a response had set it (what an attacker plants). */
  async plant(setCookie: string, path = '/'): Promise<void> {
    await this.jar.setCookie(setCookie, this.url(path));
  }

  /** The cookies the jar would send to `path`. */
  cookies(path = '/'): Promise<JarCookie[]> {
    return this.jar.getCookies(this.url(path));
  }

  /** Every unexpired cookie the jar holds, for every domain and path (expired ones are gone for a browser). */
  async all(): Promise<JarCookie[]> {
    const cookies = await this.jar.store.getAllCookies();
    return cookies.filter((cookie) => cookie.TTL() > 0);
  }
}

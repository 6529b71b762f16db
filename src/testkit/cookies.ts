/**
 * Helpers for specs: read `Set-Cookie` headers with set-cookie-parser, so that every attribute
 * is checked as a browser would read it rather than by matching strings.
 */
import { parseSetCookie, type Cookie } from 'set-cookie-parser';

export type { Cookie };

/** Anything with response headers: a supertest response, a fetch Response, an IncomingMessage. */
export interface HasHeaders {
  headers: Record<string, unknown>;
}

/** The raw `Set-Cookie` header lines of a response (an empty array when there are none). */
export function setCookieLines(res: HasHeaders): string[] {
  const value = res.headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Every cookie a response sets, parsed, values left URL-encoded exactly as sent. */
export function setCookies(res: HasHeaders): Cookie[] {
  return parseSetCookie(setCookieLines(res), { decodeValues: false });
}

/** The one cookie named `name` that a response sets, or `undefined` when it sets none. */
export function cookieNamed(res: HasHeaders, name: string): Cookie | undefined {
  const found = setCookies(res).filter((cookie) => cookie.name === name);
  if (found.length > 1) throw new Error(`response sets ${found.length} cookies named ${name}`);
  return found[0];
}

/** Like {@link cookieNamed}, but fails the test when the response does not set it. */
export function requireCookie(res: HasHeaders, name: string): Cookie {
  const cookie = cookieNamed(res, name);
  if (!cookie) throw new Error(`expected a Set-Cookie for ${name}, got: ${JSON.stringify(setCookieLines(res))}`);
  return cookie;
}

/** The `name=value` pair to send back in a `Cookie` header, as a browser would. */
export function cookiePair(cookie: Cookie): string {
  return `${cookie.name}=${cookie.value}`;
}

/**
 * Splits an express-session cookie value (`s%3A<id>.<signature>`, URL-encoded as sent) into the
 * session ID and its HMAC signature. Throws when the value is not a signed session cookie.
 */
export function signedSessionId(value: string): { id: string; signature: string } {
  const decoded = decodeURIComponent(value);
  const match = /^s:([^.]+)\.([A-Za-z0-9+/]+)$/.exec(decoded);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new Error(`not a signed session cookie value: ${value}`);
  }
  return { id: match[1], signature: match[2] };
}

/**
 * One HTTP request and its response, as captured on the server while a spec ran.
 * These are the raw values; the render stage masks session IDs and dates.
 */
export interface Exchange {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Path and query string as the server received them. */
  path: string;
  /** The `Cookie` request header, if one was sent. */
  cookie?: string;
  /** Other request headers worth showing (X-Forwarded-*, Origin, Sec-Fetch-Site). */
  headers?: Record<string, string>;
  /** Response status code. */
  status: number;
  /** Every `Set-Cookie` header of the response, in order. */
  setCookie: string[];
  /** The `Location` response header, for redirects. */
  location?: string;
  /** The first characters of the response body (see {@link BODY_LIMIT}). */
  body: string;
}

/** How many characters of a response body a transcript keeps. */
export const BODY_LIMIT = 300;

declare module 'vitest' {
  interface TaskMeta {
    /** The HTTP exchanges this test made, in order. */
    exchanges?: Exchange[];
  }
}

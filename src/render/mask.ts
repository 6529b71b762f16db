/**
 * Masks what changes from run to run in an HTTP transcript (session IDs, signatures, random
 * tokens, dates, timestamps), so a page is byte-for-byte the same after every build.
 * Values are numbered consistently within one test: the same session ID is always `<session-id-1>`.
 * @module
 */
import type { Exchange } from '../types.ts';

/** A signed cookie value, `s:<value>.<signature>`, raw or URL-encoded. */
const SIGNED = /\bs(%3A|:)([A-Za-z0-9_-]+)\.([A-Za-z0-9+/_-]+(?:%2B|%2F|%3D|[A-Za-z0-9+/_=-])*)/g;
/** An HTTP date, except the epoch (which a cleared cookie uses, and which never changes). */
const HTTP_DATE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT/g;
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\b/g;
/** What every ISO date has (the `T` between date and time). */
const ISO_HINT = /\dT\d/;
/** Milliseconds since the epoch, 2017 to 2286. */
const TIMESTAMP = /\b1[5-9]\d{11}\b/g;
/** A run of characters that looks random: long, with a digit and a letter. */
const TOKEN = /[A-Za-z0-9_-]{22,}/g;

/** Does this look like a random ID rather than a word? */
function looksRandom(text: string): boolean {
  if (!/\d/.test(text) || !/[A-Za-z]/.test(text)) return false;
  if (/^(?:[a-z]+-)+[a-z0-9]+$/.test(text)) return false; // dashed words like chapter-01-secret-value
  return true;
}

/** Keeps the numbering of one test's masked values. */
export class Masker {
  private readonly ids = new Map<string, string>();
  private readonly tokens = new Map<string, string>();

  private idFor(raw: string): string {
    let name = this.ids.get(raw);
    if (!name) {
      name = `<session-id-${this.ids.size + 1}>`;
      this.ids.set(raw, name);
    }
    return name;
  }

  private tokenFor(raw: string): string {
    const id = this.ids.get(raw);
    if (id) return id;
    let name = this.tokens.get(raw);
    if (!name) {
      name = `<random-${this.tokens.size + 1}>`;
      this.tokens.set(raw, name);
    }
    return name;
  }

  /** Masks one header value or body. */
  text(value: string): string {
    let out = value;
    // Each pattern runs only where its fixed part is (a plain search is much cheaper than the pattern's).
    if (out.includes('s:') || out.includes('s%3A')) {
      out = out.replace(SIGNED, (_whole, sep: string, id: string) => {
        // A signed short value (`s:dark.<sig>`) keeps its value: only random IDs are masked.
        const shown = id.length >= 20 || looksRandom(id) ? this.idFor(id) : id;
        return `s${sep}${shown}.<sig>`;
      });
    }
    if (out.includes(' GMT')) out = out.replace(HTTP_DATE, (date) => (date === EPOCH ? date : '<date>'));
    if (ISO_HINT.test(out)) out = out.replace(ISO_DATE, '<date>');
    out = out.replace(TIMESTAMP, '<timestamp>');
    out = out.replace(TOKEN, (token) => (looksRandom(token) ? this.tokenFor(token) : token));
    return out;
  }
}

/** The exchanges of one test, masked, numbered from 1 within the test. */
export function maskExchanges(exchanges: readonly Exchange[]): Exchange[] {
  const masker = new Masker();
  // Mask in the order a reader reads: request first, then response, so numbers go up down the page.
  return exchanges.map((exchange) => {
    const path = masker.text(exchange.path);
    const cookie = exchange.cookie === undefined ? undefined : masker.text(exchange.cookie);
    const headers = exchange.headers
      ? Object.fromEntries(Object.entries(exchange.headers).map(([k, v]) => [k, masker.text(v)]))
      : undefined;
    const setCookie = exchange.setCookie.map((line) => masker.text(line));
    const location = exchange.location === undefined ? undefined : masker.text(exchange.location);
    const masked: Exchange = {
      method: exchange.method,
      path,
      status: exchange.status,
      setCookie,
      body: masker.text(exchange.body),
    };
    if (cookie !== undefined) masked.cookie = cookie;
    if (headers) masked.headers = headers;
    if (location !== undefined) masked.location = location;
    return masked;
  });
}

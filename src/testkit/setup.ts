/**
 * Vitest setup file: records every HTTP exchange that a test's servers handle and attaches them
 * to the test's metadata (`task.meta.exchanges`), from where the JSON reporter carries them to the
 * build. It observes Node's `http.server.*` diagnostics channels; nothing is mocked, and requests
 * are served exactly as they would be without it.
 */
import dc from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach } from 'vitest';
import { BODY_LIMIT, type Exchange } from './exchange.ts';

interface Recorder {
  current: Exchange[] | null;
}

const KEY = Symbol.for('sessions-and-cookies-verified.recorder');
const holder = globalThis as typeof globalThis & { [KEY]?: Recorder };

/** Headers other than Cookie that a transcript shows when a request carries them. */
const SHOWN_HEADERS = ['x-forwarded-proto', 'x-forwarded-for', 'origin', 'sec-fetch-site'];

function chunkText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return '';
}

function install(): Recorder {
  const recorder: Recorder = { current: null };
  dc.subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const list = recorder.current;
    if (!list) return;
    let body = '';
    const take = (chunk: unknown, encoding: unknown): void => {
      if (body.length < BODY_LIMIT + 1) body += chunkText(chunk, encoding);
    };
    const write = response.write;
    const end = response.end;
    response.write = function (this: ServerResponse, ...args: unknown[]) {
      take(args[0], args[1]);
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof response.write;
    response.end = function (this: ServerResponse, ...args: unknown[]) {
      if (typeof args[0] !== 'function') take(args[0], args[1]);
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof response.end;
    response.once('finish', () => {
      const headers: Record<string, string> = {};
      for (const name of SHOWN_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const setCookie = response.getHeader('set-cookie');
      const location = response.getHeader('location');
      const exchange: Exchange = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        status: response.statusCode,
        setCookie: Array.isArray(setCookie)
          ? setCookie.map(String)
          : setCookie === undefined
            ? []
            : [String(setCookie)],
        body: body.length > BODY_LIMIT ? `${body.slice(0, BODY_LIMIT)}…` : body,
      };
      if (request.headers.cookie !== undefined) exchange.cookie = request.headers.cookie;
      if (Object.keys(headers).length > 0) exchange.headers = headers;
      if (location !== undefined) exchange.location = String(location);
      list.push(exchange);
    });
  });
  return recorder;
}

// Without per-file isolation this file runs once per spec file but must subscribe only once.
holder[KEY] ??= install();
const recorder = holder[KEY];

beforeEach(() => {
  recorder.current = [];
});

afterEach((context) => {
  if (recorder.current && recorder.current.length > 0) context.task.meta.exchanges = recorder.current;
  recorder.current = null;
});

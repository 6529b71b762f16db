/**
 * Headless Chromium for specs that only a real browser can settle (HttpOnly, SameSite, the jar).
 * Uses Debian's chromium through playwright-core; no browser is ever downloaded.
 *
 * One Chromium per test process (per vitest worker thread): starting it costs about a second of
 * CPU, and five spec files need it. Each {@link launchBrowser} call gets its own handle on the
 * shared browser: what a spec opens through it (contexts, pages) is its own, and its `close()`
 * closes exactly those, never the browser or another spec's contexts. Browser contexts share no
 * cookies, storage or cache, so a spec sees a browser as fresh as a newly launched one.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Where Debian installs chromium; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this workplace's closed network needs (no background connections, no sandbox as root). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches a headless Chromium of its own, failing with a clear message when it is not installed. */
export async function launchOwnBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

// Kept on globalThis: without per-file isolation every spec file of a worker shares it, even if a
// module runner evaluates this file again.
const KEY = Symbol.for('sessions-and-cookies-verified.shared-browser');
const holder = globalThis as typeof globalThis & { [KEY]?: Promise<Browser> };

/**
 * The worker's shared browser, launched on first use and again if it was closed or crashed. The
 * process exits with it: Chromium talks to playwright over a pipe and ends when the pipe closes.
 */
export function sharedBrowser(): Promise<Browser> {
  const current = holder[KEY];
  if (current) return current.then((browser) => (browser.isConnected() ? browser : relaunch()));
  return relaunch();
}

function relaunch(): Promise<Browser> {
  const launching = launchOwnBrowser();
  holder[KEY] = launching;
  launching.then(
    (browser) => browser.on('disconnected', () => holder[KEY] === launching && delete holder[KEY]),
    () => holder[KEY] === launching && delete holder[KEY], // a failed launch is tried again next time
  );
  return launching;
}

/**
 * A handle on `browser` that owns what is opened through it: `newContext()` and `newPage()` (whose
 * page has a context of its own) are recorded, `contexts()` lists only those, and `close()` closes
 * them and leaves the browser running for the next spec.
 */
export function browserHandle(browser: Browser): Browser {
  const mine = new Set<BrowserContext>();
  const own = (context: BrowserContext): BrowserContext => {
    mine.add(context);
    context.once('close', () => mine.delete(context));
    return context;
  };
  let closed = false;
  const handle: Partial<Browser> = {
    newContext: async (...args: Parameters<Browser['newContext']>) => {
      if (closed) throw new Error('browserHandle: newContext() after close()');
      return own(await browser.newContext(...args));
    },
    newPage: async (...args: Parameters<Browser['newPage']>) => {
      if (closed) throw new Error('browserHandle: newPage() after close()');
      const page = await browser.newPage(...args);
      own(page.context());
      return page;
    },
    contexts: () => [...mine],
    close: async () => {
      closed = true;
      await Promise.all([...mine].map((context) => context.close().catch(() => undefined)));
      mine.clear();
    },
  };
  return new Proxy(browser, {
    get(target, property, receiver) {
      if (Object.hasOwn(handle, property)) return handle[property as keyof Browser];
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Headless Chromium for one spec file: a {@link browserHandle} on the worker's shared browser,
 * failing with a clear message when Chromium is not installed. Close it in `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  return browserHandle(await sharedBrowser());
}

/**
 * The testkit's shared Chromium: spec files of one worker get handles on one browser process, each
 * handle owns the contexts opened through it, and closing a handle never closes another's.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { browserHandle, launchBrowser, sharedBrowser } from '../src/testkit/browser.ts';

const opened: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const b of opened) await b.close();
});

describe('launchBrowser: one Chromium per worker, a handle per spec', () => {
  test('two handles share one browser process; each lists and closes only its own contexts, and the browser stays up', async () => {
    const a = await launchBrowser();
    const b = await launchBrowser();
    opened.push(a, b);
    expect(a.isConnected()).toBe(true);
    expect(a.version()).toBe(b.version());
    expect(a).not.toBe(b);
    const shared = await sharedBrowser();
    const ofA = await a.newContext();
    const page = await a.newPage(); // a page with a context of its own
    const ofB = await b.newContext();
    expect(a.contexts()).toEqual([ofA, page.context()]);
    expect(b.contexts()).toEqual([ofB]);
    expect(shared.contexts()).toEqual(expect.arrayContaining([ofA, page.context(), ofB]));
    // Contexts are as separate as two browsers: a cookie set in one is not seen in the other.
    await ofA.addCookies([{ name: 'only', value: 'a', url: 'http://127.0.0.1/' }]);
    expect(await ofB.cookies()).toEqual([]);
    await a.close();
    expect(page.isClosed()).toBe(true);
    expect(a.contexts()).toEqual([]);
    expect(shared.isConnected()).toBe(true);
    expect(shared.contexts()).toEqual([ofB]);
    // b's context still works after a's close.
    const other = await ofB.newPage();
    expect(await other.evaluate(() => 1 + 1)).toBe(2);
    await expect(a.newContext()).rejects.toThrow('after close()');
    await b.close();
    expect(shared.contexts()).toEqual([]);
    // The next spec gets the same process.
    const c = await launchBrowser();
    opened.push(c);
    expect(await sharedBrowser()).toBe(shared);
  }, 120_000);

  test('a browser that went away is launched again for the next spec', async () => {
    const first = await sharedBrowser();
    await first.close(); // as if it crashed
    const handle = await launchBrowser();
    opened.push(handle);
    expect(handle.isConnected()).toBe(true);
    const second = await sharedBrowser();
    expect(second).not.toBe(first);
    const context = await handle.newContext();
    expect(second.contexts()).toContain(context);
  }, 120_000);

  test('a handle passes everything else through to the browser', async () => {
    const shared = await sharedBrowser();
    const handle = browserHandle(shared);
    expect(handle.version()).toBe(shared.version());
    expect(handle.browserType().name()).toBe('chromium');
    await handle.close();
    expect(shared.isConnected()).toBe(true);
  }, 120_000);
});

import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contentSecurityPolicy } from '../csp.ts';
import { launchBrowser } from '../testkit/browser.ts';
import { DevSite, EVENTS_PATH } from './server.ts';

// A page as the render makes them: the site's policy in a <meta> too (script-src 'self').
const page = (text: string) =>
  `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(false, 'meta')}"><title>t</title><link rel="icon" href="data:,"></head><body><p id="text">${text}</p></body></html>`;

describe("npm run dev in a browser, under the site's Content-Security-Policy", () => {
  const site = new DevSite(join(tmpdir(), 'no-build-here'));
  let base = '';

  beforeAll(async () => {
    site.update([{ path: 'index.html', content: page('first') }], true);
    base = await site.listen(0);
  });
  afterAll(() => site.close());

  test('the reload script runs (no CSP violation) and reloads the page when the server says it changed', async () => {
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      tab.on('pageerror', (e) => problems.push(e.message));
      // The event stream answers once the script has run: wait for that, not for a time.
      const listening = tab.waitForResponse((r) => new URL(r.url()).pathname === EVENTS_PATH);
      await tab.goto(base, { waitUntil: 'load' });
      expect((await listening).status()).toBe(200);
      expect(await tab.evaluate(() => document.querySelector('script')?.getAttribute('src'))).toBe('/__dev/reload.js');
      expect(await tab.textContent('#text')).toBe('first');
      site.update([{ path: 'index.html', content: page('second') }], false);
      const reloaded = tab.waitForEvent('load');
      site.publish({
        generation: 1,
        pages: ['index.html'],
        cause: ['chapters/01-x/README.md'],
        ms: { total: 0, specs: 0, render: 0 },
        ran: [],
      });
      await reloaded;
      expect(await tab.textContent('#text')).toBe('second');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

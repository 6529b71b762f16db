/**
 * `npm run audit [-- --site DIR] [-- --url URL]`: Lighthouse 12 (mobile, its default) in Debian's
 * Chromium on three pages — the index, the heaviest chapter (15) and its evidence page — printing
 * accessibility, best practices and SEO against their targets (100 each) and the failed audits.
 * Serves the built site/ (or DIR) with `npm start`'s server on 127.0.0.1 (a free port), or audits
 * a server already running at URL. Exits 1 when a target is missed. Slow (about a minute): not
 * part of `npm test`. Build first (`npm run build`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import {
  formatAudits,
  type LighthouseResult,
  meetsTargets,
  type PageAudit,
  summarise,
  TARGETS,
} from '../src/audit/lighthouse.ts';
import { startSiteServer } from '../src/serve.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/testkit/browser.ts';

const root = resolve(import.meta.dirname, '..');
const USAGE = 'usage: npm run audit -- [--site DIR] [--url URL]';
let args: { site?: string; url?: string };
try {
  args = parseArgs({ options: { site: { type: 'string' }, url: { type: 'string' } }, strict: true }).values;
} catch (error) {
  console.error(`audit: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const site = resolve(args.site ?? join(root, 'site'));
if (!existsSync(join(site, 'index.html'))) {
  console.error(`audit: ${site} has no index.html; build the site first (npm run build)`);
  process.exit(2);
}
const chapter = readdirSync(site).find((name) => name.startsWith('15-'));
if (!chapter) {
  console.error(`audit: no chapter 15 in ${site}`);
  process.exit(2);
}
if (!existsSync(CHROMIUM_PATH)) {
  console.error(`audit: Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(2);
}

const served = args.url
  ? undefined
  : await startSiteServer(site, { HOST: '127.0.0.1', PORT: '0' }).catch((error: Error) => {
      console.error(`audit: cannot serve ${site}: ${error.message}`);
      process.exit(1);
    });
const base = (args.url ?? served?.url ?? '').replace(/\/?$/, '/');
const pages = ['', `${chapter}/`, `${chapter}/evidence.html`];
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM_PATH,
  chromeFlags: CHROMIUM_ARGS,
  logLevel: 'error',
});
const results: PageAudit[] = [];
try {
  for (const path of pages) {
    const url = base + path;
    console.log(`lighthouse ${url} …`);
    const run = await lighthouse(url, {
      port: chrome.port,
      logLevel: 'error',
      output: 'json',
      onlyCategories: Object.keys(TARGETS),
    });
    if (!run) throw new Error(`Lighthouse gave no result for ${url}`);
    if (run.lhr.runtimeError) throw new Error(`Lighthouse could not load ${url}: ${run.lhr.runtimeError.message}`);
    results.push(summarise(run.lhr as unknown as LighthouseResult));
  }
} finally {
  await chrome.kill();
  served?.server.close();
  served?.server.closeAllConnections();
}
console.log(`\n${formatAudits(results)}`);
process.exit(meetsTargets(results) ? 0 : 1);

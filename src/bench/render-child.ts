/**
 * One render from saved results, as its own process (the benchmark times the whole process, the way
 * the issue timed Hugo): find the chapters, load the results, render every page and stream it to
 * disk, swap the folder in. No spec runs, no search index, no API docs. The benchmark runs this file
 * bundled by esbuild (src/bench/compile.ts) with plain node, so no TypeScript loader starts up.
 *
 * `node render-child.mjs CHAPTERS_DIR RESULTS_JSON OUT_DIR [HIGHLIGHT_CACHE]`
 * (or `node --import tsx src/bench/render-child.ts …`)
 *
 * With HIGHLIGHT_CACHE, highlighted code is kept between runs in that file, as `npm run build` keeps
 * it in .cache/highlight.json; shiki is loaded only when a block is missing from it.
 *
 * Prints one JSON line: stage times, highlight calls and distinct blocks, and the process's peak
 * resident memory.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findChapters } from '../find.ts';
import { createCodeHighlighter, renderSiteFiles } from '../render/index.ts';
import { loadVerification } from '../verify.ts';
import { writeSite } from '../write.ts';

const [chaptersDir, resultsFile, out, cacheFile] = process.argv.slice(2);
if (!chaptersDir || !resultsFile || !out) {
  console.error('usage: render-child CHAPTERS_DIR RESULTS_JSON OUT_DIR [HIGHLIGHT_CACHE]');
  process.exit(2);
}
const ms: Record<string, number> = {};
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  ms[name] = Math.round((now - t) * 10) / 10;
  t = now;
};
ms.startup = Math.round(performance.now());
const dir = resolve(chaptersDir);
const chapters = findChapters(dir, dir);
lap('find');
const verification = loadVerification(resolve(resultsFile));
lap('load');
const highlighter = await createCodeHighlighter(
  cacheFile && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {},
  { load: 'lazy' },
);
lap('highlighter');
let pageBytes = 0;
let pages = 0;
async function* counted() {
  for await (const file of renderSiteFiles(chapters, verification, highlighter, { api: false })) {
    if (file.path.endsWith('/index.html')) {
      pages++;
      pageBytes += Buffer.byteLength(file.content);
    }
    yield file;
  }
}
// Render and write interleave (each page goes to disk as it is rendered): one figure for both.
await writeSite(counted(), { out: resolve(out), search: false, apiDocs: false });
lap('render');
ms.write = 0;
const stats = highlighter.stats();
if (cacheFile && stats.tokenized > 0) writeFileSync(cacheFile, JSON.stringify(highlighter.cache()));
lap('cache');
console.log(
  JSON.stringify({
    chapters: chapters.length,
    ms,
    highlight: { calls: stats.calls, distinct: stats.distinct, tokenized: stats.tokenized, shiki: stats.engine },
    pageKB: Math.round(pageBytes / Math.max(1, pages) / 102.4) / 10,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    wallMs: Math.round(performance.now()),
  }),
);

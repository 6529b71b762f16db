/**
 * One render from saved results, as its own process (the benchmark times the whole process, the way
 * the issue timed Hugo): read the chapters, load the results, create the highlighter once, render
 * every page, write them. No spec runs, no search index, no API docs.
 *
 * `node --import tsx src/bench/render-child.ts CHAPTERS_DIR RESULTS_JSON OUT_DIR [HIGHLIGHT_CACHE]`
 *
 * With HIGHLIGHT_CACHE, highlighted code is kept between runs in that file, as `npm run build` keeps
 * it in .cache/highlight.json.
 *
 * Prints one JSON line: stage times, highlight calls and distinct blocks, and the process's peak
 * resident memory.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCodeHighlighter, renderSite } from '../render/index.ts';
import { loadVerification } from '../verify.ts';
import { writeSite } from '../write.ts';
import { readCorpus } from './corpus.ts';

const [chaptersDir, resultsFile, out, cacheFile] = process.argv.slice(2);
if (!chaptersDir || !resultsFile || !out) {
  console.error('usage: render-child CHAPTERS_DIR RESULTS_JSON OUT_DIR');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const ms: Record<string, number> = {};
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  ms[name] = Math.round((now - t) * 10) / 10;
  t = now;
};
ms.startup = Math.round(performance.now());
const chapters = readCorpus(resolve(chaptersDir), root);
lap('find');
const verification = loadVerification(resolve(resultsFile));
lap('load');
const inner = await createCodeHighlighter(cacheFile && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {});
lap('highlighter');
let calls = 0;
const distinct = new Set<string>();
const highlighter: typeof inner = {
  ...inner,
  highlight(code: string, lang: string) {
    calls++;
    distinct.add(`${lang}\u0000${code}`);
    return inner.highlight(code, lang);
  },
};
const files = renderSite(chapters, verification, highlighter, { api: false });
lap('render');
await writeSite(files, { out: resolve(out), search: false, apiDocs: false });
lap('write');
if (cacheFile) writeFileSync(cacheFile, JSON.stringify(inner.cache()));
lap('cache');
const pages = files.filter((f) => f.path.endsWith('/index.html')).map((f) => (typeof f.content === 'string' ? Buffer.byteLength(f.content) : f.content.byteLength));
console.log(
  JSON.stringify({
    chapters: chapters.length,
    ms,
    highlight: { calls, distinct: distinct.size },
    pageKB: Math.round(pages.reduce((a, b) => a + b, 0) / pages.length / 102.4) / 10,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    wallMs: Math.round(performance.now()),
  }),
);

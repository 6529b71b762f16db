/**
 * The search index: pagefind, through its Node API.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Indexes the site's HTML with pagefind (its Node API) into `<dir>/pagefind/`. Returns how many pages the index holds. */
export async function buildSearchIndex(dir: string): Promise<number> {
  // pagefind's binary runs as pagefind's own service process, reading requests on a pipe; it exits
  // when the pipe closes, so it does not outlive a killed build.
  const pagefind = await import('pagefind');
  try {
    // Left out of the index: evidence (transcripts, not prose); the headings' "#" links (pagefind
    // takes a page's and a section's title from its heading's text: "Expiry #"); a claim's status,
    // time and place (`verified · 8 ms · app.test.ts:6`, which would run into the claim's name).
    const excludeSelectors = ['details.ev', '.anchor', '.claims li > small'];
    const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en', excludeSelectors });
    if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
    const added = await index.addDirectory({ path: dir });
    if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
    const written = await index.writeFiles({ outputPath: join(dir, 'pagefind') });
    if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
    // addDirectory counts every HTML file it read, evidence pages (marked not to be indexed) too;
    // the index's own entry file says how many pages it holds.
    const entry = JSON.parse(readFileSync(join(dir, 'pagefind', 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    return Object.values(entry.languages).reduce((sum, language) => sum + language.page_count, 0);
  } finally {
    await pagefind.close();
  }
}

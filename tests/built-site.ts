/**
 * The built site the browser tests read: the real chapters rendered and written (search index
 * always, API docs on request) into `out`, served by npm start's server on 127.0.0.1. Without
 * given results, chapter 01's specs run (the whole suite runs them all anyway) and the other
 * chapters show no results. typedoc, the specs' vitest and the highlighter start at once.
 */
import type { AddressInfo } from 'node:net';
import { createCodeHighlighter, renderSite } from '../src/render/index.ts';
import { createSiteServer } from '../src/serve.ts';
import type { SiteConfig } from '../src/site-config.ts';
import type { Chapter, Verification } from '../src/types.ts';
import { verifyChapters } from '../src/verify.ts';
import { startApiDocs, writeSite } from '../src/write.ts';

export interface BuiltSite {
  /** `http://127.0.0.1:PORT/` */
  base: string;
  /** The results the pages show. */
  verification: Verification;
  /** Stops the server. */
  close(): Promise<void>;
}

export async function buildAndServe(options: {
  root: string;
  chapters: Chapter[];
  out: string;
  api: boolean;
  verification?: Verification;
  config?: SiteConfig;
}): Promise<BuiltSite> {
  const { root, chapters, out, api } = options;
  const docs = api ? startApiDocs(root, out) : false;
  const [verification, highlighter] = await Promise.all([
    options.verification ?? verifyChapters(chapters.slice(0, 1), { root }),
    createCodeHighlighter(),
  ]);
  const files = renderSite(chapters, verification, highlighter, {
    api,
    ...(options.config ? { config: options.config } : {}),
  });
  await writeSite(files, { out, search: true, apiDocs: docs });
  const server = createSiteServer(out);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    verification,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The render worker of `npm run dev` (started by renderer.ts, and only there: importing this file
 * anywhere but in a worker started with {@link WORKER_FLAG} does nothing). It loads src/render once
 * per worker, so a change under src/ is picked up by replacing the worker, while a chapter change
 * re-renders one page with a warm highlighter.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { findChapters, readChapter } from '../find.ts';
import { readSiteConfig } from '../site-config.ts';
import type { Chapter, SiteFile } from '../types.ts';
import { WORKER_FLAG, type RenderReply, type RenderRequest } from './render-protocol.ts';

async function renderWorker(port: MessagePort): Promise<void> {
  const render = await import('../render/index.ts');
  const highlighter = await render.createCodeHighlighter();
  const md = render.createMarkdown(highlighter);
  let chapters: Chapter[] = [];
  // The stylesheet of the last full render, plus the rules of code colours that pages rendered
  // since then use for the first time.
  let sheet = '';
  const known = new Set<string>();
  const used = new Set<string>();
  const css = (): SiteFile => {
    const fresh = [...used].filter((c) => !known.has(c));
    for (const c of fresh) known.add(c);
    if (fresh.length > 0) sheet = `${sheet.trimEnd()}\n${highlighter.css(fresh)}\n`;
    return { path: 'assets/site.css', content: sheet };
  };

  const renderAll = (req: RenderRequest): SiteFile[] => {
    chapters = findChapters(req.chaptersDir, req.root);
    const files = render.renderSite(chapters, req.verification, highlighter, {
      api: req.api,
      config: readSiteConfig(req.root),
    });
    sheet = String(files.find((f) => f.path === 'assets/site.css')?.content ?? '');
    known.clear();
    for (const m of sheet.matchAll(/(?:^|[\s}])(h-[0-9a-z]+)\{/g)) known.add(m[1] as string);
    return files;
  };

  /** The pages of `ids` (page, evidence page, code files), the contents page and the stylesheet; undefined to rescan. */
  const renderSome = (req: RenderRequest, ids: string[]): SiteFile[] | undefined => {
    for (const id of ids) {
      const dir = join(req.chaptersDir, id);
      const index = chapters.findIndex((c) => c.id === id);
      // A chapter appeared or went away: the whole site changes (contents, sidebar, pager).
      if (!existsSync(join(dir, 'README.md')) || index === -1) return undefined;
      chapters[index] = readChapter(dir, req.root);
    }
    const ctx = render.renderContext(md, chapters, req.verification, { used, config: readSiteConfig(req.root) });
    const files = ids.flatMap((id) =>
      render.chapterFiles(
        ctx,
        chapters.findIndex((c) => c.id === id),
      ),
    );
    files.push({ path: 'index.html', content: render.indexPage(ctx, { api: req.api }) });
    files.push(css());
    return files;
  };

  port.on('message', (req: RenderRequest) => {
    const start = performance.now();
    let reply: RenderReply;
    try {
      const files = req.ids === null ? renderAll(req) : renderSome(req, req.ids);
      reply = files
        ? { seq: req.seq, files, chapters, ms: Math.round(performance.now() - start) }
        : { seq: req.seq, error: 'RESCAN' };
    } catch (error) {
      reply = { seq: req.seq, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ seq: 0, ms: 0 } satisfies RenderReply);
}

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG])
  void renderWorker(parentPort);

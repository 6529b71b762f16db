import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findChapters } from '../find.ts';
import { createCodeHighlighter, renderSite } from '../render/index.ts';
import { readSiteConfig } from '../site-config.ts';
import type { Verification } from '../types.ts';
import { Renderer } from './renderer.ts';

const root = join(import.meta.dirname, '../..');
const chaptersDir = join(root, 'tests/fixtures/chapters-e2e');
const verification: Verification = {
  run: {
    versions: { node: '20.20.2', express: '5.3.0', 'express-session': '1.19.0', 'cookie-parser': '1.4.7' },
    date: '2026-11-29T00:00:00.000Z',
    commit: '0123456789ab',
    dirty: false,
  },
  chapters: [],
};
const renderer = new Renderer();
afterAll(() => renderer.close());

describe('the dev render worker', () => {
  test('renders the pages a build renders, site settings included (source and edit links from package.json)', async () => {
    const reply = await renderer.render({ root, chaptersDir, verification, ids: null, api: false });
    expect(reply.error).toBeUndefined();
    const dev = new Map((reply.files ?? []).map((f) => [f.path, String(f.content)]));
    const built = renderSite(findChapters(chaptersDir, root), verification, await createCodeHighlighter(), {
      api: false,
      config: readSiteConfig(root),
    });
    const page = String(built.find((f) => f.path === '01-passing/index.html')?.content);
    expect(page).toContain('Edit this page');
    expect(dev.get('01-passing/index.html')).toBe(page);
    // Re-rendering one chapter gives the same page.
    const one = await renderer.render({ root, chaptersDir, verification, ids: ['01-passing'], api: false });
    expect(one.files?.find((f) => f.path === '01-passing/index.html')?.content).toBe(page);
  }, 120_000);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findChapters } from '../src/find.ts';
import { createCodeHighlighter, renderSite } from '../src/render/index.ts';
import { chapterTemplate, nextNumber } from '../src/scaffold.ts';

describe('new-chapter template', () => {
  test('the next number follows the highest chapter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chapters-'));
    try {
      expect(nextNumber(dir)).toBe(1);
      mkdirSync(join(dir, '01-a'));
      mkdirSync(join(dir, '07-b'));
      expect(nextNumber(dir)).toBe(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a new chapter is well-formed: find reads it and every include resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chapters-'));
    try {
      const { folder, files } = chapterTemplate('storing-things', 'Storing "things"', 22);
      expect(folder).toBe('22-storing-things');
      mkdirSync(join(dir, folder));
      for (const f of files) writeFileSync(join(dir, folder, f.path), f.content);
      const chapters = findChapters(dir, dir);
      expect(chapters[0]?.meta.title).toBe('Storing "things"');
      const site = renderSite(
        chapters,
        {
          run: {
            versions: { node: '', express: '', 'express-session': '', 'cookie-parser': '' },
            date: '',
            commit: '',
            dirty: false,
          },
          chapters: [],
        },
        await createCodeHighlighter(),
        { api: false },
      );
      expect(String(site.find((f) => f.path === '22-storing-things/index.html')?.content)).toContain(
        'region <code>routes</code>',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after chapter 99 come three-digit numbers, which find reads in numeric order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chapters-'));
    try {
      mkdirSync(join(dir, '99-last-two-digit'));
      expect(nextNumber(dir)).toBe(100);
      const { folder, files } = chapterTemplate('three-digits', 'Three digits', nextNumber(dir));
      expect(folder).toBe('100-three-digits');
      for (const [name, number] of [
        ['99-last-two-digit', 99],
        [folder, 100],
      ] as const) {
        const made = name === folder ? files : chapterTemplate('last-two-digit', 'Last', number).files;
        mkdirSync(join(dir, name), { recursive: true });
        for (const f of made) writeFileSync(join(dir, name, f.path), f.content);
      }
      expect(findChapters(dir, dir).map((c) => c.id)).toEqual(['99-last-two-digit', '100-three-digits']);
      expect(nextNumber(dir)).toBe(101);
      expect(() => chapterTemplate('too-many', 'Too many', 1000)).toThrow('chapter numbers run from 01 to 999');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every claim the template's prose references is a test of its spec, and its secret has no fixed fallback", () => {
    const { files } = chapterTemplate('refs', 'Refs', 5);
    const text = (name: string) => String(files.find((f) => f.path === name)?.content);
    const refs = [...text('README.md').matchAll(/\{\{claim "([^"]+)"\}\}/g)].map((m) => m[1]!.replace(/\s+/g, ' '));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const name of refs)
      expect(text('app.test.ts')).toContain(`test(${JSON.stringify(name).replace(/^"|"$/g, "'")}`);
    expect(text('app.ts')).toContain('randomBytes(32)');
    expect(text('app.test.ts')).toContain('describeSecretSource(');
  });

  test('a bad slug is refused', () => {
    expect(() => chapterTemplate('Bad Slug', 'T', 1)).toThrow('a slug is lowercase words joined by dashes');
  });
});

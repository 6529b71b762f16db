import { describe, expect, test } from 'vitest';
import { addChange, classifyChange, emptyBatch } from './changes.ts';

describe('what a saved file asks npm run dev to do', () => {
  test("a chapter's snippet or spec re-runs that chapter's specs and re-renders its page", () => {
    expect(classifyChange('chapters/04-storing-session-data/app.ts')).toEqual({
      kind: 'chapter',
      id: '04-storing-session-data',
      file: 'app.ts',
      rerun: true,
    });
    expect(classifyChange('chapters/18-save-before-redirect/browser.test.ts')).toMatchObject({
      kind: 'chapter',
      rerun: true,
    });
  });

  test("a chapter's README.md only re-renders its page: prose cannot change a test's outcome", () => {
    expect(classifyChange('chapters/04-storing-session-data/README.md')).toEqual({
      kind: 'chapter',
      id: '04-storing-session-data',
      file: 'README.md',
      rerun: false,
    });
  });

  test('a change under src/ re-renders everything, and under src/testkit/ re-runs every spec too', () => {
    expect(classifyChange('src/render/layout.ts')).toEqual({ kind: 'src', file: 'render/layout.ts', rerunAll: false });
    expect(classifyChange('src/testkit/setup.ts')).toEqual({ kind: 'src', file: 'testkit/setup.ts', rerunAll: true });
  });

  test('editor droppings, loose files, non-chapter folders and the build’s own unit tests are ignored', () => {
    for (const path of [
      'chapters/04-x/.app.ts.swp',
      'chapters/04-x/app.ts~',
      'chapters/04-x/4913',
      'chapters/README.md',
      'chapters/notes/a.md',
      'chapters/4-x/app.ts',
      'src/dev/changes.test.ts',
      'tests/find.test.ts',
      'chapters/../src/x.ts',
    ]) {
      expect(classifyChange(path), path).toEqual({ kind: 'ignore' });
    }
  });

  test('changes that arrive during a run merge into one batch; a code change wins over a prose change', () => {
    const batch = emptyBatch();
    expect(addChange(batch, 'chapters/01-a/README.md')).toBe(true);
    expect(addChange(batch, 'chapters/01-a/app.ts')).toBe(true);
    expect(addChange(batch, 'chapters/02-b/README.md')).toBe(true);
    expect(addChange(batch, 'chapters/02-b/.README.md.swp')).toBe(false);
    expect([...batch.chapters]).toEqual([
      ['01-a', true],
      ['02-b', false],
    ]);
    expect(batch.all).toBe(false);
    addChange(batch, 'src/render/pages.ts');
    expect(batch.all).toBe(true);
    expect(batch.rerunAll).toBe(false);
  });
});

import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BuildError } from '../src/errors.ts';
import { fileRole, findChapters, parseFrontMatter } from '../src/find.ts';

const root = join(import.meta.dirname, '..');
const malformed = (name: string) => join(root, 'tests/fixtures/malformed', name);

function findError(name: string): BuildError {
  try {
    findChapters(malformed(name), root);
  } catch (error) {
    expect(error).toBeInstanceOf(BuildError);
    return error as BuildError;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe('find: reading chapter folders', () => {
  test('reads the fixture chapters: number, slug, front matter, files and their roles', () => {
    const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
    expect(chapters.map((c) => c.id)).toEqual(['01-passing', '02-failing']);
    const [first, second] = chapters;
    expect(first?.number).toBe(1);
    expect(first?.slug).toBe('passing');
    expect(first?.meta).toMatchObject({ title: 'A passing chapter', article: 'Step 1: Counting visits', verdict: 'right' });
    expect(first?.readme.path).toBe('tests/fixtures/chapters-e2e/01-passing/README.md');
    expect(first?.readme.body.startsWith('\n# A passing chapter')).toBe(true);
    expect(first?.readme.bodyLine).toBe(7);
    expect(second?.files.map((f) => [f.name, f.role])).toEqual([
      ['app.test.ts', 'spec'],
      ['app.ts', 'snippet'],
      ['article.ts', 'article'],
    ]);
  });

  test('the real chapters folder reads without error', () => {
    const chapters = findChapters(join(root, 'chapters'), root);
    expect(chapters.length).toBeGreaterThan(0);
    expect(chapters[0]?.id).toBe('01-cookies-and-sessions');
  });

  test('file roles come from names', () => {
    expect(fileRole('app.ts')).toBe('snippet');
    expect(fileRole('article-v2.ts')).toBe('article');
    expect(fileRole('browser.test.ts')).toBe('spec');
    expect(fileRole('views/page.html')).toBe('other');
  });
});

describe('find: malformed chapters are refused with the file to fix', () => {
  test('no README.md', () => {
    expect(findError('no-readme').message).toBe('tests/fixtures/malformed/no-readme/01-a/README.md: missing: every chapter has a README.md with front matter and prose');
  });

  test('no spec', () => {
    expect(findError('no-spec').message).toMatch(/^tests\/fixtures\/malformed\/no-spec\/01-a\/app\.test\.ts: missing: every chapter has at least one spec/);
  });

  test('a front matter line that is not key: value, with its line', () => {
    const error = findError('bad-front-matter');
    expect(error.file).toBe('tests/fixtures/malformed/bad-front-matter/01-a/README.md');
    expect(error.line).toBe(4);
    expect(error.message).toContain('README.md:4: front matter: expected "key: value", got "this line is wrong"');
  });

  test('an unknown verdict, with its line', () => {
    const error = findError('bad-verdict');
    expect(error.line).toBe(4);
    expect(error.message).toContain('verdict "maybe" is not one of right, incomplete, wrong, beyond');
  });

  test('two chapters with one number', () => {
    expect(findError('duplicate').message).toBe('tests/fixtures/malformed/duplicate/01-b: chapter number 01 is already used by tests/fixtures/malformed/duplicate/01-a');
  });

  test('a folder name that is not NN-slug', () => {
    expect(findError('bad-name').message).toMatch(/^tests\/fixtures\/malformed\/bad-name\/1-a: a chapter folder is named NN-slug/);
  });

  test('front matter errors: missing, unclosed, missing key, duplicate key, empty value', () => {
    const f = 'x/README.md';
    expect(() => parseFrontMatter('# no front matter', f)).toThrow('x/README.md:1: front matter missing');
    expect(() => parseFrontMatter('---\ntitle: T\n', f)).toThrow('x/README.md:1: front matter not closed');
    expect(() => parseFrontMatter('---\ntitle: T\n---\n', f)).toThrow('"article" is missing');
    expect(() => parseFrontMatter('---\ntitle: T\ntitle: U\n---\n', f)).toThrow('x/README.md:3: front matter: "title" given twice');
    expect(() => parseFrontMatter('---\ntitle:\n---\n', f)).toThrow('x/README.md:2: front matter: "title" is empty');
  });

  test('front matter values may be quoted; other keys are kept', () => {
    const { meta, bodyLine } = parseFrontMatter('---\ntitle: "A: B"\narticle: \'S\'\nverdict: wrong\nsummary: x\nauthor: me\n---\nbody', 'f');
    expect(meta).toEqual({ title: 'A: B', article: 'S', verdict: 'wrong', summary: 'x', extra: { author: 'me' } });
    expect(bodyLine).toBe(8);
  });
});

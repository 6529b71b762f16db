import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BuildError } from './errors.ts';
import { FOLDER_NAME, fileRole, findChapters, parseFrontMatter } from './find.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A chapters folder with these chapter folders, each a README and a spec. */
function chaptersFolder(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'find-'));
  dirs.push(dir);
  for (const name of names) {
    mkdirSync(join(dir, name));
    writeFileSync(
      join(dir, name, 'README.md'),
      `---\ntitle: ${name}\narticle: beyond the article\nverdict: beyond\nsummary: s\n---\n\n# ${name}\n`,
    );
    writeFileSync(join(dir, name, 'app.test.ts'), '');
  }
  return dir;
}

describe('find: chapter numbers of two or three digits', () => {
  test('NN-slug and NNN-slug are chapter folders; one digit or four are not', () => {
    expect(FOLDER_NAME.exec('04-storing')?.[1]).toBe('04');
    expect(FOLDER_NAME.exec('137-generated-copy')?.[1]).toBe('137');
    expect(FOLDER_NAME.test('4-x')).toBe(false);
    expect(FOLDER_NAME.test('1000-x')).toBe(false);
  });

  test('chapters are ordered by number, so 100 comes after 99 and 9', () => {
    const dir = chaptersFolder(['100-c', '99-b', '09-a']);
    expect(findChapters(dir, dir).map((c) => [c.number, c.id])).toEqual([
      [9, '09-a'],
      [99, '99-b'],
      [100, '100-c'],
    ]);
  });

  test('one number written two ways is still one number used twice', () => {
    const dir = chaptersFolder(['01-a', '001-b']);
    expect(() => findChapters(dir, dir)).toThrow(BuildError);
    expect(() => findChapters(dir, dir)).toThrow('01-a: chapter number 01 is already used by 001-b');
  });

  test('pitfall*.ts files are pitfalls, like article*.ts files are the article', () => {
    expect(fileRole('pitfall-no-save.ts')).toBe('pitfall');
    expect(fileRole('lib/pitfall.ts')).toBe('pitfall');
    expect(fileRole('pitfall.test.ts')).toBe('spec');
    expect(fileRole('article.ts')).toBe('article');
  });
});

describe('find: what a chapter folder gives', () => {
  test('extra front-matter keys are kept in a stable order, sorted by name, whatever order the file gives', () => {
    const { meta } = parseFrontMatter(
      '---\ntitle: A\nzeta: 1\narticle: x\nalpha: 2\nverdict: beyond\nmid: 3\nsummary: s\n---\n',
      'README.md',
    );
    expect(Object.entries(meta.extra)).toEqual([
      ['alpha', '2'],
      ['mid', '3'],
      ['zeta', '1'],
    ]);
  });

  test('front matter with CRLF line ends reads like LF; the body keeps its lines, joined by "\\n", and says where it starts', () => {
    const lf = '---\ntitle: "A"\narticle: x\nverdict: beyond\nsummary: s\n# a comment\n---\n\n# Body\nline two\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    for (const text of [lf, crlf]) {
      const { meta, body, bodyLine } = parseFrontMatter(text, 'README.md');
      expect(meta).toEqual({ title: 'A', article: 'x', verdict: 'beyond', summary: 's', extra: {} });
      expect(body).toBe('\n# Body\nline two\n');
      expect(bodyLine).toBe(8);
    }
    expect(parseFrontMatter('---\ntitle: a\narticle: b\nverdict: right\nsummary: c\n---', 'R').body).toBe('');
    expect(() => parseFrontMatter('---\ntitle: a\n', 'R')).toThrow('front matter not closed');
  });

  test('a chapter without README.md is refused by name; a file over 512 KB is left out, the others are read as they are', () => {
    const dir = chaptersFolder(['01-a', '02-b']);
    writeFileSync(join(dir, '01-a', 'big.log'), 'x'.repeat(512 * 1024 + 1));
    writeFileSync(join(dir, '01-a', 'app.ts'), 'const a = "é";\r\n');
    const [first] = findChapters(dir, dir);
    expect(first?.files.map((f) => [f.name, f.path, f.text])).toEqual([
      ['app.test.ts', '01-a/app.test.ts', ''],
      ['app.ts', '01-a/app.ts', 'const a = "é";\r\n'],
    ]);
    rmSync(join(dir, '02-b', 'README.md'));
    expect(() => findChapters(dir, dir)).toThrow('02-b/README.md: missing: every chapter has a README.md');
  });
});

// Chapters from tests/fixtures/: real folders, as a reader's mistakes leave them.
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
    expect(first?.meta).toMatchObject({
      title: 'A passing chapter',
      article: 'Step 1: Counting visits',
      verdict: 'right',
    });
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
    expect(findError('no-readme').message).toBe(
      'tests/fixtures/malformed/no-readme/01-a/README.md: missing: every chapter has a README.md with front matter and prose',
    );
  });

  test('no spec', () => {
    expect(findError('no-spec').message).toMatch(
      /^tests\/fixtures\/malformed\/no-spec\/01-a\/app\.test\.ts: missing: every chapter has at least one spec/,
    );
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
    expect(findError('duplicate').message).toBe(
      'tests/fixtures/malformed/duplicate/01-b: chapter number 01 is already used by tests/fixtures/malformed/duplicate/01-a',
    );
  });

  test('a folder name that is not NN-slug', () => {
    expect(findError('bad-name').message).toMatch(
      /^tests\/fixtures\/malformed\/bad-name\/1-a: a chapter folder is named NN-slug/,
    );
  });

  test('front matter errors: missing, unclosed, missing key, duplicate key, empty value', () => {
    const f = 'x/README.md';
    expect(() => parseFrontMatter('# no front matter', f)).toThrow('x/README.md:1: front matter missing');
    expect(() => parseFrontMatter('---\ntitle: T\n', f)).toThrow('x/README.md:1: front matter not closed');
    expect(() => parseFrontMatter('---\ntitle: T\n---\n', f)).toThrow('"article" is missing');
    expect(() => parseFrontMatter('---\ntitle: T\ntitle: U\n---\n', f)).toThrow(
      'x/README.md:3: front matter: "title" given twice',
    );
    expect(() => parseFrontMatter('---\ntitle:\n---\n', f)).toThrow('x/README.md:2: front matter: "title" is empty');
  });

  test('front matter values may be quoted; other keys are kept', () => {
    const { meta, bodyLine } = parseFrontMatter(
      '---\ntitle: "A: B"\narticle: \'S\'\nverdict: wrong\nsummary: x\nauthor: me\n---\nbody',
      'f',
    );
    expect(meta).toEqual({ title: 'A: B', article: 'S', verdict: 'wrong', summary: 'x', extra: { author: 'me' } });
    expect(bodyLine).toBe(8);
  });
});

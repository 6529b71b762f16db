/**
 * Stage 1, find: reads the chapter folders into {@link Chapter} values, checking their shape.
 * Every problem is a {@link BuildError} naming the file (and line) to fix.
 * @module
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BuildError } from './errors.ts';
import { type Chapter, type ChapterFile, type FileRole, type FrontMatter, type Verdict, VERDICTS } from './types.ts';

/** A chapter folder name: two or three digits (`NN` or `NNN`), a dash, a lowercase slug. */
export const FOLDER_NAME = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

const REQUIRED_KEYS = ['title', 'article', 'verdict', 'summary'] as const;

/** Files bigger than this are not read (a chapter holds small text files). */
const MAX_FILE_BYTES = 512 * 1024;

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Paths in messages: relative to the project root, `/`-separated. */
function display(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** The role of a chapter file from its name. */
export function fileRole(name: string): FileRole {
  const base = name.split('/').pop() ?? name;
  if (/\.test\.[cm]?[jt]s$/.test(base)) return 'spec';
  if (/^article.*\.[cm]?[jt]s$/.test(base)) return 'article';
  if (/^pitfall.*\.[cm]?[jt]s$/.test(base)) return 'pitfall';
  if (/\.[cm]?[jt]sx?$/.test(base)) return 'snippet';
  return 'other';
}

/**
 * Parses the front matter at the top of a README: `---`, one `key: value` a line, `---`.
 * Values may be wrapped in double or single quotes.
 * @param file the README's path, for messages
 * @returns the front matter and the line (1-based) on which the body starts
 */
export function parseFrontMatter(text: string, file: string): { meta: FrontMatter; body: string; bodyLine: number } {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---')
    throw new BuildError(file, 'front matter missing: the file must start with a line "---"', 1);
  const end = lines.indexOf('---', 1);
  if (end === -1) throw new BuildError(file, 'front matter not closed: no second line "---"', 1);
  const values = new Map<string, string>();
  for (let i = 1; i < end; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (!match || match[1] === undefined || match[2] === undefined) {
      throw new BuildError(file, `front matter: expected "key: value", got ${JSON.stringify(line)}`, i + 1);
    }
    const key = match[1];
    if (values.has(key)) throw new BuildError(file, `front matter: "${key}" given twice`, i + 1);
    let value = match[2].trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]))
      value = value.slice(1, -1);
    if (value === '') throw new BuildError(file, `front matter: "${key}" is empty`, i + 1);
    values.set(key, value);
  }
  for (const key of REQUIRED_KEYS) {
    if (!values.has(key))
      throw new BuildError(file, `front matter: "${key}" is missing (required: ${REQUIRED_KEYS.join(', ')})`, 1);
  }
  const verdict = values.get('verdict') as string;
  if (!VERDICTS.includes(verdict as Verdict)) {
    const line = lines.findIndex((l) => l.startsWith('verdict:')) + 1;
    throw new BuildError(file, `front matter: verdict "${verdict}" is not one of ${VERDICTS.join(', ')}`, line);
  }
  const extra: Record<string, string> = {};
  // Only the extra keys are sorted: with none or one, localeCompare (and ICU's start-up, ~10 ms) is not needed.
  const extras = [...values].filter(([key]) => !(REQUIRED_KEYS as readonly string[]).includes(key));
  for (const [key, value] of extras.length > 1 ? extras.sort(([a], [b]) => a.localeCompare(b)) : extras)
    extra[key] = value;
  const meta: FrontMatter = {
    title: values.get('title') as string,
    article: values.get('article') as string,
    verdict: verdict as Verdict,
    summary: values.get('summary') as string,
    extra,
  };
  return { meta, body: lines.slice(end + 1).join('\n'), bodyLine: end + 2 };
}

/** Every file under `dir` (dot-files and node_modules skipped), as paths relative to `dir`. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, name));
    else if (entry.isFile()) out.push(name);
  }
  return out;
}

/** A file's text, or undefined when it is bigger than {@link MAX_FILE_BYTES}: one open, one fstat, one read. */
function readSmallFile(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size > MAX_FILE_BYTES ? undefined : readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads one chapter folder. `root` is the project root, used for the paths in messages. */
export function readChapter(dir: string, root: string): Chapter {
  const id = dir.split(sep).pop() ?? dir;
  const match = FOLDER_NAME.exec(id);
  const rel = display(root, dir);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new BuildError(
      rel,
      'a chapter folder is named NN-slug or NNN-slug: two or three digits, a dash, lowercase words joined by dashes (e.g. 04-storing-session-data)',
    );
  }
  const readmeRel = `${rel}/README.md`;
  let readme: string;
  try {
    readme = readFileSync(join(dir, 'README.md'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BuildError(readmeRel, 'missing: every chapter has a README.md with front matter and prose');
    throw error;
  }
  const { meta, body, bodyLine } = parseFrontMatter(readme, readmeRel);

  const files: ChapterFile[] = [];
  for (const name of listFiles(dir).sort()) {
    if (name === 'README.md') continue;
    const text = readSmallFile(join(dir, name));
    if (text !== undefined) files.push({ name, path: `${rel}/${name}`, role: fileRole(name), text });
  }
  if (!files.some((f) => f.role === 'spec' && !f.name.includes('/'))) {
    throw new BuildError(
      `${rel}/app.test.ts`,
      'missing: every chapter has at least one spec (*.test.ts) next to its README.md',
    );
  }
  return {
    number: Number(match[1]),
    id,
    slug: match[2],
    dir: rel,
    meta,
    readme: { path: readmeRel, body, bodyLine },
    files,
  };
}

/**
 * Reads every chapter folder of `chaptersDir`, sorted by number.
 * @param root the project root: paths in chapters and messages are relative to it
 * @throws BuildError for a malformed folder, and when two folders share a number
 */
export function findChapters(chaptersDir: string, root: string): Chapter[] {
  if (!existsSync(chaptersDir)) throw new BuildError(display(root, chaptersDir), 'no chapters folder');
  const chapters: Chapter[] = [];
  const entries = readdirSync(chaptersDir, { withFileTypes: true }).filter(
    (e) => e.isDirectory() && !e.name.startsWith('.'),
  );
  // Folder names in code-unit order: for chapter names (digits, lowercase letters, dashes) the same
  // order as localeCompare's, without starting ICU's collation (~10 ms, the first time).
  for (const entry of entries.sort((a, b) => byCodeUnits(a.name, b.name))) {
    chapters.push(readChapter(join(chaptersDir, entry.name), root));
  }
  // By number, not by name: `100-x` comes after `99-y`.
  chapters.sort((a, b) => a.number - b.number || byCodeUnits(a.id, b.id));
  const byNumber = new Map<number, Chapter>();
  for (const chapter of chapters) {
    const other = byNumber.get(chapter.number);
    if (other)
      throw new BuildError(chapter.dir, `chapter number ${chapter.id.split('-')[0]} is already used by ${other.dir}`);
    byNumber.set(chapter.number, chapter);
  }
  if (chapters.length === 0)
    throw new BuildError(display(root, chaptersDir), 'no chapter folders (NN-slug or NNN-slug) found');
  return chapters;
}

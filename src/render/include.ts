/**
 * The include directive: `{{#include FILE}}` or `{{#include FILE:REGION}}` on a line of its own
 * pulls a chapter file (or a named region of it) into the prose, so the code shown is the code
 * tested. Region markers are `// #region name` and `// #endregion name`; they may nest or overlap,
 * and are dropped from what is shown. The included code is de-indented.
 * @module
 */
import type { MarkdownIt } from 'markdown-it';
import { BuildError } from '../errors.ts';
import type { Chapter, ChapterFile } from '../types.ts';
import { addDirectiveRule, whereIs } from './directive-rule.ts';
import type { RenderEnv } from './env.ts';

const MARKER = /^\s*(?:\/\/|#|<!--|\/\*)\s*#(region|endregion)\b[ \t]*([\w.-]*)/;

/** What a directive resolved to: the file, the region, the code to show. */
export interface Included {
  file: ChapterFile;
  region: string | undefined;
  code: string;
}

/** Removes the common leading whitespace of the non-blank lines, and blank lines at both ends. */
export function dedent(lines: string[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  const body = lines.slice(start, end).map((l) => l.replace(/\s+$/, ''));
  const indents = body.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return body.map((l) => l.slice(cut)).join('\n');
}

/** Names of the regions a file declares, in order. */
export function regionNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = MARKER.exec(line);
    if (m?.[1] === 'region' && m[2]) names.push(m[2]);
  }
  return names;
}

/**
 * The code a directive shows: the whole file, or the lines between `#region name` and
 * `#endregion name`; every marker line dropped, de-indented.
 * @param where the directive's location (README path and line), for error messages
 */
export function extractRegion(
  file: ChapterFile,
  region: string | undefined,
  where: { path: string; line: number },
): string {
  const parsed = parsedFile(file);
  const done = parsed.regions.get(region);
  if (done !== undefined) return done;
  const code = extract(file, parsed, region, where);
  parsed.regions.set(region, code);
  return code;
}

/** A file's lines and region markers, split once however many directives include it. */
interface ParsedFile {
  text: string;
  lines: string[];
  /** The marker match of each line (null for a line of code). */
  markers: Array<RegExpExecArray | null>;
  /** What each region (undefined: the whole file) extracted to. */
  regions: Map<string | undefined, string>;
}

const parsedFiles = new WeakMap<ChapterFile, ParsedFile>();

function parsedFile(file: ChapterFile): ParsedFile {
  let parsed = parsedFiles.get(file);
  if (parsed?.text !== file.text) {
    const lines = file.text.split(/\r?\n/);
    parsed = { text: file.text, lines, markers: lines.map((line) => MARKER.exec(line)), regions: new Map() };
    parsedFiles.set(file, parsed);
  }
  return parsed;
}

function extract(
  file: ChapterFile,
  { lines, markers }: ParsedFile,
  region: string | undefined,
  where: { path: string; line: number },
): string {
  const isCode = (_line: string, i: number) => markers[i] === null;
  if (region === undefined) return dedent(lines.filter(isCode));
  let start = -1;
  let end = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = markers[i];
    if (!m || m[2] !== region) continue;
    if (m[1] === 'region') {
      if (start !== -1) throw new BuildError(file.path, `region "${region}" is opened twice`, i + 1);
      start = i;
    } else if (start !== -1 && end === -1) {
      end = i;
    }
  }
  if (start === -1) {
    const names = regionNames(file.text);
    const known = names.length > 0 ? `its regions: ${names.join(', ')}` : 'it has no regions';
    throw new BuildError(
      where.path,
      `{{#include ${file.name}:${region}}}: no region "${region}" in ${file.path} (${known})`,
      where.line,
    );
  }
  if (end === -1)
    throw new BuildError(file.path, `region "${region}" is never closed with "// #endregion ${region}"`, start + 1);
  return dedent(lines.slice(start + 1, end).filter((_line, i) => markers[start + 1 + i] === null));
}

/** Resolves one directive of `chapter`'s README at README line `line`. */
export function resolveInclude(chapter: Chapter, target: string, region: string | undefined, line: number): Included {
  const where = { path: chapter.readme.path, line };
  const file = chapter.files.find((f) => f.name === target);
  if (!file) {
    throw new BuildError(
      where.path,
      `{{#include ${target}${region ? `:${region}` : ''}}}: no file ${chapter.dir}/${target}`,
      line,
    );
  }
  return { file, region, code: extractRegion(file, region, where) };
}

/**
 * The markdown-it plugin: a block rule that turns a directive line into an `include` token whose
 * `meta` is the {@link Included} code. Rendering that token is left to the caller's renderer rule.
 * The line is parsed by directive.ts; the rule may interrupt a paragraph ({@link addDirectiveRule}). Needs `env.chapter` ({@link RenderEnv}).
 */
export function includePlugin(md: MarkdownIt): void {
  addDirectiveRule(md, 'include', (state, { file, region }, startLine) => {
    const { line } = whereIs(state, startLine);
    const token = state.push('include', '', 0);
    token.map = [startLine, startLine + 1];
    token.block = true;
    token.meta = resolveInclude((state.env as unknown as RenderEnv).chapter, file, region, line) as unknown as Record<
      string,
      unknown
    >;
  });
}

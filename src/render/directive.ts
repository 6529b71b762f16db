/**
 * The directives' grammar, apart from markdown-it: pure functions from text to what it says.
 *
 * - A block directive stands on a line of its own: `{{#include FILE}}`, `{{#include FILE:REGION}}`
 *   or `{{#results}}`. A line that starts with `{{#` (or `{{ #`) is a directive: one that does not
 *   parse is an error, never prose. `\{{#…` is how prose shows the text itself (markdown drops the
 *   backslash).
 * - The claim directive `{{claim "NAME"}}` is inline: it may stand anywhere in prose, and its name
 *   may wrap across lines.
 *
 * The markdown-it plugins (include.ts, results-directive.ts, claim.ts) call these and turn an error
 * into a {@link BuildError} with the README's path and line.
 * @module
 */

/** What a block directive line says. */
export type BlockDirective = { kind: 'include'; file: string; region: string | undefined } | { kind: 'results' };

/** The block directives there are, by name. */
export const BLOCK_DIRECTIVES: readonly BlockDirective['kind'][] = ['include', 'results'];

/**
 * A block directive line, parsed: the directive, or what is wrong with it and the directive's name
 * (when it has one), so the plugin of that directive is the one that reports it.
 */
export type ParsedDirective =
  | { ok: true; directive: BlockDirective }
  | { ok: false; name: string | undefined; error: string };

/** How to write a block directive, for error messages. */
export const DIRECTIVE_USAGE = 'write {{#include FILE}}, {{#include FILE:REGION}} or {{#results}} on a line of its own';

/** Where a block directive starts: `{{#`, or `{{ #` (a mistake, reported). */
const START = /^\{\{\s*#/;
/** A file name: no spaces, colons, braces or quotes. */
const FILE = /^[^\s:{}"'`]+$/;
/** A region name, as `// #region NAME` declares it. */
const REGION = /^[\w.-]+$/;

/**
 * Parses one line (its indentation and trailing spaces are ignored). Returns null when the line is
 * not a block directive (it does not start with `{{#`), else the directive or an error.
 */
export function parseDirectiveLine(line: string): ParsedDirective | null {
  const text = line.trim();
  const start = START.exec(text);
  if (!start) return null;
  const fail = (name: string | undefined, error: string): ParsedDirective => ({ ok: false, name, error });
  if (start[0] !== '{{#') return fail(undefined, `no space may stand between {{ and #: ${DIRECTIVE_USAGE}`);
  const name = /^[^\s}]*/.exec(text.slice(3))?.[0] ?? '';
  if (name === '') return fail(undefined, `expected a directive name right after {{#: ${DIRECTIVE_USAGE}`);
  const close = text.indexOf('}}', 3 + name.length);
  if (close === -1) return fail(name, `the directive is never closed with }}: ${DIRECTIVE_USAGE}`);
  const after = text.slice(close + 2).trim();
  if (after !== '') return fail(name, `text after the directive (${JSON.stringify(after)}): ${DIRECTIVE_USAGE}`);
  const args = text.slice(3 + name.length, close).trim();
  switch (name) {
    case 'include':
      return parseInclude(args);
    case 'results':
      return args === ''
        ? { ok: true, directive: { kind: 'results' } }
        : fail(name, `{{#results}} takes nothing more, got ${JSON.stringify(args)}`);
    default:
      return fail(
        undefined,
        `unknown directive {{#${name}}}: ${DIRECTIVE_USAGE} (to show such text as prose, write \\{{#)`,
      );
  }
}

function parseInclude(args: string): ParsedDirective {
  const fail = (error: string): ParsedDirective => ({
    ok: false,
    name: 'include',
    error: `${error}: write {{#include FILE}} or {{#include FILE:REGION}}`,
  });
  if (args === '') return fail('no file to include');
  if (/["'`]/.test(args)) return fail(`the file name takes no quotes (got ${args})`);
  if (/\s/.test(args)) return fail(`one FILE or FILE:REGION, without spaces, got ${JSON.stringify(args)}`);
  const colon = args.indexOf(':');
  const file = colon === -1 ? args : args.slice(0, colon);
  const region = colon === -1 ? undefined : args.slice(colon + 1);
  if (!FILE.test(file))
    return fail(file === '' ? 'no file before :REGION' : `${JSON.stringify(file)} is not a file name`);
  if (region !== undefined && !REGION.test(region)) {
    return fail(
      region === ''
        ? `no region after ${file}:`
        : `${JSON.stringify(region)} is not a region name (letters, digits, _, . and -)`,
    );
  }
  return { ok: true, directive: { kind: 'include', file, region } };
}

/** What a claim directive's text parsed to: a name, or what is wrong with it. */
export type ParsedClaim = { ok: true; name: string; end: number } | { ok: false; error: string; end: number };

const CLAIM_OPEN = '{{claim';

/** How to write the claim directive, for error messages. */
const CLAIM_USAGE = 'write {{claim "NAME"}}, with \\" for a quote and \\\\ for a backslash inside NAME';

/**
 * Parses a claim directive starting at `pos` of `src`. Returns null when no directive starts there
 * (`{{claim` followed by a space or a quote), else the name (unescaped) and the index just after
 * the closing `}}`, or an error and how far the directive seems to run.
 *
 * NAME is double-quoted; inside it `\"` stands for `"` and `\\` for `\`, and a line break (with the
 * spaces around it) stands for one space, so prose may wrap inside a name.
 */
export function parseClaim(src: string, pos = 0): ParsedClaim | null {
  if (!src.startsWith(CLAIM_OPEN, pos)) return null;
  let i = pos + CLAIM_OPEN.length;
  const after = src[i];
  if (after !== undefined && after !== '"' && after !== '}' && !/\s/.test(after)) return null; // `{{claims`, `{{claimed`: not ours
  const lineEnd = (from: number) => {
    const close = src.indexOf('}}', from);
    return close === -1 ? src.length : close + 2;
  };
  while (i < src.length && /\s/.test(src[i] as string)) i++;
  if (src[i] !== '"')
    return { ok: false, error: `expected a double-quoted claim name after {{claim: ${CLAIM_USAGE}`, end: lineEnd(i) };
  i++;
  let name = '';
  for (;;) {
    const c = src[i];
    if (c === undefined)
      return { ok: false, error: `the claim name's quote is never closed: ${CLAIM_USAGE}`, end: src.length };
    if (c === '"') break;
    if (c === '\\') {
      const next = src[i + 1];
      if (next !== '"' && next !== '\\')
        return { ok: false, error: `unknown escape \\${next ?? ''} in a claim name: ${CLAIM_USAGE}`, end: lineEnd(i) };
      name += next;
      i += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // A line break inside the name (prose wrapped there) is one space, as a reader sees it.
      name = name.replace(/[ \t]+$/, '');
      i++;
      while (i < src.length && /\s/.test(src[i] as string)) i++;
      name += ' ';
      continue;
    }
    name += c;
    i++;
  }
  i++; // the closing quote
  while (i < src.length && /[ \t]/.test(src[i] as string)) i++;
  if (!src.startsWith('}}', i))
    return { ok: false, error: `expected }} after the claim name "${name}": ${CLAIM_USAGE}`, end: lineEnd(i) };
  if (name.trim() === '') return { ok: false, error: `empty claim name: ${CLAIM_USAGE}`, end: i + 2 };
  return { ok: true, name, end: i + 2 };
}

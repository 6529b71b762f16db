/**
 * A code block on a page: highlighted code whose text is exactly the code (so the copy button
 * copies what is shown and nothing else), the file it comes from with a download link, and what
 * it takes to run that file.
 * @module
 */
import type { ChapterFile, FileRole } from '../types.ts';
import type { CodeHighlighter } from './highlight.ts';
import { esc, escText } from './html.ts';

/** The npm packages a file imports (bare specifiers, `node:` built-ins and relative paths left out), sorted. */
export function importedPackages(code: string): string[] {
  const names = new Set<string>();
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
      if (name && !BUILTINS.has(name)) names.add(name);
    }
  }
  return [...names].sort();
}

const BUILTINS = new Set([
  ...['assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'http', 'https', 'net'],
  ...['os', 'path', 'process', 'stream', 'timers', 'url', 'util', 'zlib'],
]);

/** Whether a file starts a server when run (only such a file is offered as a whole file to run). */
export function startsServer(file: ChapterFile): boolean {
  return /\.listen\(/.test(file.text);
}

/**
 * The environment variables a file reads (`process.env.NAME`, `env.NAME`, `env['NAME']`), sorted;
 * `PORT` first when read, as every snippet listens on it.
 */
export function environmentOf(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g))
    names.add(m[1] ?? m[2] ?? '');
  names.delete('');
  return [...names].sort((a, b) => (a === 'PORT' ? -1 : b === 'PORT' ? 1 : a.localeCompare(b)));
}

/** The Node version from which `node app.ts` runs TypeScript as it is (type stripping, on by default). */
export const NODE_STRIP_TYPES = '22.18';

/**
 * The commands to run a snippet file in an empty folder: the install line (a package.json that
 * says `"type": "module"`, then the file's packages and tsx), then its run lines: with tsx, and
 * with plain `node` on Node {@link NODE_STRIP_TYPES} or later. A package whose verified version is
 * known is pinned to that major version (`better-sqlite3@12`), so a reader does not get a newer
 * major than the one the claims ran against.
 */
export function runCommands(file: ChapterFile, verified: Record<string, string> = {}): string[] {
  // tsx runs the TypeScript file; it is installed with the rest so that `npx tsx` needs no download prompt.
  const packages = [...importedPackages(file.text), 'tsx'].map((name) => {
    const major = /^(\d+)\./.exec(verified[name] ?? '')?.[1];
    return major ? `${name}@${major}` : name;
  });
  const base = file.name.split('/').pop() ?? file.name;
  return [`npm init -y && npm pkg set type=module && npm i ${packages.join(' ')}`, `npx tsx ${base}`, `node ${base}`];
}

/** The "run it" block of a file that starts a server: download, install, run; what it reads from the environment. */
export function runBlock(file: ChapterFile, verified: Record<string, string> = {}): string {
  const [install = '', tsx = '', node = ''] = runCommands(file, verified);
  const name = esc(file.name);
  const env = environmentOf(file.text).map((v) => `<code>${escText(v)}</code>`);
  const needs =
    env.length > 0
      ? `<p>It reads ${env.join(', ')} from the environment: give them as <code>NAME=value ${escText(tsx)}</code>.</p>`
      : '';
  return [
    '<div class="run-it">',
    `<p>Run the whole file in an empty folder: download <a href="${name}" download>${name}</a>, install with</p>`,
    `<div class="code" data-copy><pre tabindex="0"><code data-cmd="install">${escText(install)}</code></pre></div>`,
    `<p>then start it with <code data-cmd="run">${escText(tsx)}</code>, or on Node ${NODE_STRIP_TYPES} or later `,
    `<code data-cmd="run-node">${escText(node)}</code>.</p>${needs}</div>`,
  ].join('');
}

/**
 * A `<pre><code>` block. With `copy`, it is marked `data-copy` and the script adds a copy button
 * (without JavaScript there is no button at all, rather than a dead one).
 */
export function codeBlock(
  highlighter: CodeHighlighter,
  code: string,
  lang: string,
  used: Set<string>,
  copy = true,
): string {
  const { html, classes } = highlighter.highlight(code, lang);
  for (const c of classes) used.add(c);
  return `<div class="code"${copy ? ' data-copy' : ''}><pre tabindex="0"><code>${html}</code></pre></div>`;
}

/** The label of code that is shown but not to be copied, by file role. */
export const NOT_TO_COPY: Partial<Record<FileRole, string>> = {
  article: "The article's version — not the one to copy",
  pitfall: 'A pitfall, shown on purpose — not the one to copy',
};

/** One included file or region, as a captioned figure. */
export function snippetFigure(
  highlighter: CodeHighlighter,
  file: ChapterFile,
  region: string | undefined,
  code: string,
  used: Set<string>,
  showRun = true,
  verified: Record<string, string> = {},
): string {
  const ext = file.name.split('.').pop() ?? '';
  const label = NOT_TO_COPY[file.role];
  const caption = [
    `<a class="file" href="${esc(file.name)}" download>${esc(file.name)}</a>`,
    region ? `<span class="region">region <code>${escText(region)}</code></span>` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const parts: string[] = [];
  parts.push(`<figure class="snippet${label ? ` ${file.role}` : ''}">`);
  if (label) parts.push(`<p class="label">${escText(label)}</p>`);
  parts.push(`<figcaption>${caption}</figcaption>`);
  parts.push(codeBlock(highlighter, code, ext, used, !label));
  parts.push('</figure>');
  // After the figure, not in it: the figure holds the snippet alone (its copy button is the snippet's).
  if (showRun && file.role === 'snippet' && startsServer(file)) parts.push(runBlock(file, verified));
  return parts.join('');
}

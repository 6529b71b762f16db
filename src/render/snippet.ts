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

/**
 * The commands to run a snippet file: install its packages, run it with tsx. A package whose
 * verified version is known is pinned to that major version (`better-sqlite3@12`), so a reader
 * does not get a newer major than the one the claims ran against.
 */
export function runCommands(file: ChapterFile, verified: Record<string, string> = {}): string[] {
  // tsx runs the TypeScript file; it is installed with the rest so that `npx tsx` needs no download prompt.
  const packages = [...importedPackages(file.text), 'tsx'].map((name) => {
    const major = /^(\d+)\./.exec(verified[name] ?? '')?.[1];
    return major ? `${name}@${major}` : name;
  });
  const base = file.name.split('/').pop() ?? file.name;
  const commands: string[] = [];
  if (packages.length > 0) commands.push(`npm i ${packages.join(' ')}`);
  commands.push(`npx tsx ${base}`);
  return commands;
}

/**
 * A `<pre><code>` block. With `copy`, it is marked `data-copy` and the script adds a copy button
 * (without JavaScript there is no button at all, rather than a dead one).
 */
export function codeBlock(highlighter: CodeHighlighter, code: string, lang: string, used: Set<string>, copy = true): string {
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
  ].filter(Boolean).join(' ');
  const parts: string[] = [];
  parts.push(`<figure class="snippet${label ? ` ${file.role}` : ''}">`);
  if (label) parts.push(`<p class="label">${escText(label)}</p>`);
  parts.push(`<figcaption>${caption}</figcaption>`);
  parts.push(codeBlock(highlighter, code, ext, used, !label));
  if (showRun && (file.role === 'snippet' || file.role === 'article' || file.role === 'pitfall')) {
    const cmds = runCommands(file, verified).map((c) => `<code>${escText(c)}</code>`).join(' then ');
    parts.push(`<p class="run">Run the whole file: <a href="${esc(file.name)}" download>download ${esc(file.name)}</a>, ${cmds}</p>`);
  }
  parts.push('</figure>');
  return parts.join('');
}

/**
 * The themes and languages the highlighter knows, and the names that stand for each language.
 * @module
 */

/**
 * The two shiki themes: light and dark. GitHub's current ("default") pair: the site's own colours
 * are GitHub's (Primer), and every token colour of the pair but the light comments (darkened in
 * colours.ts) has AA contrast on the code background. The older github-light/github-dark pair had
 * 3.28:1 (orange), 4.30:1 (red) and 3.60:1 (dark comments).
 */
export const THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;

/** Languages the highlighter loads; anything else is shown as plain text. */
export const LANGS = ['typescript', 'javascript', 'json', 'shellscript', 'html', 'css', 'markdown', 'yaml'] as const;

const ALIASES: Record<string, string> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'typescript',
  typescript: 'typescript',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  javascript: 'javascript',
  json: 'json',
  sh: 'shellscript',
  bash: 'shellscript',
  shell: 'shellscript',
  shellscript: 'shellscript',
  console: 'shellscript',
  html: 'html',
  css: 'css',
  md: 'markdown',
  markdown: 'markdown',
  yaml: 'yaml',
  yml: 'yaml',
};

/** The shiki language for a file extension or fence name, or `text`. */
export function languageOf(name: string): string {
  return ALIASES[name.toLowerCase()] ?? 'text';
}

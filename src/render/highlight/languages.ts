/**
 * The themes and languages the highlighter knows, and the names that stand for each language.
 * @module
 */

/** The two shiki themes: light and dark. */
export const THEMES = { light: 'github-light', dark: 'github-dark' } as const;

/** Languages the highlighter loads; anything else is shown as plain text. */
export const LANGS = ['typescript', 'javascript', 'json', 'shellscript', 'html', 'css', 'markdown', 'yaml'] as const;

const ALIASES: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescript', typescript: 'typescript',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', javascript: 'javascript',
  json: 'json', sh: 'shellscript', bash: 'shellscript', shell: 'shellscript', shellscript: 'shellscript', console: 'shellscript',
  html: 'html', css: 'css', md: 'markdown', markdown: 'markdown', yaml: 'yaml', yml: 'yaml',
};

/** The shiki language for a file extension or fence name, or `text`. */
export function languageOf(name: string): string {
  return ALIASES[name.toLowerCase()] ?? 'text';
}

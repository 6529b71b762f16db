/**
 * Syntax highlighting at build time with shiki. One highlighter per build, created once; the
 * highlighted HTML is cached by language and content. Colours are not inlined: each distinct
 * (light, dark) colour pair becomes a short class named after a hash of the pair, and the page's
 * stylesheet maps it to CSS variables, so both themes follow `prefers-color-scheme` and pages
 * stay small.
 * @module
 */
import { createHash } from 'node:crypto';
import { createHighlighter, type ThemedToken } from 'shiki';
import { esc } from './html.ts';

/** The two shiki themes: light and dark. */
export const THEMES = { light: 'github-light', dark: 'github-dark' } as const;

/** Languages the highlighter loads; anything else is shown as plain text. */
export const LANGS = ['typescript', 'javascript', 'json', 'shellscript', 'html', 'css', 'markdown', 'yaml'] as const;

/** What {@link CodeHighlighter.highlight} returns: the inner HTML of a `<code>` and the classes used. */
export interface Highlighted {
  /** HTML whose text content is exactly the code (no line numbers, no extra whitespace). */
  html: string;
  classes: string[];
}

/** Highlighted code kept between builds: key -> HTML and the class rules it uses. */
export type HighlightCache = Record<string, { html: string; rules: Record<string, string> }>;

/** A highlighter for one build. */
export interface CodeHighlighter {
  /** Highlights `code` as `lang` (an extension or a shiki language name). */
  highlight(code: string, lang: string): Highlighted;
  /** The CSS rules for these classes, sorted (so the CSS is the same for the same classes). */
  css(classes: Iterable<string>): string;
}

/** The highlighter {@link createCodeHighlighter} makes: it can hand over its cache. */
export interface CachingHighlighter extends CodeHighlighter {
  /** Everything highlighted so far (including what came from the cache it was given), to save for the next build. */
  cache(): HighlightCache;
}

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

/** Cache keys change when the themes or shiki's grammars might. */
const CACHE_VERSION = `shiki-4|${THEMES.light}|${THEMES.dark}|v2`;

/**
 * Creates the build's highlighter (grammars and themes load once). Tokenizing is the slow
 * part of a build (about 30 ms per KB of TypeScript with two themes), so a cache saved by an earlier
 * build can be passed in; the output is the same with or without it.
 */
export async function createCodeHighlighter(saved: HighlightCache = {}): Promise<CachingHighlighter> {
  const shiki = await createHighlighter({ themes: [THEMES.light, THEMES.dark], langs: [...LANGS] });
  const memo = new Map<string, Highlighted>();
  const stored: HighlightCache = {};
  /** class name -> declarations, for every class this highlighter produced or loaded. */
  const rules = new Map<string, string>();

  // The themes' foreground: tokens in that colour need no span at all.
  const probe = shiki.codeToTokens('x', { lang: 'text', themes: THEMES, defaultColor: false });
  const fg = Object.fromEntries(probe.fg?.split(';').map((d) => d.split(':') as [string, string]) ?? []);
  const DEFAULT_FG = `--l:${(fg['--shiki-light'] ?? '').toLowerCase()};--d:${(fg['--shiki-dark'] ?? '').toLowerCase()}`;

  function classFor(style: Record<string, string>): string | undefined {
    const light = style['--shiki-light'];
    const dark = style['--shiki-dark'];
    const lightFont = style['--shiki-light-font-style'];
    const decl: string[] = [];
    if (light) decl.push(`--l:${light.toLowerCase()}`);
    if (dark) decl.push(`--d:${dark.toLowerCase()}`);
    if (lightFont && lightFont !== 'normal') decl.push(`font-style:${lightFont}`);
    if (decl.length === 0) return undefined;
    const body = decl.join(';');
    if (body === DEFAULT_FG) return undefined;
    const name = `h${createHash('sha256').update(body).digest('hex').slice(0, 5)}`;
    const existing = rules.get(name);
    if (existing !== undefined && existing !== body) throw new Error(`highlight class collision: ${name}`);
    rules.set(name, body);
    return name;
  }


  function render(code: string, lang: string): Highlighted {
    const language = lang === 'text' ? 'text' : lang;
    // No time limit: by default shiki stops tokenizing a line after 500 ms and leaves the rest
    // plain, which on a busy machine (a cold grammar) gave different colours from run to run.
    const { tokens } = shiki.codeToTokens(code, { lang: language as 'text', themes: THEMES, defaultColor: false, tokenizeTimeLimit: 0, tokenizeMaxLineLength: 0 });
    const used = new Set<string>();
    const lines = tokens.map((line: ThemedToken[]) => {
      let html = '';
      let open: string | undefined;
      let buffer = '';
      const flush = () => {
        if (buffer === '') return;
        html += open ? `<span class="${open}">${esc(buffer)}</span>` : esc(buffer);
        buffer = '';
      };
      for (const token of line) {
        const cls = token.content.trim() === '' ? open : classFor((token.htmlStyle ?? {}) as Record<string, string>);
        if (cls !== open) {
          flush();
          open = cls;
        }
        buffer += token.content;
        if (cls) used.add(cls);
      }
      flush();
      return html;
    });
    return { html: lines.join('\n'), classes: [...used].sort() };
  }

  return {
    highlight(code, lang) {
      const language = languageOf(lang);
      const key = createHash('sha256').update(`${CACHE_VERSION}\u0000${language}\u0000${code}`).digest('base64url');
      let hit = memo.get(key);
      if (hit) return hit;
      const old = saved[key];
      if (old) {
        for (const [name, body] of Object.entries(old.rules)) rules.set(name, body);
        hit = { html: old.html, classes: Object.keys(old.rules).sort() };
      } else {
        hit = render(code, language);
      }
      memo.set(key, hit);
      stored[key] = { html: hit.html, rules: Object.fromEntries(hit.classes.map((c) => [c, rules.get(c) ?? ''])) };
      return hit;
    },
    cache: () => stored,
    css(classes) {
      return [...new Set(classes)]
        .sort()
        .map((name) => `.${name}{${rules.get(name) ?? ''}}`)
        .join('\n');
    },
  };
}

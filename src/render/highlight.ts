/**
 * Syntax highlighting at build time with shiki. One highlighter per build; the highlighted HTML is
 * cached by language and content, and shiki itself is imported and created only when a block is
 * missing from that cache (a build whose blocks are all cached never loads it). Colours are not
 * inlined: each distinct (light, dark) colour pair becomes a short element name ({@link PALETTE}),
 * and the page's stylesheet maps it to CSS variables, so both themes follow `prefers-color-scheme`
 * and pages stay small.
 * @module
 */
import { createHash } from 'node:crypto';
import type { HighlighterGeneric, ThemedToken } from 'shiki';
import { escText } from './html.ts';
/** The two shiki themes: light and dark. */
export const THEMES = { light: 'github-light', dark: 'github-dark' } as const;

/** Languages the highlighter loads; anything else is shown as plain text. */
export const LANGS = ['typescript', 'javascript', 'json', 'shellscript', 'html', 'css', 'markdown', 'yaml'] as const;

/** What {@link CodeHighlighter.highlight} returns: the inner HTML of a `<code>` and the classes used. */
export interface Highlighted {
  /** HTML whose text content is exactly the code (no line numbers, no extra whitespace). */
  html: string;
  /** The colour classes used: element names, e.g. `h-k` (see {@link PALETTE}). */
  classes: string[];
}

/**
 * Names for the colour pairs of the two GitHub themes that code uses most. A coloured token is an
 * element named after its (light, dark) pair, `<h-k>const</h-k>`: a custom element name (it has a
 * dash), with no meaning of its own, like a span, at less than half a span's bytes. A pair not
 * listed here is named after a hash of it, `h-1a2b3`.
 */
export const PALETTE: Record<string, string> = {
  '--l:#d73a49;--d:#f97583': 'h-k', // keyword, operator
  '--l:#6f42c1;--d:#b392f0': 'h-f', // function, type
  '--l:#005cc5;--d:#79b8ff': 'h-c', // constant, number, property
  '--l:#032f62;--d:#9ecbff': 'h-s', // string
  '--l:#6a737d;--d:#6a737d': 'h-m', // comment
  '--l:#e36209;--d:#ffab70': 'h-v', // parameter, variable
  '--l:#22863a;--d:#85e89d': 'h-t', // tag, key
};

/** Highlighted code kept between builds: key -> HTML and the class rules it uses. */
export type HighlightCache = Record<string, { html: string; rules: Record<string, string> }>;

/** Thrown by `highlight` for a block that is not cached while shiki is not loaded: load it and try again. */
export class CodeNotCached extends Error {
  constructor() {
    super('highlighter: a code block is not in the cache and shiki is not loaded; await load() and render again');
  }
}

/** A highlighter for one build. */
export interface CodeHighlighter {
  /**
   * Highlights `code` as `lang` (an extension or a shiki language name). Synchronous: for a block
   * that is not cached while shiki is not loaded yet, it throws {@link CodeNotCached}; the caller
   * awaits {@link load} and renders again.
   */
  highlight(code: string, lang: string): Highlighted;
  /** The CSS rules for these classes, sorted (so the CSS is the same for the same classes). */
  css(classes: Iterable<string>): string;
  /** Loads shiki (once), so that any block can be highlighted. */
  load?(): Promise<void>;
}

/** What a highlighter did: blocks asked for, found in its cache, and whether shiki was loaded. */
export interface HighlightStats {
  /** Calls to `highlight`. */
  calls: number;
  /** Distinct blocks highlighted or taken from the cache. */
  distinct: number;
  /** Distinct blocks that were not in the cache given and had to be tokenized. */
  tokenized: number;
  /** True once shiki has been imported and created. */
  engine: boolean;
}

/** The highlighter {@link createCodeHighlighter} makes: it can hand over its cache. */
export interface CachingHighlighter extends CodeHighlighter {
  /** Everything highlighted so far (including what came from the cache it was given), to save for the next build. */
  cache(): HighlightCache;
  load(): Promise<void>;
  stats(): HighlightStats;
}

/** Loads shiki's highlighter with our themes and languages (a dynamic import: shiki is big). */
export type EngineLoader = () => Promise<HighlighterGeneric<string, string>>;

async function loadShiki(): Promise<HighlighterGeneric<string, string>> {
  const { createHighlighter } = await import('shiki');
  return (await createHighlighter({ themes: [THEMES.light, THEMES.dark], langs: [...LANGS] })) as unknown as HighlighterGeneric<string, string>;
}

export interface HighlighterOptions {
  /**
   * When shiki loads: `lazy` (the first time a block is missing from the cache; the default when a
   * cache is given) or `eager` (now; the default without a cache, since every block will be missing).
   */
  load?: 'lazy' | 'eager';
  /** How shiki is loaded; for tests. */
  engine?: EngineLoader;
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

/** Cache keys change when the themes, shiki's grammars or our markup might. */
const CACHE_VERSION = `shiki-4|${THEMES.light}|${THEMES.dark}|v4`;

/** The cache key of a block: the language and the code, with {@link CACHE_VERSION}. */
function keyOf(code: string, language: string): string {
  return createHash('sha256').update(`${CACHE_VERSION}\u0000${language}\u0000${code}`).digest('base64url');
}

/**
 * Creates the build's highlighter. Tokenizing is the slow part of a build (about 30 ms per KB of
 * TypeScript with two themes), and loading shiki costs a few hundred milliseconds more, so a cache
 * saved by an earlier build can be passed in: blocks found there are never tokenized, and shiki is
 * loaded only when a block is not (see {@link HighlighterOptions.load}). The output is the same,
 * byte for byte, with or without the cache.
 */
export async function createCodeHighlighter(saved: HighlightCache = {}, options: HighlighterOptions = {}): Promise<CachingHighlighter> {
  const loadEngine = options.engine ?? loadShiki;
  let shiki: HighlighterGeneric<string, string> | undefined;
  let loading: Promise<void> | undefined;
  /** The themes' foreground: tokens in that colour need no span at all. */
  let DEFAULT_FG = '';
  const memo = new Map<string, Highlighted>();
  /** The same, by language and code. */
  const byText = new Map<string, Highlighted>();
  const stored: HighlightCache = {};
  /** class name -> declarations, for every class this highlighter produced or loaded. */
  const rules = new Map<string, string>();
  let calls = 0;
  let tokenized = 0;

  function engine(): Promise<void> {
    loading ??= loadEngine().then((loaded) => {
      const probe = loaded.codeToTokens('x', { lang: 'text', themes: THEMES, defaultColor: false });
      const fg = Object.fromEntries(probe.fg?.split(';').map((d) => d.split(':') as [string, string]) ?? []);
      DEFAULT_FG = `--l:${(fg['--shiki-light'] ?? '').toLowerCase()};--d:${(fg['--shiki-dark'] ?? '').toLowerCase()}`;
      shiki = loaded;
    });
    return loading;
  }
  if ((options.load ?? (Object.keys(saved).length === 0 ? 'eager' : 'lazy')) === 'eager') await engine();

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
    const name = PALETTE[body] ?? `h-${createHash('sha256').update(body).digest('hex').slice(0, 5)}`;
    const existing = rules.get(name);
    if (existing !== undefined && existing !== body) throw new Error(`highlight class collision: ${name}`);
    rules.set(name, body);
    return name;
  }


  function render(code: string, lang: string): Highlighted {
    if (!shiki) throw new CodeNotCached();
    tokenized++;
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
        html += open ? `<${open}>${escText(buffer)}</${open}>` : escText(buffer);
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
    load: engine,
    highlight(code, lang) {
      calls++;
      const language = languageOf(lang);
      // A block seen before in this build needs no hashing: look it up by its text first.
      const text = `${language}\u0000${code}`;
      let hit = byText.get(text);
      if (hit) return hit;
      const key = keyOf(code, language);
      hit = memo.get(key);
      if (hit) {
        byText.set(text, hit);
        return hit;
      }
      const old = saved[key];
      if (old) {
        for (const [name, body] of Object.entries(old.rules)) rules.set(name, body);
        hit = { html: old.html, classes: Object.keys(old.rules).sort() };
      } else {
        hit = render(code, language);
      }
      memo.set(key, hit);
      byText.set(text, hit);
      stored[key] = { html: hit.html, rules: Object.fromEntries(hit.classes.map((c) => [c, rules.get(c) ?? ''])) };
      return hit;
    },
    cache: () => stored,
    stats: () => ({ calls, distinct: memo.size, tokenized, engine: shiki !== undefined }),
    css(classes) {
      return [...new Set(classes)]
        .sort()
        .map((name) => `${name}{${rules.get(name) ?? ''}}`)
        .join('\n');
    },
  };
}

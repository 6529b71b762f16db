/**
 * Syntax highlighting at build time with shiki. One highlighter per build; the highlighted HTML is
 * cached by language and content, and shiki itself is imported and created only when a block is
 * missing from that cache (a build whose blocks are all cached never loads it). Colours are not
 * inlined: each distinct (light, dark) colour pair becomes a short element name ({@link PALETTE}),
 * and the page's stylesheet maps it to CSS variables, so both themes follow `prefers-color-scheme`
 * and pages stay small.
 *
 * This module is the highlighter's public face; its three concerns live in `highlight/`: loading
 * shiki (engine.ts), colours to classes (colours.ts) and the two-level cache (cache.ts).
 * @module
 */
import { BlockCache, type HighlightCache } from './highlight/cache.ts';
import { ColourClasses } from './highlight/colours.ts';
import { type EngineLoader, loadShiki, ShikiEngine } from './highlight/engine.ts';
import { languageOf } from './highlight/languages.ts';

export type { HighlightCache } from './highlight/cache.ts';
export { PALETTE } from './highlight/colours.ts';
export type { EngineLoader } from './highlight/engine.ts';
export { LANGS, languageOf, THEMES } from './highlight/languages.ts';

/** What {@link CodeHighlighter.highlight} returns: the inner HTML of a `<code>` and the classes used. */
export interface Highlighted {
  /** HTML whose text content is exactly the code (no line numbers, no extra whitespace). */
  html: string;
  /** The colour classes used: element names, e.g. `h-k` (see {@link PALETTE}). */
  classes: string[];
}

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

export interface HighlighterOptions {
  /**
   * When shiki loads: `lazy` (the first time a block is missing from the cache; the default when a
   * cache is given) or `eager` (now; the default without a cache, since every block will be missing).
   */
  load?: 'lazy' | 'eager';
  /** How shiki is loaded; for tests. */
  engine?: EngineLoader;
}

/**
 * Creates the build's highlighter. Tokenizing is the slow part of a build (about 30 ms per KB of
 * TypeScript with two themes), and loading shiki costs a few hundred milliseconds more, so a cache
 * saved by an earlier build can be passed in: blocks found there are never tokenized, and shiki is
 * loaded only when a block is not (see {@link HighlighterOptions.load}). The output is the same,
 * byte for byte, with or without the cache.
 */
export async function createCodeHighlighter(
  saved: HighlightCache = {},
  options: HighlighterOptions = {},
): Promise<CachingHighlighter> {
  const engine = new ShikiEngine(options.engine ?? loadShiki);
  const colours = new ColourClasses();
  const blocks = new BlockCache<Highlighted>(saved);
  let calls = 0;
  let tokenized = 0;
  if ((options.load ?? (Object.keys(saved).length === 0 ? 'eager' : 'lazy')) === 'eager') await engine.load();

  /** Tokenizes a block (shiki must be loaded). */
  const make = (code: string, language: string): Highlighted => {
    const tokens = engine.tokens(code, language);
    if (!tokens) throw new CodeNotCached();
    tokenized++;
    return colours.toHtml(tokens, engine.defaultFg);
  };

  return {
    load: () => engine.load(),
    highlight(code, lang) {
      calls++;
      const language = languageOf(lang);
      return blocks.get(code, language, {
        saved: (old) => {
          colours.add(old.rules);
          return { html: old.html, classes: Object.keys(old.rules).sort() };
        },
        make: () => make(code, language),
        rule: (name) => colours.rule(name),
      });
    },
    cache: () => blocks.stored,
    stats: () => ({ calls, distinct: blocks.size, tokenized, engine: engine.loaded }),
    css: (classes) => colours.css(classes),
  };
}

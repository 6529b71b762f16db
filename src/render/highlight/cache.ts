/**
 * The highlighter's two-level cache: blocks seen in this build by their text (no hashing), then
 * by their key (a hash of language and code), which is also the key of the cache saved between
 * builds.
 * @module
 */
import { createHash } from 'node:crypto';
import { THEMES } from './languages.ts';

/** Highlighted code kept between builds: key -> HTML and the class rules it uses. */
export type HighlightCache = Record<string, { html: string; rules: Record<string, string> }>;

/** Cache keys change when the themes, shiki's grammars or our markup might. */
const CACHE_VERSION = `shiki-4|${THEMES.light}|${THEMES.dark}|v5`;

/** The cache key of a block: the language and the code, with {@link CACHE_VERSION}. */
export function keyOf(code: string, language: string): string {
  return createHash('sha256').update(`${CACHE_VERSION}\u0000${language}\u0000${code}`).digest('base64url');
}

/** A cached block: what the highlighter gives for it. */
export interface Block {
  html: string;
  classes: string[];
}

/** The blocks of one build, found by text then by key; and what to save for the next build. */
export class BlockCache<T extends Block> {
  private readonly byKey = new Map<string, T>();
  private readonly byText = new Map<string, T>();
  /** Everything highlighted or found so far, to save. */
  readonly stored: HighlightCache = {};

  constructor(private readonly saved: HighlightCache) {}

  /** The number of distinct blocks. */
  get size(): number {
    return this.byKey.size;
  }

  /**
   * The block of `code` in `language`: from this build, else from the saved cache (through
   * `from.saved`), else made by `from.make`. `from.rule` gives a class's declarations, to save.
   */
  get(
    code: string,
    language: string,
    from: { saved: (entry: HighlightCache[string]) => T; make: () => T; rule: (name: string) => string },
  ): T {
    // A block seen before in this build needs no hashing: look it up by its text first.
    const text = `${language}\u0000${code}`;
    let hit = this.byText.get(text);
    if (hit) return hit;
    const key = keyOf(code, language);
    hit = this.byKey.get(key);
    if (hit) {
      this.byText.set(text, hit);
      return hit;
    }
    const old = this.saved[key];
    hit = old ? from.saved(old) : from.make();
    this.byKey.set(key, hit);
    this.byText.set(text, hit);
    this.stored[key] = { html: hit.html, rules: Object.fromEntries(hit.classes.map((c) => [c, from.rule(c)])) };
    return hit;
  }
}

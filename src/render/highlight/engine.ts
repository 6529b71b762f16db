/**
 * Loading shiki: once, on demand, with our themes and languages; and the themes' foreground, which
 * needs no colour class.
 * @module
 */
import type { HighlighterGeneric, ThemedToken } from 'shiki';
import { LANGS, THEMES } from './languages.ts';

/** Loads shiki's highlighter with our themes and languages (a dynamic import: shiki is big). */
export type EngineLoader = () => Promise<HighlighterGeneric<string, string>>;

/** The real loader. */
export async function loadShiki(): Promise<HighlighterGeneric<string, string>> {
  const { createHighlighter } = await import('shiki');
  const shiki = await createHighlighter({ themes: [THEMES.light, THEMES.dark], langs: [...LANGS] });
  return shiki as unknown as HighlighterGeneric<string, string>;
}

/** shiki, loaded at most once, and what it gives for a block of code. */
export class ShikiEngine {
  private shiki: HighlighterGeneric<string, string> | undefined;
  private loading: Promise<void> | undefined;
  /** The themes' foreground, as declarations (`--l:…;--d:…`): tokens in that colour need no element. */
  defaultFg = '';

  constructor(private readonly loader: EngineLoader) {}

  /** Loads shiki (once: later calls share the first load). */
  load(): Promise<void> {
    this.loading ??= this.loader().then((loaded) => {
      const probe = loaded.codeToTokens('x', { lang: 'text', themes: THEMES, defaultColor: false });
      const fg = Object.fromEntries(probe.fg?.split(';').map((d) => d.split(':') as [string, string]) ?? []);
      this.defaultFg = `--l:${(fg['--shiki-light'] ?? '').toLowerCase()};--d:${(fg['--shiki-dark'] ?? '').toLowerCase()}`;
      this.shiki = loaded;
    });
    return this.loading;
  }

  /** True once shiki has been imported and created. */
  get loaded(): boolean {
    return this.shiki !== undefined;
  }

  /** The tokens of each line, or undefined while shiki is not loaded. */
  tokens(code: string, language: string): ThemedToken[][] | undefined {
    if (!this.shiki) return undefined;
    // No time limit: by default shiki stops tokenizing a line after 500 ms and leaves the rest
    // plain, which on a busy machine (a cold grammar) gave different colours from run to run.
    const options = {
      lang: language as 'text',
      themes: THEMES,
      defaultColor: false as const,
      tokenizeTimeLimit: 0,
      tokenizeMaxLineLength: 0,
    };
    return this.shiki.codeToTokens(code, options).tokens;
  }
}

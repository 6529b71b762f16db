/**
 * Colours to classes: each distinct (light, dark) colour pair of a token becomes a short element
 * name ({@link PALETTE}, or a hash of the pair), and the stylesheet maps the name to CSS variables.
 * Every colour is first made readable on the code background (WCAG AA, 4.5:1; see contrast.ts).
 * @module
 */
import { createHash } from 'node:crypto';
import type { ThemedToken } from 'shiki';
import { escText } from '../html.ts';
import { CODE_BACKGROUND, readable } from './contrast.ts';

/**
 * Names for the colour pairs of the two GitHub themes (github-light-default, github-dark-default)
 * that code uses most, after {@link readable}. A coloured token is an element named after its
 * (light, dark) pair, `<h-k>const</h-k>`: a custom element name (it has a dash), with no meaning
 * of its own, like a span, at less than half a span's bytes. A pair not listed here is named after
 * a hash of it, `h-1a2b3`.
 */
export const PALETTE: Record<string, string> = {
  '--l:#cf222e;--d:#ff7b72': 'h-k', // keyword, operator
  '--l:#8250df;--d:#d2a8ff': 'h-f', // function, type
  '--l:#0550ae;--d:#79c0ff': 'h-c', // constant, number, property
  '--l:#0a3069;--d:#a5d6ff': 'h-s', // string
  '--l:#6b737d;--d:#8b949e': 'h-m', // comment (the light theme's #6e7781 is 4.27:1 on the code background: darkened)
  '--l:#953800;--d:#ffa657': 'h-v', // parameter, variable
  '--l:#116329;--d:#7ee787': 'h-t', // tag, key
};

/** The class rules of one highlighter: class name -> declarations, for every class it made or loaded. */
export class ColourClasses {
  private readonly rules = new Map<string, string>();

  /**
   * The class of a token's style, or none for an uncoloured token or one in the foreground
   * `defaultFg`. A colour with less than AA contrast on the code background is replaced by the
   * nearest one with enough ({@link readable}).
   */
  classFor(style: Record<string, string>, defaultFg: string): string | undefined {
    const light = style['--shiki-light'];
    const dark = style['--shiki-dark'];
    const lightFont = style['--shiki-light-font-style'];
    const decl: string[] = [];
    if (light) decl.push(`--l:${readable(light, CODE_BACKGROUND.light)}`);
    if (dark) decl.push(`--d:${readable(dark, CODE_BACKGROUND.dark)}`);
    if (lightFont && lightFont !== 'normal') decl.push(`font-style:${lightFont}`);
    if (decl.length === 0) return undefined;
    const body = decl.join(';');
    if (body === defaultFg) return undefined;
    const name = PALETTE[body] ?? `h-${createHash('sha256').update(body).digest('hex').slice(0, 5)}`;
    const existing = this.rules.get(name);
    if (existing !== undefined && existing !== body) throw new Error(`highlight class collision: ${name}`);
    this.rules.set(name, body);
    return name;
  }

  /** Takes in rules saved by an earlier build. */
  add(rules: Record<string, string>): void {
    for (const [name, body] of Object.entries(rules)) this.rules.set(name, body);
  }

  /** The declarations of a class (empty for one never made). */
  rule(name: string): string {
    return this.rules.get(name) ?? '';
  }

  /** The CSS rules for these classes, sorted. */
  css(classes: Iterable<string>): string {
    return [...new Set(classes)]
      .sort()
      .map((name) => `${name}{${this.rule(name)}}`)
      .join('\n');
  }

  /**
   * The HTML of tokenized lines: runs of one colour become one element; whitespace takes the
   * colour of the run it is in. Returns the classes used, sorted.
   */
  toHtml(tokens: ThemedToken[][], defaultFg: string): { html: string; classes: string[] } {
    const used = new Set<string>();
    const lines = tokens.map((line) => {
      let html = '';
      let open: string | undefined;
      let buffer = '';
      const flush = () => {
        if (buffer === '') return;
        html += open ? `<${open}>${escText(buffer)}</${open}>` : escText(buffer);
        buffer = '';
      };
      for (const token of line) {
        const style = (token.htmlStyle ?? {}) as Record<string, string>;
        const cls = token.content.trim() === '' ? open : this.classFor(style, defaultFg);
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
}
